// `semhash verify`: reads a whole database (opened read-only) through
// DB::Verify, which checks every checksum and the invariants between its
// tables, and prints what it counted and each problem with its keys decoded.
// Exits 0 when the database is sound and 1 on any problem, including a
// database that cannot be opened.
#include <iostream>
#include <memory>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/json_writer.h"
#include "tools/number_flags.h"
#include "tools/task_progress.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "verify";

struct VerifyArgs {
  std::string db;
  bool json = false, quiet = false;
  VerifyOptions verify;
};

void PrintJson(const std::string& path, const VerifyReport& report) {
  JsonWriter json;
  json.BeginObject().Key("db").String(path);
  json.Key("sound").Bool(report.problem_count == 0);
  json.Key("images").Uint(report.images);
  json.Key("segment_rows").Uint(report.segment_rows);
  json.Key("changes").Uint(report.changes);
  json.Key("tombstones").Uint(report.tombstones);
  json.Key("payloads").Uint(report.payloads);
  json.Key("bytes_checked").Uint(report.bytes_checked);
  json.Key("problem_count").Uint(report.problem_count);
  json.Key("problems").BeginArray();
  for (const std::string& problem : report.problems) json.String(problem);
  std::cout << json.EndArray().EndObject().str() << "\n";
}

void PrintText(const std::string& path, const VerifyReport& report) {
  std::cout << path << ": " << Counted(report.images, "image", "images") << ", "
            << report.segment_rows << " segment rows, " << report.changes
            << " change records (" << report.tombstones << " tombstones), "
            << report.payloads << " payloads; " << report.bytes_checked
            << " bytes checked\n";
  if (report.problem_count == 0) {
    std::cout << "sound: no problems found\n";
    return;
  }
  std::cout << report.problem_count << " problems";
  if (report.problems.size() < report.problem_count) {
    std::cout << " (the first " << report.problems.size() << " listed)";
  }
  std::cout << ":\n";
  for (const std::string& problem : report.problems) {
    std::cout << "  " << problem << "\n";
  }
}

// The exit code: a database that cannot be opened or read through is a
// failure with its Status printed; one with problems is a failure with the
// report printed.
int Verify(VerifyArgs args) {
  std::unique_ptr<DB> db;
  Status s = OpenToRead(args.db, &db);
  if (!s.ok()) return Fail(kCommand, s);
  TaskProgress progress(kCommand, ProgressBar::ShouldShow(args.quiet));
  args.verify.progress = progress.Callback();
  VerifyReport report;
  s = db->Verify(args.verify, &report);
  progress.Finish();
  // Corruption is what the report lists; anything else stopped the check.
  if (!s.ok() && !s.IsCorruption()) return Fail(kCommand, s);
  if (args.json) {
    PrintJson(args.db, report);
  } else {
    PrintText(args.db, report);
  }
  return s.ok() ? kExitOk : kExitFailure;
}

}  // namespace

int RunVerify(int argc, char** argv) {
  VerifyArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout")
      ("quiet,q", po::bool_switch(&args.quiet), "no progress bar");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--db DIR [--json] [--quiet]", options, argc,
                    argv, &vm, &exit_code)) {
    return exit_code;
  }
  return Verify(args);
}

}  // namespace semhash::cli

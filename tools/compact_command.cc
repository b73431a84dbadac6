// `semhash compact`: DB::Compact on a database opened for writing, which
// repacks the posting lists that deletes left sparse and compacts every
// table; prints the bytes on disk before and after and what was repacked.
// Every search answers as before.
#include <iostream>
#include <memory>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/task_progress.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "compact";

struct CompactArgs {
  std::string db;
  bool json = false, quiet = false;
};

void PrintJson(const std::string& path, const CompactReport& report) {
  JsonWriter json;
  json.BeginObject().Key("db").String(path);
  json.Key("bytes_before").Uint(report.bytes_before);
  json.Key("bytes_after").Uint(report.bytes_after);
  json.Key("changes_merged").Uint(report.changes_merged);
  json.Key("segment_rows").Uint(report.segment_rows);
  std::cout << json.EndObject().str() << "\n";
}

void PrintText(const std::string& path, const CompactReport& report) {
  std::cout << "compacted " << path << ": " << report.bytes_before
            << " bytes before, " << report.bytes_after << " after\n"
            << report.changes_merged << " change records merged into a "
            << "segment of " << report.segment_rows << " rows\n";
}

Status Compact(const CompactArgs& args) {
  std::unique_ptr<DB> db;
  Options options;
  options.memory_index = Options::MemoryIndex::kOff;  // Compact reads RocksDB.
  Status s = DB::Open(options, args.db, &db);
  if (!s.ok()) return s;
  TaskProgress progress(kCommand, ProgressBar::ShouldShow(args.quiet));
  CompactReport report;
  s = db->Compact(progress.Callback(), &report);
  progress.Finish();
  if (!s.ok()) return s;
  if (args.json) {
    PrintJson(args.db, report);
  } else {
    PrintText(args.db, report);
  }
  return Status::OK();
}

}  // namespace

int RunCompact(int argc, char** argv) {
  CompactArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened for writing)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout")
      ("quiet,q", po::bool_switch(&args.quiet), "no progress bar");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--db DIR [--json] [--quiet]", options, argc,
                    argv, &vm, &exit_code)) {
    return exit_code;
  }
  const Status s = Compact(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

// `semhash calibrate`: DB::Calibrate on a database opened for writing:
// measures each search plan's recall against the exact answer and its cost
// on the stored codes (or on held-out queries given with --images or
// --codes, as `query` takes them),
// stores the result, and prints it as `inspect` does. Bulk loads and
// compactions calibrate by themselves when there is no calibration or it is
// stale; this is for a database filled by single writes, or to measure on
// queries of one's own.
#include <iostream>
#include <memory>

#include "semhash/db.h"
#include "tools/calibration_text.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/number_flags.h"
#include "tools/query_input.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "calibrate";

struct CalibrateArgs {
  std::string db;
  QueryInput input;
  size_t sample = 256;
  unsigned threads = 0;
  bool json = false;
};

Status Calibrate(const CalibrateArgs& args) {
  std::unique_ptr<DB> db;
  Status s = DB::Open(Options(), args.db, &db);
  if (!s.ok()) return s;
  CalibrateOptions options;
  options.sample_queries = args.sample;
  options.threads = args.threads;
  CodeRows queries;
  if (!args.input.images.empty() || !args.input.codes.empty()) {
    std::vector<float> vectors;
    size_t dim = 0;
    s = args.input.Read(*db, /*probes_addresses=*/true, &queries, &vectors,
                        &dim);
    if (!s.ok()) return s;
    options.n = queries.rows;
    options.addresses = queries.addresses.data();
    options.codes = queries.codes.data();
  }
  Calibration calibration;
  s = db->Calibrate(options, &calibration);
  if (!s.ok()) return s;
  const Status stored = db->GetCalibration(&calibration);
  if (args.json) {
    JsonWriter json;
    json.BeginObject().Key("db").String(args.db);
    JsonCalibration(stored, calibration, &json);
    std::cout << json.EndObject().str() << "\n";
  } else {
    PrintCalibration(stored, calibration, std::cout);
  }
  return stored.ok() || stored.IsNotFound() ? Status::OK() : stored;
}

}  // namespace

int RunCalibrate(int argc, char** argv) {
  CalibrateArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened for writing)")
  ;
  // clang-format on
  args.input.AddTo(&options);
  // clang-format off
  options.add_options()
      ("sample", WholeNumber(&args.sample, size_t{1}, size_t{1} << 20), "stored codes sampled as queries (default 256)")
      ("threads", WholeNumber(&args.threads, 0u, kMaxThreads), "threads, 0 for one per core (default 0)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR [--images FILE | --codes FILE] [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  if (!args.input.images.empty() || !args.input.codes.empty()) {
    const std::string problem = args.input.UsageProblem();
    if (!problem.empty()) return UsageError(kCommand, problem);
  }
  const Status s = Calibrate(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

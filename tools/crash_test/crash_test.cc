// semhash_crash_test: kills a writer at random moments and checks that the
// database keeps every acknowledged operation and never half of one.
//
//   semhash_crash_test run --dir DIR [--kills N] [--seed S]
//                          [--min-ms A] [--max-ms B]
//       Rounds of: start a writer, SIGKILL it after A..B ms, reopen and
//       check (driver.h). Exits 0 only if every round passed.
//   semhash_crash_test check --dir DIR
//       The check of one round alone, to rerun it on the files a failed
//       round left.
//   semhash_crash_test writer --db DIR --log FILE [--seed S]
//       The process the driver kills (writer.h); runs until killed.
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstring>
#include <iostream>
#include <string>

#include "tools/cli.h"
#include "tools/crash_test/driver.h"
#include "tools/crash_test/kill_check.h"
#include "tools/crash_test/writer.h"

namespace semhash::crash {
namespace {

namespace po = boost::program_options;
using cli::kExitFailure;
using cli::kExitOk;

int RunWriterCommand(int argc, char** argv) {
  WriterOptions options;
  po::options_description flags("options");
  // clang-format off
  flags.add_options()
      ("db", po::value(&options.db_path)->required(), "database directory")
      ("log", po::value(&options.log_path)->required(), "operation log")
      ("seed", cli::WholeNumber(&options.seed, uint64_t{0}), "random seed (default 1)");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!cli::ParseOptions("writer", "--db DIR --log FILE [--seed S]", flags,
                         argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  return cli::Fail("writer", RunWriter(options));
}

// This program's path, to run it again as the writer.
std::string SelfPath() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, size_t(n)) : std::string();
}

int RunDriverCommand(int argc, char** argv) {
  DriverOptions options;
  po::options_description flags("options");
  // clang-format off
  flags.add_options()
      ("dir", po::value(&options.dir)->required(), "directory for the database and its log; an existing pair is continued")
      ("kills", cli::WholeNumber(&options.kills, 0), "rounds, each ending in a SIGKILL (default 20)")
      ("seed", cli::WholeNumber(&options.seed, uint64_t{0}), "random seed (default 1)")
      ("min-ms", cli::WholeNumber(&options.min_ms, 0), "shortest writer run, ms (default 20)")
      ("max-ms", cli::WholeNumber(&options.max_ms, 0), "longest writer run, ms (default 400)");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!cli::ParseOptions("run", "--dir DIR [options]", flags, argc, argv, &vm,
                         &exit_code)) {
    return exit_code;
  }
  if (options.min_ms < 0 || options.max_ms < options.min_ms) {
    return cli::UsageError("run", "need 0 <= --min-ms <= --max-ms");
  }
  options.writer_binary = SelfPath();
  const auto start = std::chrono::steady_clock::now();
  DriverSummary summary;
  const Status s = RunDriver(options, std::cout, &summary);
  if (!s.ok()) {
    std::cout << "FAILED: " << s.ToString() << "\nthe database and log are "
              << "kept in " << options.dir << "; rerun the check with: "
              << "semhash_crash_test check --dir " << options.dir << "\n";
  }
  PrintSummary(summary, std::cout);
  std::cout << "wall time: "
            << std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " s" << std::endl;
  return s.ok() && summary.failures == 0 ? kExitOk : kExitFailure;
}

int RunCheckCommand(int argc, char** argv) {
  std::string dir;
  po::options_description flags("options");
  flags.add_options()("dir", po::value(&dir)->required(),
                      "a directory `run` used");
  po::variables_map vm;
  int exit_code;
  if (!cli::ParseOptions("check", "--dir DIR", flags, argc, argv, &vm,
                         &exit_code)) {
    return exit_code;
  }
  KillCheckResult result;
  const Status s = CheckAfterKill(DatabasePath(dir), LogPath(dir), &result);
  if (!s.ok()) return cli::Fail("check", s);
  std::cout << "sound: " << result.observed.images << " images as the log "
            << "says" << std::endl;
  return kExitOk;
}

int Main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "writer") return RunWriterCommand(argc - 1, argv + 1);
  if (mode == "run") return RunDriverCommand(argc - 1, argv + 1);
  if (mode == "check") return RunCheckCommand(argc - 1, argv + 1);
  std::cerr << "usage: semhash_crash_test run|check|writer [options]   "
               "(semhash_crash_test MODE --help)\n";
  return cli::kExitUsage;
}

}  // namespace
}  // namespace semhash::crash

int main(int argc, char** argv) {
  try {
    return semhash::crash::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "semhash_crash_test: error: " << e.what() << "\n";
    return semhash::cli::kExitFailure;
  }
}

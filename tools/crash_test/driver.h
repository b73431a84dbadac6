// The crash tester's driver: runs rounds of "start the writer, let it work
// for a random time, SIGKILL it, check the database" on one database, and
// sums up what the rounds saw.
//
// Thread safety: one driver per directory.
#ifndef SEMHASH_TOOLS_CRASH_TEST_DRIVER_H_
#define SEMHASH_TOOLS_CRASH_TEST_DRIVER_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "semhash/status.h"
#include "tools/crash_test/expected_state.h"
#include "tools/crash_test/recovery_check.h"

namespace semhash::crash {

struct DriverOptions {
  // Holds the database ("db") and the log ("operations.log"). An existing
  // pair is continued.
  std::string dir;
  // This program, run as `BINARY writer ...` for each round.
  std::string writer_binary;
  int kills = 20;
  uint64_t seed = 1;
  // Each writer is killed after a uniformly random time in this range.
  int min_ms = 20;
  int max_ms = 400;
};

struct DriverSummary {
  uint64_t kills = 0;
  uint64_t acked = 0;     // Operations acknowledged, over all rounds.
  uint64_t verified = 0;  // Of those, checked after a kill and found.
  // Of the verified, the writes made without sync.
  uint64_t verified_without_sync = 0;
  std::map<OperationKind, uint64_t> acked_by_kind;
  // What became of the operation in flight at each kill, by its kind.
  std::map<OperationKind, std::map<InFlightOutcome, uint64_t>> in_flight;
  uint64_t torn_tails = 0;
  uint64_t verify_runs = 0;
  uint64_t gets = 0;
  uint64_t searches = 0;
  uint64_t failures = 0;
};

std::string DatabasePath(const std::string& dir);
std::string LogPath(const std::string& dir);

// Runs options.kills rounds, printing one line per round to `out`. Stops at
// the first failed round, leaving the database and log as they were for a
// rerun of the check. Returns the failure's Status, or an error in the
// driver itself (a writer that could not start or exited on its own).
Status RunDriver(const DriverOptions& options, std::ostream& out,
                 DriverSummary* summary);

// Prints the summary as a few lines.
void PrintSummary(const DriverSummary& summary, std::ostream& out);

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_DRIVER_H_

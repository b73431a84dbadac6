// The check after each kill: reads the writer's log, reopens the database
// (for writing, so that its recovery runs), runs DB::Verify, reads every
// image through every read path and judges the state against the log
// (recovery_check.h). When the state is allowed, the log is rewritten as one
// snapshot of it, so the next writer resumes from a log with nothing in
// flight and the log stays as short as the database.
//
// Thread safety: one check at a time per database; the writer must be dead.
#ifndef SEMHASH_TOOLS_CRASH_TEST_KILL_CHECK_H_
#define SEMHASH_TOOLS_CRASH_TEST_KILL_CHECK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "semhash/status.h"
#include "tools/crash_test/db_observer.h"
#include "tools/crash_test/expected_state.h"
#include "tools/crash_test/recovery_check.h"

namespace semhash::crash {

struct KillCheckResult {
  // Operations acknowledged since the previous check, by kind.
  std::map<OperationKind, uint64_t> acked;
  // Of those, the writes made without sync: required all the same.
  uint64_t acked_without_sync = 0;
  // The operation the writer was in when it was killed, if any.
  std::optional<Operation> in_flight;
  InFlightOutcome outcome = InFlightOutcome::kNone;
  // The last log line was cut short by the kill.
  bool torn_tail = false;
  // False if the writer was killed before it created the database.
  bool database_exists = false;
  bool verified = false;  // DB::Verify ran and found no problem.
  ObserveStats observed;
};

// Checks the database at `db_path` against the log at `log_path`. OK if
// the database may hold what it holds; otherwise Corruption (or the failing
// call's Status) saying what is wrong, and the log is left as it was so
// that the check can be run again on the same files.
Status CheckAfterKill(const std::string& db_path, const std::string& log_path,
                      KillCheckResult* result);

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_KILL_CHECK_H_

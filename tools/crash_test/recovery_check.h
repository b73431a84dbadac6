// The crash tester's verdict on a recovered database: given the operations
// acknowledged before the kill, the one that may have been in flight, and
// what the reopened database holds, is that state one the durability
// contract allows? Every acknowledged operation must be there; the in-flight
// one must be there in full or not at all.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_CRASH_TEST_RECOVERY_CHECK_H_
#define SEMHASH_TOOLS_CRASH_TEST_RECOVERY_CHECK_H_

#include <optional>

#include "semhash/status.h"
#include "tools/crash_test/expected_state.h"

namespace semhash::crash {

enum class InFlightOutcome {
  kNone,        // Nothing was in flight.
  kApplied,     // Every id of the operation holds its new state.
  kNotApplied,  // Every id holds its old state.
  kInvisible,   // The operation changes nothing (a compaction, a no-op).
};

const char* OutcomeName(InFlightOutcome outcome);

// Compares `observed` (what the database holds) with `acked` (the state
// after every acknowledged operation) and `in_flight`. On OK, *outcome says
// what became of the in-flight operation and *resolved is the state the
// database holds. Corruption if the in-flight operation is partly applied,
// or if any id differs from what it should hold (an acknowledged write lost,
// a deleted image back, an image nobody wrote); the message names the first
// few ids and counts the rest.
Status CheckRecovered(const ExpectedState& acked,
                      const std::optional<Operation>& in_flight,
                      const ExpectedState& observed, InFlightOutcome* outcome,
                      ExpectedState* resolved);

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_RECOVERY_CHECK_H_

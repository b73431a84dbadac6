// Reads what a reopened database holds, through every read path the public
// API has, and checks that the paths agree: the iterator, Get by id, and a
// radius-0 Search at each address. The result is the database's state as an
// ExpectedState, for recovery_check.h to judge.
//
// Thread safety: uses the DB like any reader.
#ifndef SEMHASH_TOOLS_CRASH_TEST_DB_OBSERVER_H_
#define SEMHASH_TOOLS_CRASH_TEST_DB_OBSERVER_H_

#include <cstdint>
#include <vector>

#include "semhash/db.h"
#include "semhash/status.h"
#include "tools/crash_test/expected_state.h"

namespace semhash::crash {

struct ObserveStats {
  uint64_t images = 0;    // Images the iterator returned.
  uint64_t gets = 0;      // Get calls, found or NotFound.
  uint64_t searches = 0;  // Radius-0 searches.
};

// Reads every image of `db` into *observed with an iterator, then checks
// that Get returns the same image for each of them and NotFound for each id
// of `absent_candidates` the iterator did not return, and that a radius-0
// Search at every address (every occupied one if address_bits > 16) returns
// exactly the images stored there, each once, at the right distance from
// the query (one of their own codes, so one is at distance 0). Corruption
// naming the first disagreement; any other failed call's Status.
Status ObserveDatabase(DB* db, const std::vector<uint64_t>& absent_candidates,
                       ExpectedState* observed, ObserveStats* stats);

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_DB_OBSERVER_H_

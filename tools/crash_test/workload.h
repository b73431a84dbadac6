// The crash tester's workload: a seeded stream of random operations over a
// bounded id space, each planned against the current expected state so that
// puts name new ids, replaces and most deletes name stored ones. Half of the
// single writes and batches are made without sync. A large
// share of the images go to one hot address, so that its posting list spans
// several chunks and sees removals from all of them.
//
// Thread safety: a Workload is used by one thread.
#ifndef SEMHASH_TOOLS_CRASH_TEST_WORKLOAD_H_
#define SEMHASH_TOOLS_CRASH_TEST_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "semhash/codes.h"
#include "tools/crash_test/expected_state.h"

namespace semhash::crash {

struct WorkloadOptions {
  uint32_t address_bits = 12;
  uint32_t code_bits = 64;
  // Ids are drawn from [0, id_space).
  uint64_t id_space = 1 << 14;
  Address hot_address = 0x5a5;
};

// What the writer calls and what it logs.
struct PlannedOperation {
  // The effect, logged as the intent: each id once, in its final state.
  Operation op;
  // The calls in order (Put for an image, Delete for absent). Only a batch
  // may touch an id twice, and then `op` holds the last of them.
  std::vector<Change> steps;
};

class Workload {
 public:
  Workload(const WorkloadOptions& options, uint64_t seed);

  // The next operation, numbered `seq`, planned against `state`.
  PlannedOperation Next(const ExpectedState& state, uint64_t seq);

 private:
  bool OverHalf(const ExpectedState& state) const {
    return state.size() > options_.id_space / 2;
  }
  // Puts and deletes swap weights when `over_half`.
  OperationKind ChooseKind(bool over_half);
  Image RandomImage(double hot_share);
  // A stored id not in `taken`, or a new one if none is found quickly.
  uint64_t StoredId(const ExpectedState& state,
                    const std::set<uint64_t>& taken);
  // An id neither stored nor in `taken`, or a stored one if the space is
  // nearly full.
  uint64_t NewId(const ExpectedState& state, const std::set<uint64_t>& taken);
  void PlanBatch(const ExpectedState& state, PlannedOperation* plan);
  void PlanBulkLoad(const ExpectedState& state, PlannedOperation* plan);

  WorkloadOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_WORKLOAD_H_

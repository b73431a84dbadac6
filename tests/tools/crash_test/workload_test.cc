// The crash tester's workload does every kind of operation within a few
// hundred, each planned consistently: an effect names each id once and is
// the last of its steps, bulk loads never queue an id twice, and the hot
// address's posting list grows past one chunk, the database stays near half
// the id space so that new ids remain easy to find, and half of the writes
// are made without sync.
#include "tools/crash_test/workload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace semhash::crash {
namespace {

TEST(Workload, EveryKindAndConsistentEffects) {
  const WorkloadOptions options;
  Workload workload(options, 5);
  ExpectedState state;
  std::map<OperationKind, int> kinds;
  std::map<OperationKind, std::map<bool, int>> by_sync;
  size_t largest = 0;
  for (uint64_t seq = 1; seq <= 3000; ++seq) {
    const PlannedOperation plan = workload.Next(state, seq);
    EXPECT_EQ(plan.op.seq, seq);
    ++kinds[plan.op.kind];
    ++by_sync[plan.op.kind][plan.op.sync];
    std::map<uint64_t, std::optional<Image>> last;
    for (const Change& step : plan.steps) last[step.id] = step.image;
    ASSERT_EQ(plan.op.changes.size(), last.size());
    for (const Change& change : plan.op.changes) {
      EXPECT_EQ(change.image, last.at(change.id));
    }
    if (plan.op.kind == OperationKind::kBulkLoad) {
      EXPECT_EQ(plan.steps.size(), plan.op.changes.size());
    }
    state.Apply(plan.op);
    largest = std::max(largest, state.size());
  }
  EXPECT_LT(largest, options.id_space * 3 / 4);
  for (OperationKind kind :
       {OperationKind::kPut, OperationKind::kReplace, OperationKind::kDelete,
        OperationKind::kBatch, OperationKind::kBulkLoad,
        OperationKind::kCompact}) {
    EXPECT_GT(kinds[kind], 0) << KindName(kind);
  }
  // Single writes and batches are made both ways, about half without sync;
  // bulk loads and compactions have no such option.
  for (OperationKind kind : {OperationKind::kPut, OperationKind::kReplace,
                             OperationKind::kDelete, OperationKind::kBatch}) {
    EXPECT_GT(by_sync[kind][false], kinds[kind] / 3) << KindName(kind);
    EXPECT_GT(by_sync[kind][true], kinds[kind] / 3) << KindName(kind);
  }
  EXPECT_EQ(by_sync[OperationKind::kBulkLoad][false], 0);
  EXPECT_EQ(by_sync[OperationKind::kCompact][false], 0);
  size_t hot = 0;
  for (const auto& [id, image] : state.images()) {
    hot += image.address == options.hot_address;
  }
  EXPECT_GT(hot, 1024u);
}

}  // namespace
}  // namespace semhash::crash

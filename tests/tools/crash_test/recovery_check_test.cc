// The crash tester's verdict, on states built by hand: acknowledged writes
// must all be there and an in-flight operation wholly there or wholly not.
#include "tools/crash_test/recovery_check.h"

#include <gtest/gtest.h>

namespace semhash::crash {
namespace {

Image MakeImage(Address address, uint8_t fill) {
  return Image{address, std::vector<uint8_t>(8, fill)};
}

// The acknowledged state: ids 1, 2, 3.
ExpectedState Acked() {
  ExpectedState state;
  state.Set(1, MakeImage(10, 0x11));
  state.Set(2, MakeImage(20, 0x22));
  state.Set(3, MakeImage(30, 0x33));
  return state;
}

// A batch that replaces 1, deletes 2 and adds 4.
Operation Batch() {
  Operation op;
  op.seq = 9;
  op.kind = OperationKind::kBatch;
  op.changes = {
      {1, MakeImage(11, 0xaa)}, {2, std::nullopt}, {4, MakeImage(40, 0x44)}};
  return op;
}

TEST(RecoveryCheck, NothingInFlightMustMatchExactly) {
  InFlightOutcome outcome;
  ExpectedState resolved;
  ASSERT_TRUE(
      CheckRecovered(Acked(), std::nullopt, Acked(), &outcome, &resolved).ok());
  EXPECT_EQ(outcome, InFlightOutcome::kNone);
  EXPECT_EQ(resolved, Acked());
}

TEST(RecoveryCheck, InFlightBatchWhollyAppliedOrNot) {
  InFlightOutcome outcome;
  ExpectedState resolved;
  ASSERT_TRUE(
      CheckRecovered(Acked(), Batch(), Acked(), &outcome, &resolved).ok());
  EXPECT_EQ(outcome, InFlightOutcome::kNotApplied);
  EXPECT_EQ(resolved, Acked());

  ExpectedState after = Acked();
  after.Apply(Batch());
  ASSERT_TRUE(
      CheckRecovered(Acked(), Batch(), after, &outcome, &resolved).ok());
  EXPECT_EQ(outcome, InFlightOutcome::kApplied);
  EXPECT_EQ(resolved, after);
}

TEST(RecoveryCheck, InFlightBatchHalfAppliedFails) {
  // The replace of 1 and the delete of 2 landed; the put of 4 did not.
  ExpectedState half = Acked();
  half.Set(1, MakeImage(11, 0xaa));
  half.Set(2, std::nullopt);
  InFlightOutcome outcome;
  ExpectedState resolved;
  const Status s = CheckRecovered(Acked(), Batch(), half, &outcome, &resolved);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("half applied"), std::string::npos) << s.message();
}

TEST(RecoveryCheck, InFlightReplaceHalfDoneFails) {
  // Id 1 has the new address but the old code: neither state.
  ExpectedState torn = Acked();
  torn.Set(1, MakeImage(11, 0x11));
  Operation replace;
  replace.seq = 5;
  replace.kind = OperationKind::kReplace;
  replace.changes = {{1, MakeImage(11, 0xaa)}};
  InFlightOutcome outcome;
  ExpectedState resolved;
  EXPECT_TRUE(CheckRecovered(Acked(), replace, torn, &outcome, &resolved)
                  .IsCorruption());
}

TEST(RecoveryCheck, LostAcknowledgedWriteFails) {
  ExpectedState lost = Acked();
  lost.Set(3, std::nullopt);
  InFlightOutcome outcome;
  ExpectedState resolved;
  const Status s =
      CheckRecovered(Acked(), std::nullopt, lost, &outcome, &resolved);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("id 3"), std::string::npos) << s.message();
}

TEST(RecoveryCheck, ResurrectedOrUnwrittenImageFails) {
  ExpectedState extra = Acked();
  extra.Set(99, MakeImage(1, 0x99));
  InFlightOutcome outcome;
  ExpectedState resolved;
  EXPECT_TRUE(CheckRecovered(Acked(), std::nullopt, extra, &outcome, &resolved)
                  .IsCorruption());
  // Outside the in-flight operation the state must match too.
  ExpectedState after = Acked();
  after.Apply(Batch());
  after.Set(3, MakeImage(30, 0x34));
  EXPECT_TRUE(CheckRecovered(Acked(), Batch(), after, &outcome, &resolved)
                  .IsCorruption());
}

TEST(RecoveryCheck, OperationWithoutVisibleEffect) {
  Operation compact;
  compact.seq = 4;
  compact.kind = OperationKind::kCompact;
  Operation no_op_delete;
  no_op_delete.seq = 5;
  no_op_delete.kind = OperationKind::kDelete;
  no_op_delete.changes = {{77, std::nullopt}};
  for (const Operation& op : {compact, no_op_delete}) {
    InFlightOutcome outcome;
    ExpectedState resolved;
    ASSERT_TRUE(CheckRecovered(Acked(), op, Acked(), &outcome, &resolved).ok());
    EXPECT_EQ(outcome, InFlightOutcome::kInvisible);
  }
}

}  // namespace
}  // namespace semhash::crash

// The crash tester's operation log: records round-trip, a record cut short
// by a kill is ignored, and a log that could not have been written by one
// writer is reported as Corruption.
#include "tools/crash_test/operation_log.h"

#include <gtest/gtest.h>

namespace semhash::crash {
namespace {

Operation MakeBatch(uint64_t seq) {
  Operation op;
  op.seq = seq;
  op.kind = OperationKind::kBatch;
  op.changes.push_back({7, Image{0x5a5, {0x00, 0xff, 0x12, 0xab}}});
  op.changes.push_back({9, std::nullopt});
  return op;
}

TEST(OperationLog, IntentRoundTrips) {
  const Operation op = MakeBatch(3);
  EXPECT_EQ(EncodeIntent(op), "intent 3 batch 2 7=1445:00ff12ab 9=-\n");
  LogContents log;
  ASSERT_TRUE(ParseLog(EncodeIntent(op) + EncodeAck(3), &log).ok());
  ASSERT_EQ(log.acked.size(), 1u);
  EXPECT_EQ(log.acked[0], op);
  EXPECT_FALSE(log.in_flight);
  EXPECT_FALSE(log.torn_tail);
  EXPECT_EQ(log.last_seq, 3u);
}

TEST(OperationLog, WriteWithoutSyncRoundTrips) {
  Operation op = MakeBatch(4);
  op.sync = false;
  EXPECT_EQ(EncodeIntent(op), "intent 4 batch nosync 2 7=1445:00ff12ab 9=-\n");
  LogContents log;
  ASSERT_TRUE(ParseLog(EncodeIntent(op) + EncodeAck(4), &log).ok());
  ASSERT_EQ(log.acked.size(), 1u);
  EXPECT_EQ(log.acked[0], op);
  EXPECT_FALSE(log.acked[0].sync);
  // A count that disagrees with the changes, with or without the flag.
  EXPECT_TRUE(ParseLog("intent 5 put nosync 2 7=-\n", &log).IsCorruption());
  EXPECT_TRUE(ParseLog("intent 5 put nosync\n", &log).IsCorruption());
}

TEST(OperationLog, IntentWithoutAckIsInFlight) {
  LogContents log;
  const std::string text =
      EncodeIntent(MakeBatch(1)) + EncodeAck(1) + EncodeIntent(MakeBatch(2));
  ASSERT_TRUE(ParseLog(text, &log).ok());
  EXPECT_EQ(log.acked.size(), 1u);
  ASSERT_TRUE(log.in_flight);
  EXPECT_EQ(log.in_flight->seq, 2u);
}

TEST(OperationLog, TornLastLineIsIgnored) {
  const std::string whole = EncodeIntent(MakeBatch(1)) + EncodeAck(1);
  const std::string next = EncodeIntent(MakeBatch(2));
  // Every cut of the next intent short of its '\n' leaves the log as if it
  // had not been written.
  for (size_t cut = 1; cut < next.size(); ++cut) {
    LogContents log;
    ASSERT_TRUE(ParseLog(whole + next.substr(0, cut), &log).ok()) << cut;
    EXPECT_TRUE(log.torn_tail);
    EXPECT_EQ(log.acked.size(), 1u);
    EXPECT_FALSE(log.in_flight) << cut;
  }
  // A torn ack leaves its operation in flight.
  LogContents log;
  ASSERT_TRUE(ParseLog(whole + next + "ack ", &log).ok());
  EXPECT_TRUE(log.torn_tail);
  ASSERT_TRUE(log.in_flight);
  EXPECT_EQ(log.in_flight->seq, 2u);
}

TEST(OperationLog, ImpossibleLogsAreCorruption) {
  const std::string one = EncodeIntent(MakeBatch(1)) + EncodeAck(1);
  const std::vector<std::string> bad = {
      "ack 1\n",                                                // No intent.
      EncodeIntent(MakeBatch(1)) + EncodeAck(2),                // Wrong ack.
      one + EncodeIntent(MakeBatch(1)),                         // Seq repeats.
      EncodeIntent(MakeBatch(1)) + EncodeIntent(MakeBatch(2)),  // No ack.
      "intent 1 batch 3 7=-\n",     // Too few changes.
      "intent 1 merge 1 7=-\n",     // Unknown kind.
      "intent 1 put 1 7=12:abc\n",  // Odd hex length.
      "intent 1 put 1 7=12:zz\n",   // Not hex.
      "intent 1 put 1 x=-\n",       // Bad id.
      "\n",                         // Empty line.
  };
  for (const std::string& text : bad) {
    LogContents log;
    EXPECT_TRUE(ParseLog(text, &log).IsCorruption()) << text;
  }
}

TEST(OperationLog, WriterAppendsAndRewriteReplaces) {
  const std::string path = ::testing::TempDir() + "/operation_log_test.log";
  std::remove(path.c_str());
  {
    std::unique_ptr<OperationLogWriter> writer;
    ASSERT_TRUE(OperationLogWriter::Open(path, &writer).ok());
    ASSERT_TRUE(writer->AppendIntent(MakeBatch(1)).ok());
    ASSERT_TRUE(writer->AppendAck(1).ok());
    ASSERT_TRUE(writer->AppendIntent(MakeBatch(2)).ok());
  }
  LogContents log;
  ASSERT_TRUE(ReadLog(path, &log).ok());
  EXPECT_EQ(log.acked.size(), 1u);
  EXPECT_TRUE(log.in_flight);

  ExpectedState state;
  state.Apply(MakeBatch(2));
  ASSERT_TRUE(RewriteLog(path, {state.ToSnapshot(2)}).ok());
  ASSERT_TRUE(ReadLog(path, &log).ok());
  ASSERT_EQ(log.acked.size(), 1u);
  EXPECT_EQ(log.acked[0].kind, OperationKind::kSnapshot);
  EXPECT_FALSE(log.in_flight);
  EXPECT_EQ(log.last_seq, 2u);
  ExpectedState replayed;
  replayed.Apply(log.acked[0]);
  EXPECT_EQ(replayed, state);
  std::remove(path.c_str());
}

TEST(OperationLog, MissingLogIsEmpty) {
  LogContents log;
  ASSERT_TRUE(ReadLog(::testing::TempDir() + "/no-such-log", &log).ok());
  EXPECT_TRUE(log.acked.empty());
  EXPECT_EQ(log.last_seq, 0u);
}

}  // namespace
}  // namespace semhash::crash

// DB::Compact: the change records are merged into a new segment, every
// answer stays the same, and the database shrinks and still verifies.
#include <gtest/gtest.h>

#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

std::vector<SearchResult> Answers(
    DB* db, const std::vector<std::vector<uint8_t>>& queries) {
  std::vector<SearchResult> answers;
  for (size_t q = 0; q < queries.size(); ++q) {
    SearchResult result;
    EXPECT_TRUE(
        db->Search(SearchOptions(), Address(q % 4), queries[q], 50, &result)
            .ok());
    answers.push_back(result);
    EXPECT_TRUE(db->SearchExact(queries[q], 50, &result).ok());
    answers.push_back(result);
  }
  return answers;
}

TEST(DBCompact, KeepsEveryAnswerAndShrinks) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(8, 64));
  std::mt19937_64 rng(11);
  // 6000 images on 4 addresses (2 chunks each of 1024), then 2/3 deleted:
  // every list fits in one chunk again.
  WriteBatch batch;
  for (uint64_t id = 0; id < 6000; ++id) {
    batch.Put(id, Address(id % 4), RandomCode(&rng, 8));
  }
  ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
  for (uint64_t id = 0; id < 6000; ++id) {
    if (id % 3 != 0) {
      ASSERT_TRUE(db->Delete(WriteOptions(), id).ok());
    }
  }
  std::vector<std::vector<uint8_t>> queries;
  for (int q = 0; q < 20; ++q) queries.push_back(RandomCode(&rng, 8));
  const auto before = Answers(db.get(), queries);

  CompactReport report;
  uint64_t progress_calls = 0;
  const Status s =
      db->Compact([&](uint64_t, uint64_t) { ++progress_calls; }, &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.segment_rows, 2000u);
  EXPECT_LT(report.bytes_after, report.bytes_before);

  const auto after = Answers(db.get(), queries);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].neighbors, after[i].neighbors) << i;
  }
  VerifyReport verified;
  ASSERT_TRUE(db->Verify(VerifyOptions(), &verified).ok());
  EXPECT_EQ(verified.segment_rows, 2000u);
  EXPECT_EQ(verified.changes, 0u);
  EXPECT_EQ(verified.images, 2000u);

  // A second compaction has nothing to merge; new writes land correctly.
  ASSERT_TRUE(db->Compact({}, &report).ok());
  EXPECT_EQ(report.changes_merged, 0u);
  ASSERT_TRUE(db->Put(WriteOptions(), 1, 2, RandomCode(&rng, 8)).ok());
  ASSERT_TRUE(db->Verify(VerifyOptions(), &verified).ok());
  EXPECT_EQ(verified.images, 2001u);
}

TEST(DBCompact, MergesTheChangeRecordsIntoTheSegment) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(8, 64));
  std::mt19937_64 rng(12);
  ASSERT_TRUE(db->Put(WriteOptions(), 1, 9, RandomCode(&rng, 8)).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), 2, 8, RandomCode(&rng, 8)).ok());
  ASSERT_TRUE(db->Delete(WriteOptions(), 1).ok());
  CompactReport report;
  ASSERT_TRUE(db->Compact({}, &report).ok());
  EXPECT_EQ(report.changes_merged, 1u);  // Id 1 never reached a segment.
  EXPECT_EQ(report.segment_rows, 1u);
  VerifyReport verified;
  ASSERT_TRUE(db->Verify(VerifyOptions(), &verified).ok());
  EXPECT_EQ(verified.images, 1u);
  EXPECT_EQ(verified.changes, 0u);
}

TEST(DBCompact, ReadOnlyDatabaseIsNotSupported) {
  TempDir dir;
  { OpenOrDie(dir.Sub("db"), CreateOptions(8, 64)); }
  Options options;
  options.read_only = true;
  auto db = OpenOrDie(dir.Sub("db"), options);
  CompactReport report;
  EXPECT_TRUE(db->Compact({}, &report).IsNotSupported());
  SpaceUsage usage;
  ASSERT_TRUE(db->GetSpaceUsage(&usage).ok());
  EXPECT_EQ(usage.families.size(), 3u);  // default, changes, payloads.
  EXPECT_GT(usage.total_bytes, 0u);
}

}  // namespace
}  // namespace semhash

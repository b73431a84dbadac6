// DB::Verify: a sound database passes; each broken invariant and each
// damaged value, segment block or table file is reported with its id.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/db/rocksdb_store.h"
#include "format/change_record.h"
#include "format/keys.h"
#include "format/payload_record.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

// 300 images on 7 addresses, every fifth with a payload; id 10 deleted.
// `compact`: then merged into the segment (no change records left).
class VerifyTest : public ::testing::Test {
 protected:
  void Make(bool compact) {
    auto db = OpenOrDie(path(), CreateOptions(8, 64));
    ASSERT_NE(db, nullptr);
    std::mt19937_64 rng(3);
    WriteBatch batch;
    for (uint64_t id = 0; id < 300; ++id) {
      batch.Put(id, Address(id % 7), RandomCode(&rng, 8),
                id % 5 == 0 ? "p" + std::to_string(id) : "");
    }
    ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
    if (compact) {
      CompactReport report;
      ASSERT_TRUE(db->Compact({}, &report).ok());
    }
    ASSERT_TRUE(db->Delete(WriteOptions(), 10).ok());
  }

  std::string path() const { return dir_.Sub(name_); }

  // Runs `change` on the raw RocksDB database under the semhash one.
  template <typename Change>
  void Tamper(Change change) {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, path(), &store).ok());
    change(store.get());
  }

  // Flips the last byte of `id`'s record in `family`.
  void Flip(rocksdb::ColumnFamilyHandle* (RocksDBStore::*family)() const,
            uint64_t id) {
    Tamper([&](RocksDBStore* store) {
      std::string value;
      const std::string key = format::EncodeIdKey(id);
      ASSERT_TRUE(
          store->db()
              ->Get(rocksdb::ReadOptions(), (store->*family)(), key, &value)
              .ok());
      value.back() ^= 1;
      ASSERT_TRUE(
          store->db()
              ->Put(rocksdb::WriteOptions(), (store->*family)(), key, value)
              .ok());
    });
  }

  VerifyReport VerifyExpectingProblems() {
    auto db = OpenOrDie(path());
    VerifyReport report;
    const Status s = db->Verify(VerifyOptions(), &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_GT(report.problem_count, 0u);
    EXPECT_EQ(report.problems.size(), report.problem_count);
    return report;
  }

  static bool Mentions(const VerifyReport& report, const std::string& text) {
    for (const auto& problem : report.problems) {
      if (problem.find(text) != std::string::npos) return true;
    }
    return false;
  }

  TempDir dir_;
  std::string name_ = "db";
};

TEST_F(VerifyTest, SoundDatabasePasses) {
  for (bool compact : {false, true}) {
    name_ = compact ? "compacted" : "db";
    Make(compact);
    auto db = OpenOrDie(path());
    VerifyReport report;
    const Status s = db->Verify(VerifyOptions(), &report);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(report.images, 299u);
    EXPECT_EQ(report.payloads, 59u);
    // Compacted: 300 rows in the segment and a tombstone for id 10;
    // otherwise (fewer than 4,096 writes, no merge) 299 change records.
    EXPECT_EQ(report.segment_rows, compact ? 300u : 0u);
    EXPECT_EQ(report.changes, compact ? 1u : 299u);
    EXPECT_EQ(report.tombstones, compact ? 1u : 0u);
    EXPECT_GT(report.bytes_checked, 299u * 8);
    EXPECT_TRUE(report.problems.empty());
  }
}

TEST_F(VerifyTest, FlippedByteInAPayloadRecord) {
  Make(true);
  Flip(&RocksDBStore::payloads, 25);
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, "id 25")) << report.problems.front();
  auto db = OpenOrDie(path());
  Record record;
  const Status s = db->Get(25, &record);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("id 25"), std::string::npos) << s.ToString();
}

TEST_F(VerifyTest, PayloadWithoutAnImage) {
  Make(false);
  Tamper([](RocksDBStore* store) {
    ASSERT_TRUE(store->db()
                    ->Put(rocksdb::WriteOptions(), store->payloads(),
                          format::EncodeIdKey(1000),
                          format::EncodePayloadRecord("lost"))
                    .ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, "id 1000 has a payload but no image"))
      << report.problems.front();
}

// The open replays every change record: a damaged one fails it, naming the
// id, rather than leaving the image out.
TEST_F(VerifyTest, FlippedByteInAChangeRecordFailsTheOpen) {
  Make(false);
  Flip(&RocksDBStore::changes, 42);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), path(), &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("id 42"), std::string::npos) << s.ToString();
}

TEST_F(VerifyTest, TombstoneForAnIdTheSegmentLacksFailsTheOpen) {
  Make(true);
  Tamper([](RocksDBStore* store) {
    ASSERT_TRUE(store->db()
                    ->Put(rocksdb::WriteOptions(), store->changes(),
                          format::EncodeIdKey(5000),
                          format::EncodeChangeRecord(
                              {format::ChangeKind::kTombstone, 0, {}}))
                    .ok());
  });
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), path(), &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("id 5000"), std::string::npos) << s.ToString();
}

// A block of the segment is checked lazily by searches and wholly here.
TEST_F(VerifyTest, FlippedByteInTheSegment) {
  Make(true);
  std::filesystem::path segment;
  for (const auto& entry :
       std::filesystem::directory_iterator(path() + "/segments")) {
    segment = entry.path();
  }
  ASSERT_FALSE(segment.empty());
  {
    // Inside the codes section, which starts at 4096.
    std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(4096 + 100);
    const char byte = char(file.peek());
    file.seekp(4096 + 100);
    file.put(char(byte ^ 0x20));
  }
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, segment.string())) << report.problems.front();
}

TEST_F(VerifyTest, FlippedByteInATableFile) {
  Make(false);
  // Closed above, so every value is in table files. Flip a byte in the
  // middle of the largest one (its data blocks).
  std::filesystem::path largest;
  for (const auto& entry : std::filesystem::directory_iterator(path())) {
    if (entry.path().extension() != ".sst") continue;
    if (largest.empty() ||
        entry.file_size() > std::filesystem::file_size(largest)) {
      largest = entry.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(std::filesystem::file_size(largest) / 4);
    const char byte = char(file.peek());
    file.seekp(std::filesystem::file_size(largest) / 4);
    file.put(char(byte ^ 0x20));
  }
  std::unique_ptr<DB> db;
  Status s = DB::Open(Options(), path(), &db);
  if (s.ok()) {
    VerifyReport report;
    s = db->Verify(VerifyOptions(), &report);
    EXPECT_TRUE(Mentions(report, "table files")) << s.ToString();
  }
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace semhash

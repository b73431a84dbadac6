#include <gtest/gtest.h>

#include <set>

#include "engine/db/rocksdb_store.h"
#include "format/keys.h"
#include "format/posting_chunk.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 12;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;

class DBWriteTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    db_ = OpenOrDie(dir_.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
    ASSERT_NE(db_, nullptr);
  }
  // The ids the table-0 posting lists hold at `address`, via a search that
  // probes only that address.
  std::multiset<uint64_t> IdsAt(Address address) {
    SearchOptions options;
    options.max_radius = 0;
    SearchResult result;
    const std::vector<uint8_t> query(kCodeBytes, 0);
    EXPECT_TRUE(db_->Search(options, address, query, 1 << 20, &result).ok());
    std::multiset<uint64_t> ids;
    for (const auto& n : result.neighbors) ids.insert(n.id);
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
  std::mt19937_64 rng_{3};
};

TEST_F(DBWriteTest, PutGetDelete) {
  const auto code = RandomCode(&rng_, kCodeBytes);
  ASSERT_TRUE(db_->Put(WriteOptions(), 42, 0xABC, code, "img/42.png").ok());
  Record record;
  ASSERT_TRUE(db_->Get(42, &record).ok());
  EXPECT_EQ(record.address, 0xABCu);
  EXPECT_EQ(record.code, code);
  EXPECT_EQ(record.payload, "img/42.png");
  EXPECT_EQ(IdsAt(0xABC), std::multiset<uint64_t>({42}));

  ASSERT_TRUE(db_->Delete(WriteOptions(), 42).ok());
  EXPECT_TRUE(db_->Get(42, &record).IsNotFound());
  EXPECT_TRUE(IdsAt(0xABC).empty());
  EXPECT_TRUE(db_->Delete(WriteOptions(), 42).ok()) << "absent id";
}

TEST_F(DBWriteTest, ReplaceMovesTheIdToItsNewAddress) {
  ASSERT_TRUE(
      db_->Put(WriteOptions(), 7, 1, RandomCode(&rng_, kCodeBytes)).ok());
  const auto code = RandomCode(&rng_, kCodeBytes);
  ASSERT_TRUE(db_->Put(WriteOptions(), 7, 2, code, "v2").ok());
  EXPECT_TRUE(IdsAt(1).empty());
  EXPECT_EQ(IdsAt(2), std::multiset<uint64_t>({7}));
  Record record;
  ASSERT_TRUE(db_->Get(7, &record).ok());
  EXPECT_EQ(record.code, code);
  EXPECT_EQ(record.payload, "v2");
  // Replace at the same address keeps one entry with the new code.
  ASSERT_TRUE(db_->Put(WriteOptions(), 7, 2, code, "v3").ok());
  EXPECT_EQ(IdsAt(2), std::multiset<uint64_t>({7}));
}

TEST_F(DBWriteTest, SurvivesReopen) {
  std::map<uint64_t, std::vector<uint8_t>> stored;
  for (uint64_t id = 0; id < 300; ++id) {
    stored[id] = RandomCode(&rng_, kCodeBytes);
    ASSERT_TRUE(db_->Put(WriteOptions(), id, id % 5, stored[id]).ok());
  }
  for (uint64_t id = 0; id < 300; id += 3) {
    ASSERT_TRUE(db_->Delete(WriteOptions(), id).ok());
    stored.erase(id);
  }
  Reopen();
  for (uint64_t id = 0; id < 300; ++id) {
    Record record;
    const Status s = db_->Get(id, &record);
    if (stored.count(id)) {
      ASSERT_TRUE(s.ok()) << id << " " << s.ToString();
      EXPECT_EQ(record.code, stored[id]);
      EXPECT_EQ(record.address, id % 5);
    } else {
      EXPECT_TRUE(s.IsNotFound()) << id;
    }
  }
  size_t listed = 0;
  for (Address a = 0; a < 5; ++a) listed += IdsAt(a).size();
  EXPECT_EQ(listed, stored.size());
}

TEST_F(DBWriteTest, BatchAppliesInOrderAndAtomically) {
  WriteBatch batch;
  batch.Put(1, 10, RandomCode(&rng_, kCodeBytes));
  batch.Put(2, 10, RandomCode(&rng_, kCodeBytes));
  batch.Delete(1);
  batch.Put(2, 11, RandomCode(&rng_, kCodeBytes));
  batch.Put(3, 10, RandomCode(&rng_, kCodeBytes));
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  EXPECT_EQ(IdsAt(10), std::multiset<uint64_t>({3}));
  EXPECT_EQ(IdsAt(11), std::multiset<uint64_t>({2}));

  // One invalid operation rejects the whole batch: nothing is written.
  WriteBatch bad;
  bad.Put(4, 10, RandomCode(&rng_, kCodeBytes));
  bad.Delete(3);
  bad.Put(5, 10, RandomCode(&rng_, kCodeBytes - 1));
  const Status s = db_->Write(WriteOptions(), bad);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("id 5"), std::string::npos) << s.ToString();
  EXPECT_EQ(IdsAt(10), std::multiset<uint64_t>({3}));
  Record record;
  EXPECT_TRUE(db_->Get(4, &record).IsNotFound());
}

TEST_F(DBWriteTest, InvalidInputsAreRefusedWithReasons) {
  const auto code = RandomCode(&rng_, kCodeBytes);
  Status s = db_->Put(WriteOptions(), 1, 1u << kAddressBits, code);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("wider than 12 bits"), std::string::npos)
      << s.ToString();
  s = db_->Put(WriteOptions(), 1, 0, RandomCode(&rng_, kCodeBytes * 2));
  EXPECT_NE(s.message().find("code of 256 bits"), std::string::npos)
      << s.ToString();
  s = db_->Put(WriteOptions(), 1, 0, code,
               std::string(kMaxPayloadBytes + 1, 'x'));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(
      db_->Put(WriteOptions(), 1, 0, code, std::string(kMaxPayloadBytes, 'x'))
          .ok());
  SearchResult result;
  EXPECT_TRUE(
      db_->SearchExact(RandomCode(&rng_, 4), 5, &result).IsInvalidArgument());
}

TEST_F(DBWriteTest, SyncWritesWork) {
  WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(db_->Put(sync, 9, 9, RandomCode(&rng_, kCodeBytes)).ok());
  Reopen();
  Record record;
  EXPECT_TRUE(db_->Get(9, &record).ok());
}

// Over a thousand images on one address (as real encoders produce): the list
// is split into chunks of at most posting_chunk_capacity, every image stays
// findable, and removals reach the right chunk.
TEST_F(DBWriteTest, HotAddressIsChunkedAndStaysCorrect) {
  const uint64_t kImages = 5000;
  const uint32_t capacity = db_->info().posting_chunk_capacity;
  ASSERT_EQ(capacity, 1024u);
  WriteBatch batch;
  for (uint64_t id = 0; id < kImages; ++id) {
    if (id % 2 == 0) {
      // Single puts and batches both go through the tail.
      ASSERT_TRUE(
          db_->Put(WriteOptions(), id, 77, RandomCode(&rng_, kCodeBytes)).ok());
    } else {
      batch.Put(id, 77, RandomCode(&rng_, kCodeBytes));
    }
    if (batch.size() == 300) {
      ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  auto ids = IdsAt(77);
  EXPECT_EQ(ids.size(), kImages);
  EXPECT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), kImages);
  for (uint64_t id = 0; id < kImages; id += 4) {
    ASSERT_TRUE(db_->Delete(WriteOptions(), id).ok());
  }
  EXPECT_EQ(IdsAt(77).size(), kImages - kImages / 4);
  db_.reset();
  // After a reopen (the segment and the change records since), the same.
  db_ = OpenOrDie(dir_.Sub("db"));
  EXPECT_EQ(IdsAt(77).size(), kImages - kImages / 4);
}

}  // namespace
}  // namespace semhash

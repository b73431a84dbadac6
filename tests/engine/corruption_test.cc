// Damaged stored values surface as Corruption, never as a wrong answer.
#include <gtest/gtest.h>

#include "engine/rocksdb_store.h"
#include "format/keys.h"
#include "semhash/db.h"
#include "test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenOrDie(dir_.Sub("db"), CreateOptions(8, 64));
    ASSERT_NE(db, nullptr);
    std::mt19937_64 rng(9);
    for (uint64_t id = 0; id < 20; ++id) {
      ASSERT_TRUE(db->Put(WriteOptions(), id, 3, RandomCode(&rng, 8)).ok());
    }
  }

  // Flips one byte of the value stored under `key` in `family`.
  void Damage(rocksdb::ColumnFamilyHandle* (RocksDBStore::*family)() const,
              const std::string& key, size_t offset) {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, dir_.Sub("db"), &store).ok());
    rocksdb::ColumnFamilyHandle* handle = (store.get()->*family)();
    std::string value;
    ASSERT_TRUE(
        store->db()->Get(rocksdb::ReadOptions(), handle, key, &value).ok());
    ASSERT_LT(offset, value.size());
    value[offset] ^= 0x40;
    ASSERT_TRUE(
        store->db()->Put(rocksdb::WriteOptions(), handle, key, value).ok());
  }

  TempDir dir_;
};

TEST_F(CorruptionTest, DamagedIdRecordIsCorruption) {
  Damage(&RocksDBStore::ids, format::EncodeIdKey(4), 12);
  auto db = OpenOrDie(dir_.Sub("db"));
  Record record;
  const Status s = db->Get(4, &record);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("id 4"), std::string::npos);
  EXPECT_TRUE(db->Get(5, &record).ok());
  SearchResult result;
  EXPECT_TRUE(db->SearchExact(record.code, 3, &result).IsCorruption());
  // Rewriting the id is refused too: its old record cannot be trusted.
  EXPECT_TRUE(db->Delete(WriteOptions(), 4).IsCorruption());
}

TEST_F(CorruptionTest, DamagedPostingChunkIsCorruption) {
  Damage(&RocksDBStore::postings, format::EncodePostingKey({0, 3, 0}), 30);
  auto db = OpenOrDie(dir_.Sub("db"));
  Record record;
  ASSERT_TRUE(db->Get(1, &record).ok());
  SearchResult result;
  const Status s = db->Search(SearchOptions(), 3, record.code, 5, &result);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(result.neighbors.empty());
}

TEST_F(CorruptionTest, DamagedManifestRefusesToOpen) {
  Damage(&RocksDBStore::meta, format::kManifestKey, 20);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), dir_.Sub("db"), &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("manifest"), std::string::npos);
  EXPECT_EQ(db, nullptr);
}

TEST_F(CorruptionTest, MissingManifestRefusesToOpen) {
  {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, dir_.Sub("db"), &store).ok());
    ASSERT_TRUE(store->db()
                    ->Delete(rocksdb::WriteOptions(), store->meta(),
                             format::kManifestKey)
                    .ok());
  }
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(Options(), dir_.Sub("db"), &db).IsCorruption());
}

}  // namespace
}  // namespace semhash

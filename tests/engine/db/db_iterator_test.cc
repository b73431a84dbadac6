#include <gtest/gtest.h>

#include <map>

#include "engine/db/db_impl.h"
#include "engine/db/rocksdb_store.h"
#include "format/keys.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

TEST(DBIterator, WalksEveryImageInIdOrderOverASnapshot) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(8, 64));
  std::mt19937_64 rng(4);
  std::map<uint64_t, std::vector<uint8_t>> stored;
  for (int i = 0; i < 300; ++i) {
    const uint64_t id = rng() >> (rng() % 60);
    stored[id] = RandomCode(&rng, 8);
    ASSERT_TRUE(
        db->Put(WriteOptions(), id, id & 0xFF, stored[id], std::to_string(id))
            .ok());
  }
  const auto it = db->NewIterator();
  // Written after the iterator was made: not seen.
  ASSERT_TRUE(db->Put(WriteOptions(), 1, 1, RandomCode(&rng, 8)).ok());
  ASSERT_TRUE(db->Delete(WriteOptions(), stored.begin()->first).ok());
  auto expected = stored.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    ASSERT_NE(expected, stored.end());
    EXPECT_EQ(it->id(), expected->first);
    EXPECT_EQ(it->address(), expected->first & 0xFF);
    EXPECT_TRUE(std::equal(it->code().begin(), it->code().end(),
                           expected->second.begin()));
    EXPECT_EQ(it->payload(), std::to_string(expected->first));
  }
  EXPECT_EQ(expected, stored.end());
  EXPECT_TRUE(it->status().ok());

  const uint64_t middle = std::next(stored.begin(), 150)->first;
  it->Seek(middle);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->id(), middle);
  it->Seek(middle + 1);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->id(), std::next(stored.begin(), 151)->first);
}

TEST(DBIterator, StopsWithCorruptionOnADamagedRecord) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(8, 64));
  std::mt19937_64 rng(2);
  for (uint64_t id = 0; id < 10; ++id) {
    ASSERT_TRUE(db->Put(WriteOptions(), id, 0, RandomCode(&rng, 8)).ok());
  }
  // Id 6's change record damaged under the open database (its open would
  // read the record and fail there): the iterator reads it anew.
  auto* store = static_cast<DBImpl*>(db.get())->store();
  std::string value;
  const std::string key = format::EncodeIdKey(6);
  ASSERT_TRUE(store->db()
                  ->Get(rocksdb::ReadOptions(), store->changes(), key, &value)
                  .ok());
  value[value.size() - 1] ^= 1;
  ASSERT_TRUE(store->db()
                  ->Put(rocksdb::WriteOptions(), store->changes(), key, value)
                  .ok());
  // A write of another id publishes a read view that sees the damage.
  ASSERT_TRUE(db->Put(WriteOptions(), 100, 0, RandomCode(&rng, 8)).ok());
  const auto it = db->NewIterator();
  uint64_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  EXPECT_EQ(seen, 6u);
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  EXPECT_NE(it->status().message().find("id 6"), std::string::npos);
}

}  // namespace
}  // namespace semhash

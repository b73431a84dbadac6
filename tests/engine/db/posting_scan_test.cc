// PostingScan: one address's chunks, a range of addresses and the whole
// table in key order, decoded in place; a damaged chunk or key is Corruption
// naming it; an empty table is an empty walk.
#include "engine/db/posting_scan.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/engine/test_util.h"

namespace semhash {
namespace {

constexpr size_t kCodeBytes = 4;

struct Seen {
  Address address;
  uint32_t chunk;
  std::vector<uint64_t> ids;
  bool operator==(const Seen&) const = default;
};

// A RocksDB database whose default column family stands for the postings.
class PostingScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.path(), &db).ok());
    db_.reset(db);
  }

  // Stores a chunk of ids first..first+count-1, code byte i of image j = j.
  void PutChunk(Address address, uint32_t chunk, uint64_t first, size_t count) {
    std::vector<uint64_t> ids;
    std::vector<uint8_t> codes;
    for (size_t j = 0; j < count; ++j) {
      ids.push_back(first + j);
      codes.insert(codes.end(), kCodeBytes, uint8_t(first + j));
    }
    Put(format::EncodePostingKey({0, address, chunk}),
        format::EncodePostingChunk(kCodeBytes, count, ids.data(),
                                   codes.data()));
  }

  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key, value).ok());
  }

  // Three addresses, two chunks at address 3, stored out of order.
  void PutTable() {
    PutChunk(3, 1, 300, 2);
    PutChunk(5, 0, 500, 1);
    PutChunk(3, 0, 310, 3);
    PutChunk(2, 0, 200, 1);
  }

  PostingScan NewScan(const rocksdb::ReadOptions& options = {}) {
    return PostingScan(
        std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options)),
        kCodeBytes);
  }

  // Reads the chunks from where the scan stands to its end; each code must
  // hold its id's low byte, read in place.
  static std::vector<Seen> Walk(PostingScan* scan) {
    std::vector<Seen> seen;
    for (; scan->Valid(); scan->Next()) {
      format::PostingKey key;
      format::PostingChunkView chunk;
      const Status s = scan->Read(&key, &chunk);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) break;
      Seen entry{key.address, key.chunk, {}};
      for (size_t i = 0; i < chunk.size(); ++i) {
        entry.ids.push_back(chunk.id(i));
        EXPECT_EQ(chunk.code(i).data()[kCodeBytes - 1], uint8_t(chunk.id(i)));
      }
      seen.push_back(entry);
    }
    EXPECT_TRUE(scan->status().ok());
    return seen;
  }

  // The message of the Corruption that reading the current position gives.
  static std::string CorruptionAt(const PostingScan& scan) {
    if (!scan.Valid()) return "no chunk";
    format::PostingKey key;
    format::PostingChunkView chunk;
    const Status s = scan.Read(&key, &chunk);
    return s.IsCorruption() ? s.message() : s.ToString();
  }

  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(PostingScanTest, OneAddressInChunkOrder) {
  PutTable();
  PostingScan scan = NewScan();
  scan.SeekAddress(3);
  EXPECT_EQ(Walk(&scan),
            (std::vector<Seen>{{3, 0, {310, 311, 312}}, {3, 1, {300, 301}}}));
  scan.SeekAddress(4);  // Empty, between two occupied addresses.
  EXPECT_EQ(Walk(&scan), std::vector<Seen>{});
  scan.SeekAddress(5);
  EXPECT_EQ(Walk(&scan), (std::vector<Seen>{{5, 0, {500}}}));
}

TEST_F(PostingScanTest, RangeStopsAtTheUpperBound) {
  PutTable();
  const std::string upper = format::EncodeAddressPrefix(0, 5);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  PostingScan scan = NewScan(options);
  scan.Seek(3);
  EXPECT_EQ(Walk(&scan),
            (std::vector<Seen>{{3, 0, {310, 311, 312}}, {3, 1, {300, 301}}}));
}

TEST_F(PostingScanTest, WholeTableInKeyOrder) {
  PutTable();
  PostingScan scan = NewScan();
  scan.SeekToFirst();
  EXPECT_EQ(Walk(&scan), (std::vector<Seen>{{2, 0, {200}},
                                            {3, 0, {310, 311, 312}},
                                            {3, 1, {300, 301}},
                                            {5, 0, {500}}}));
}

TEST_F(PostingScanTest, DamagedChunkIsCorruptionNamingIt) {
  PutTable();
  std::string value;
  const std::string key = format::EncodePostingKey({0, 3, 1});
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), key, &value).ok());
  value[value.size() - 1] ^= 0x10;  // A code byte: the checksum fails.
  Put(key, value);
  PostingScan scan = NewScan();
  scan.Seek(3);
  EXPECT_EQ(CorruptionAt(scan), "OK");  // Chunk 0 is whole.
  scan.Next();
  const std::string message = CorruptionAt(scan);
  EXPECT_EQ(message.rfind("address 3 chunk 1: ", 0), 0u) << message;
  // The damaged chunk is a position: a checker can go on past it.
  scan.Next();
  EXPECT_EQ(Walk(&scan), (std::vector<Seen>{{5, 0, {500}}}));
}

TEST_F(PostingScanTest, CodesOfAnotherLengthAreCorruption) {
  const uint64_t id = 7;
  const uint8_t code[8] = {};
  Put(format::EncodePostingKey({0, 9, 2}),
      format::EncodePostingChunk(8, 1, &id, code));
  PostingScan scan = NewScan();
  scan.SeekAddress(9);
  EXPECT_EQ(CorruptionAt(scan),
            "address 9 chunk 2: codes of 64 bits, the manifest's have 32");
}

TEST_F(PostingScanTest, KeyOfAnotherShapeIsCorruption) {
  PutTable();
  Put(std::string("\x00\x00\x00\x00\x04", 5), "tail-like");
  PostingScan scan = NewScan();
  scan.Seek(4);
  EXPECT_EQ(CorruptionAt(scan),
            "posting key of 5 bytes is not a table-0 posting key");
}

TEST_F(PostingScanTest, EmptyTableIsAnEmptyWalk) {
  PostingScan scan = NewScan();
  scan.SeekToFirst();
  EXPECT_EQ(Walk(&scan), std::vector<Seen>{});
  scan.SeekAddress(0);
  EXPECT_EQ(Walk(&scan), std::vector<Seen>{});
  scan.Seek(0);
  EXPECT_EQ(Walk(&scan), std::vector<Seen>{});
}

}  // namespace
}  // namespace semhash

// The check of table files' properties blocks that runs before RocksDB
// opens a database (engine/db/rocksdb_table_check.h).
#include "engine/db/rocksdb_table_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

// The end of the global sequence number's key (the properties block shares
// key prefixes, so the whole key is not stored), its 8-byte value after it.
constexpr char kGlobalSeqno[] = "external_sst_file.global_seqno";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<std::string> TableFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") files.push_back(entry.path());
  }
  return files;
}

// The byte range of the properties block and its trailer (the test's own
// reading of the metaindex entry, independent of the code under test).
std::pair<size_t, size_t> PropertiesBlock(const std::string& bytes) {
  const std::string name = "rocksdb.properties";
  size_t pos = bytes.rfind(name) + name.size();
  auto varint = [&] {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const auto byte = static_cast<uint8_t>(bytes[pos++]);
      value |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) break;
    }
    return value;
  };
  const uint64_t offset = varint();
  return {offset, offset + varint() + 5};
}

class TableCheckTest : public ::testing::Test {
 protected:
  // The golden database of format version 2 (made by make_golden_db.cc):
  // its table files hold written and bulk-loaded (ingested, with a global
  // sequence number rewritten in place) records. Format version 3's bulk
  // loads write segments and ingest nothing, but databases of older
  // versions are opened (to be migrated) with such files.
  void SetUp() override {
    std::filesystem::copy(SEMHASH_GOLDEN_DB_V2, db_path(),
                          std::filesystem::copy_options::recursive);
  }

  std::string db_path() const { return dir_.Sub("db"); }

  TempDir dir_;
};

TEST_F(TableCheckTest, EveryTableOfAHealthyDatabasePasses) {
  const std::vector<std::string> files = TableFiles(db_path());
  ASSERT_FALSE(files.empty());
  int rewritten = 0;
  for (const std::string& file : files) {
    const Status check = CheckTableFile(file);
    EXPECT_TRUE(check.ok()) << check.ToString();
    const std::string bytes = ReadFile(file);
    const size_t at = bytes.find(kGlobalSeqno);
    if (at != std::string::npos && bytes.substr(at + sizeof(kGlobalSeqno) - 1,
                                                8) != std::string(8, '\0')) {
      ++rewritten;
    }
  }
  // The ingested files carry a nonzero global sequence number, which their
  // checksum does not cover: the check must accept them too.
  EXPECT_GT(rewritten, 0);
}

// But for an ingested file's global sequence number, which no checksum
// covers (RocksDB rewrites it in place).
TEST_F(TableCheckTest, EveryFlipInAPropertiesBlockIsCorruption) {
  bool flipped_every_byte = false;
  for (const std::string& file : TableFiles(db_path())) {
    const std::string pristine = ReadFile(file);
    const auto [begin, end] = PropertiesBlock(pristine);
    ASSERT_LT(begin, end);
    const size_t seqno = pristine.find(kGlobalSeqno);
    const size_t seqno_value = seqno == std::string::npos
                                   ? pristine.size()
                                   : seqno + sizeof(kGlobalSeqno) - 1;
    // Every byte of one ingested file's block (with the global sequence
    // number), 48 spread over each other one's.
    const bool every_byte = seqno != std::string::npos && !flipped_every_byte;
    flipped_every_byte |= every_byte;
    const size_t stride =
        every_byte ? 1 : std::max<size_t>((end - begin) / 48, 1);
    for (size_t offset = begin; offset < end; offset += stride) {
      if (offset >= seqno_value && offset < seqno_value + 8) continue;
      std::string damaged = pristine;
      damaged[offset] = static_cast<char>(damaged[offset] ^ 0x01);
      WriteFile(file, damaged);
      const Status s = CheckTableFile(file);
      ASSERT_TRUE(s.IsCorruption()) << file << " offset " << offset;
      EXPECT_NE(s.message().find("properties block"), std::string::npos)
          << s.ToString();
    }
    WriteFile(file, pristine);
  }
  EXPECT_TRUE(flipped_every_byte);
}

// RocksDB 7.8 aborts (an assertion) opening a table whose properties block's
// restart count has its top bit set; semhash refuses the database first.
TEST_F(TableCheckTest, DamagedPropertiesBlockRefusesTheOpen) {
  const std::string file = TableFiles(db_path()).front();
  std::string bytes = ReadFile(file);
  const size_t last = PropertiesBlock(bytes).second - 6;
  bytes[last] = static_cast<char>(bytes[last] ^ 0x80);
  WriteFile(file, bytes);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), db_path(), &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(std::filesystem::path(file).filename().string()),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(db, nullptr);
}

TEST_F(TableCheckTest, DamagedMetaindexIsCorruption) {
  const std::string file = TableFiles(db_path()).front();
  std::string bytes = ReadFile(file);
  const size_t at = bytes.rfind("rocksdb.properties");
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  WriteFile(file, bytes);
  const Status s = CheckTableFile(file);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("metaindex block"), std::string::npos)
      << s.ToString();
}

// A table cut short (a crash during a flush, before RocksDB named it) has
// no footer: not this check's business.
TEST_F(TableCheckTest, TableWithoutAFooterIsLeftToRocksDB) {
  const std::string file = TableFiles(db_path()).front();
  const std::string bytes = ReadFile(file);
  WriteFile(file, bytes.substr(0, bytes.size() / 2));
  EXPECT_TRUE(CheckTableFile(file).ok());
}

}  // namespace
}  // namespace semhash

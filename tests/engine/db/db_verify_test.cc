// DB::Verify: a sound database passes; each broken invariant and each
// damaged value or table file is reported with its keys decoded.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/db/rocksdb_store.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::DiskOnly;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenOrDie(path(), CreateOptions(8, 64));
    ASSERT_NE(db, nullptr);
    std::mt19937_64 rng(3);
    WriteBatch batch;
    for (uint64_t id = 0; id < 300; ++id) {
      batch.Put(id, Address(id % 7), RandomCode(&rng, 8));
    }
    ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
    ASSERT_TRUE(db->Delete(WriteOptions(), 10).ok());
  }

  std::string path() const { return dir_.Sub("db"); }

  // Runs `change` on the raw RocksDB database under the semhash one.
  template <typename Change>
  void Tamper(Change change) {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, path(), &store).ok());
    change(store.get());
  }

  VerifyReport VerifyExpectingProblems() {
    auto db = OpenOrDie(path(), DiskOnly());
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
};

TEST_F(VerifyTest, SoundDatabasePasses) {
  auto db = OpenOrDie(path());
  VerifyReport report;
  const Status s = db->Verify(VerifyOptions(), &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.images, 299u);
  EXPECT_EQ(report.posting_entries, 299u);
  EXPECT_EQ(report.addresses, 7u);
  EXPECT_EQ(report.tails, 7u);
  EXPECT_GT(report.bytes_checked, 299u * 8);
  EXPECT_TRUE(report.problems.empty());
}

TEST_F(VerifyTest, FlippedByteInAPostingChunk) {
  Tamper([](RocksDBStore* store) {
    const std::string key = format::EncodePostingKey({0, 3, 0});
    std::string value;
    ASSERT_TRUE(
        store->db()
            ->Get(rocksdb::ReadOptions(), store->postings(), key, &value)
            .ok());
    value[40] ^= 1;
    ASSERT_TRUE(
        store->db()
            ->Put(rocksdb::WriteOptions(), store->postings(), key, value)
            .ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, "address 3 chunk 0")) << report.problems[0];
}

TEST_F(VerifyTest, FlippedByteInAnIdRecord) {
  Tamper([](RocksDBStore* store) {
    const std::string key = format::EncodeIdKey(42);
    std::string value;
    ASSERT_TRUE(store->db()
                    ->Get(rocksdb::ReadOptions(), store->ids(), key, &value)
                    .ok());
    value[value.size() / 2] ^= 0x10;
    ASSERT_TRUE(store->db()
                    ->Put(rocksdb::WriteOptions(), store->ids(), key, value)
                    .ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, "id 42")) << report.problems[0];
}

TEST_F(VerifyTest, IdListedTwiceAndIdWithoutRecord) {
  Tamper([](RocksDBStore* store) {
    // Id 7 (address 0) also listed at address 5; id 10 (deleted) at 6.
    const uint8_t code[8] = {};
    rocksdb::WriteBatch batch;
    batch.Merge(store->postings(), format::EncodePostingKey({0, 5, 0}),
                format::EncodeAddOperand(7, CodeView(code, 8)));
    batch.Merge(store->postings(), format::EncodePostingKey({0, 6, 0}),
                format::EncodeAddOperand(10, CodeView(code, 8)));
    ASSERT_TRUE(store->db()->Write(rocksdb::WriteOptions(), &batch).ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_EQ(report.problem_count, 2u);
  EXPECT_TRUE(Mentions(report, "id 7 is listed"));
  EXPECT_TRUE(Mentions(report,
                       "id 10 is listed at address 6 chunk 0 but has "
                       "no id record"));
}

TEST_F(VerifyTest, RecordNamingAnotherChunkOrCodeOrNoList) {
  Tamper([](RocksDBStore* store) {
    auto rewrite = [&](uint64_t id, auto edit) {
      const std::string key = format::EncodeIdKey(id);
      std::string value;
      ASSERT_TRUE(store->db()
                      ->Get(rocksdb::ReadOptions(), store->ids(), key, &value)
                      .ok());
      format::IdRecord record;
      ASSERT_TRUE(format::DecodeIdRecord(value, &record).ok());
      edit(&record);
      ASSERT_TRUE(store->db()
                      ->Put(rocksdb::WriteOptions(), store->ids(), key,
                            format::EncodeIdRecord(record))
                      .ok());
    };
    rewrite(1, [](format::IdRecord* r) { r->chunks[0] = 9; });
    rewrite(2, [](format::IdRecord* r) { r->code[0] ^= 0xff; });
    // Id 3's entry removed from its list: its record points nowhere.
    ASSERT_TRUE(store->db()
                    ->Merge(rocksdb::WriteOptions(), store->postings(),
                            format::EncodePostingKey({0, 3, 0}),
                            format::EncodeRemoveOperand(3))
                    .ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_EQ(report.problem_count, 3u);
  EXPECT_TRUE(Mentions(report,
                       "id 1 is listed at address 1 chunk 0 but its "
                       "record names address 1 chunk 9"));
  EXPECT_TRUE(Mentions(report, "id 2: the code at address 2 chunk 0 differs"));
  EXPECT_TRUE(Mentions(report, "id 3 (address 3 chunk 0) is in no posting"));
}

TEST_F(VerifyTest, MissingTailIsReported) {
  Tamper([](RocksDBStore* store) {
    ASSERT_TRUE(store->db()
                    ->Delete(rocksdb::WriteOptions(), store->tails(),
                             format::EncodeAddressPrefix(0, 4))
                    .ok());
  });
  const VerifyReport report = VerifyExpectingProblems();
  EXPECT_TRUE(Mentions(report, "address 4 has posting chunks but no tail"));
}

TEST_F(VerifyTest, FlippedByteInATableFile) {
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

TEST_F(VerifyTest, ProblemListIsCappedButCounted) {
  Tamper([](RocksDBStore* store) {
    const uint8_t code[8] = {};
    rocksdb::WriteBatch batch;
    for (uint64_t id = 1000; id < 1010; ++id) {
      batch.Merge(store->postings(), format::EncodePostingKey({0, 2, 0}),
                  format::EncodeAddOperand(id, CodeView(code, 8)));
    }
    ASSERT_TRUE(store->db()->Write(rocksdb::WriteOptions(), &batch).ok());
  });
  auto db = OpenOrDie(path());
  VerifyOptions options;
  options.max_problems = 4;
  options.memory_bytes = 1 << 10;  // Spills the id sort too.
  VerifyReport report;
  const Status s = db->Verify(options, &report);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.ToString().find("and 9 more problems"), std::string::npos);
  EXPECT_EQ(report.problem_count, 10u);
  EXPECT_EQ(report.problems.size(), 4u);
}

}  // namespace
}  // namespace semhash

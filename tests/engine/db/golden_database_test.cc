// The golden database of format version 1 (tests/data/format-v1/, made by
// make_golden_db.cc): today's code opens it read-only and read-write, finds
// every image golden_database.h says it holds (those in table files and
// those only in its write-ahead log), answers exact searches as brute force
// over that content does, verifies it sound, and encodes with its stored
// model as a freshly trained one does. A change that cannot read it must
// bump the format version and keep a reader for version 1.
#include "tests/engine/golden_database.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "semhash/db.h"
#include "semhash/maintenance.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::GoldenContents;
using testing::GoldenImage;
using testing::TempDir;

class GoldenDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::copy(SEMHASH_GOLDEN_DB_V1, copy()); }
  std::string copy() const { return dir_.Sub("format-v1"); }

  // SearchExact for a few stored codes against brute force: the distances
  // of the 10 nearest (ids may tie).
  static void ExpectExactSearchesMatch(
      DB* db, const std::map<uint64_t, GoldenImage>& expected) {
    int queries = 0;
    for (const auto& [id, query] : expected) {
      if (id % 31 != 1) continue;
      std::vector<uint32_t> distances;
      for (const auto& [other, image] : expected) {
        distances.push_back(HammingDistance(query.code, image.code));
      }
      std::sort(distances.begin(), distances.end());
      distances.resize(10);
      SearchResult result;
      ASSERT_TRUE(db->SearchExact(query.code, 10, &result).ok());
      std::vector<uint32_t> got;
      for (const Neighbor& n : result.neighbors) got.push_back(n.distance);
      EXPECT_EQ(got, distances) << "query " << id;
      ++queries;
    }
    EXPECT_GT(queries, 5);
  }

  static uint32_t HammingDistance(const std::vector<uint8_t>& a,
                                  const std::vector<uint8_t>& b) {
    uint32_t d = 0;
    for (size_t i = 0; i < a.size(); ++i) d += __builtin_popcount(a[i] ^ b[i]);
    return d;
  }

  TempDir dir_;
};

TEST_F(GoldenDatabaseTest, FormatVersion1OpensAndAnswersAsWritten) {
  const std::map<uint64_t, GoldenImage> expected = GoldenContents();
  for (bool read_only : {true, false}) {
    Options options;
    options.read_only = read_only;
    std::unique_ptr<DB> db;
    const Status s = DB::Open(options, copy(), &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(db->info().format_version, 1u);
    EXPECT_EQ(db->info().address_bits, testing::kGoldenAddressBits);
    EXPECT_EQ(db->info().code_bits, testing::kGoldenCodeBits);
    EXPECT_EQ(db->info().mih_tables, testing::kGoldenMihTables);
    EXPECT_TRUE(testing::StoredImages(db.get()) == expected)
        << "read_only " << read_only;
    Record record;
    ASSERT_TRUE(db->Get(23, &record).ok());
    EXPECT_EQ(record.payload, "img/23-2.png");
    EXPECT_TRUE(db->Get(34, &record).IsNotFound());
    ExpectExactSearchesMatch(db.get(), expected);
    VerifyReport report;
    ASSERT_TRUE(db->Verify(VerifyOptions(), &report).ok());
    EXPECT_EQ(report.problem_count, 0u);
    EXPECT_EQ(report.images, expected.size());
  }
}

// Format version 1 has no segment: a read-only open builds the index in
// memory and writes nothing; a read-write open writes the first segment
// (format version 2), which later opens map, answering the same.
TEST_F(GoldenDatabaseTest, FormatVersion1MigratesOnAReadWriteOpen) {
  const std::map<uint64_t, GoldenImage> expected = GoldenContents();
  auto listing = [&] {
    std::map<std::string, uint64_t> files;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(copy())) {
      if (entry.is_regular_file()) {
        files[entry.path().string()] = entry.file_size();
      }
    }
    return files;
  };
  const auto before = listing();
  Options read_only;
  read_only.read_only = true;
  {
    auto db = testing::OpenOrDie(copy(), read_only);
    ASSERT_NE(db, nullptr);
    ExpectExactSearchesMatch(db.get(), expected);
  }
  EXPECT_EQ(listing(), before);
  EXPECT_FALSE(std::filesystem::exists(copy() + "/segments"));
  { ASSERT_NE(testing::OpenOrDie(copy()), nullptr); }
  EXPECT_TRUE(std::filesystem::exists(copy() + "/segments/000001.seg"));
  for (bool ro : {true, false}) {
    auto db = testing::OpenOrDie(copy(), ro ? read_only : Options());
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->info().format_version, 2u);
    EXPECT_TRUE(testing::StoredImages(db.get()) == expected);
    ExpectExactSearchesMatch(db.get(), expected);
    VerifyReport report;
    const Status s = db->Verify(VerifyOptions(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST_F(GoldenDatabaseTest, StoredModelEncodesAsAFreshlyTrainedOne) {
  Options options;
  options.read_only = true;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, copy(), &db).ok());
  ASSERT_NE(db->encoder(), nullptr);
  EXPECT_EQ(db->encoder()->kind(), "lsh");
  const std::vector<float> train =
      testing::GoldenVectors(testing::kGoldenTrainingRows, 1);
  std::unique_ptr<Encoder> fresh;
  ASSERT_TRUE(TrainEncoder(testing::GoldenEncoderOptions(),
                           testing::kGoldenTrainingRows, train.data(),
                           testing::kGoldenDim, &fresh)
                  .ok());
  const size_t n = 50;
  const std::vector<float> x = testing::GoldenVectors(n, 2);
  std::vector<Address> a(n), b(n);
  std::vector<uint8_t> ca(n * testing::kGoldenCodeBits / 8), cb(ca.size());
  ASSERT_TRUE(
      db->encoder()
          ->Encode(n, x.data(), testing::kGoldenDim, a.data(), ca.data())
          .ok());
  ASSERT_TRUE(
      fresh->Encode(n, x.data(), testing::kGoldenDim, b.data(), cb.data())
          .ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(ca, cb);
}

}  // namespace
}  // namespace semhash

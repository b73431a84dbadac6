// The golden databases of format versions 1 and 2 (tests/data/format-v1/
// and format-v2/, made by make_golden_db.cc with the code of their
// versions): today's code refuses to open them read-only, migrates them to
// version 3 when opened read-write, then finds every image
// golden_database.h says they hold (those in table files and those only in
// their write-ahead logs), answers exact searches as brute force over that
// content does, verifies them sound, and encodes with the stored model as a
// freshly trained one does.
#include "tests/engine/golden_database.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

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

// The parameter is the format version of the golden database.
class GoldenDatabaseTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    std::filesystem::copy(
        GetParam() == 1 ? SEMHASH_GOLDEN_DB_V1 : SEMHASH_GOLDEN_DB_V2, copy(),
        std::filesystem::copy_options::recursive);
  }
  std::string copy() const { return dir_.Sub("golden"); }

  // Every file under the copy, with its size.
  std::map<std::string, uint64_t> Listing() const {
    std::map<std::string, uint64_t> files;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(copy())) {
      if (entry.is_regular_file()) {
        files[entry.path().string()] = entry.file_size();
      }
    }
    return files;
  }

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

// A read-only open of a database of an older format changes nothing and
// is refused, naming the read-write open that migrates it.
TEST_P(GoldenDatabaseTest,
       ReadOnlyOpenOfAnOlderFormatIsRefusedNamingTheMigration) {
  const auto before = Listing();
  Options read_only;
  read_only.read_only = true;
  std::unique_ptr<DB> db;
  const Status s = DB::Open(read_only, copy(), &db);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.ToString().find("format version " + std::to_string(GetParam())),
            std::string::npos)
      << s.ToString();
  EXPECT_NE(s.ToString().find("read-write"), std::string::npos) << s.ToString();
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(Listing(), before);
}

// A read-write open migrates it to format version 3: one segment holds
// every code, `payloads` the payloads, the retired column families are
// gone, and every later open answers as the database was written.
TEST_P(GoldenDatabaseTest, ReadWriteOpenMigratesToVersion3) {
  const std::map<uint64_t, GoldenImage> expected = GoldenContents();
  { ASSERT_NE(testing::OpenOrDie(copy()), nullptr); }
  std::vector<std::string> families;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), copy(), &families)
          .ok());
  std::sort(families.begin(), families.end());
  EXPECT_EQ(families,
            (std::vector<std::string>{"changes", "default", "payloads"}));
  size_t segments = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(copy() + "/segments")) {
    EXPECT_EQ(entry.path().extension(), ".seg");
    ++segments;
  }
  EXPECT_EQ(segments, 1u);
  for (bool read_only : {true, false}) {
    Options options;
    options.read_only = read_only;
    auto db = testing::OpenOrDie(copy(), options);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->info().format_version, 3u);
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
    const Status s = db->Verify(VerifyOptions(), &report);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(report.problem_count, 0u);
    EXPECT_EQ(report.images, expected.size());
    EXPECT_EQ(report.segment_rows, expected.size());
    EXPECT_EQ(report.changes, 0u);
  }
}

TEST_P(GoldenDatabaseTest, StoredModelEncodesAsAFreshlyTrainedOne) {
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(Options(), copy(), &db).ok());
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

INSTANTIATE_TEST_SUITE_P(FormatVersions, GoldenDatabaseTest,
                         ::testing::Values(1u, 2u), [](const auto& info) {
                           return "V" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace semhash

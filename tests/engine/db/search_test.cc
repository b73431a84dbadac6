// Search and SearchExact against a brute-force oracle computed in the test,
// on each path: RocksDB, the in-memory index's delta (images written after
// the open) and its base (images read at the open).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "semhash/db.h"
#include "tests/engine/oracle.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::BallOracle;
using testing::BallSize;
using testing::CreateOptions;
using testing::NoisyCopy;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;
using testing::WithinOracle;

constexpr uint32_t kAddressBits = 10;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;
constexpr size_t kK = 10;

// Where the searches read the images.
enum class Where { kDisk, kMemoryDelta, kMemoryBase };

class SearchTest : public ::testing::TestWithParam<std::tuple<bool, Where>> {
 protected:
  // Random codes, or clustered ones (noisy copies of a few centres), with the
  // address taken from the code's first bits.
  void SetUp() override {
    const Where where = std::get<1>(GetParam());
    Options options = CreateOptions(kAddressBits, kCodeBits);
    if (where == Where::kDisk) options = testing::DiskOnly(options);
    db_ = OpenOrDie(dir_.Sub("db"), options);
    ASSERT_NE(db_, nullptr);
    const bool clustered = std::get<0>(GetParam());
    std::vector<std::vector<uint8_t>> centres;
    for (int c = 0; c < 40; ++c)
      centres.push_back(RandomCode(&rng_, kCodeBytes));
    WriteBatch batch;
    for (uint64_t i = 0; i < 2000; ++i) {
      const uint64_t id = i * 7919 % 100003;  // ids not in insertion order
      auto code = clustered
                      ? NoisyCopy(centres[i % centres.size()], 0.04, &rng_)
                      : RandomCode(&rng_, kCodeBytes);
      const Address address = AddressFromCode(code, kAddressBits);
      images_.push_back({id, address, code});
      batch.Put(id, address, code);
    }
    ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
    if (where == Where::kMemoryBase) {
      db_.reset();
      db_ = OpenOrDie(dir_.Sub("db"));
    }
    for (int q = 0; q < 12; ++q) {
      const auto& base =
          clustered ? centres[q % centres.size()] : images_[q * 37].code;
      queries_.push_back(NoisyCopy(base, 0.03, &rng_));
    }
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
  std::mt19937_64 rng_{17};
  std::vector<testing::StoredImage> images_;
  std::vector<std::vector<uint8_t>> queries_;
};

TEST_P(SearchTest, EveryRadiusMatchesTheOracle) {
  for (const auto& query : queries_) {
    const Address address = AddressFromCode(query, kAddressBits);
    for (uint32_t radius = 0; radius <= 4; ++radius) {
      SearchOptions options;
      options.max_radius = radius;
      options.min_candidates = images_.size() + 1;  // never stop early
      SearchResult result;
      ASSERT_TRUE(db_->Search(options, address, query, kK, &result).ok());
      size_t candidates;
      const auto expected =
          BallOracle(images_, address, radius, query, kK, &candidates);
      EXPECT_EQ(result.neighbors, expected) << "radius " << radius;
      EXPECT_EQ(result.stats.radius_reached, radius);
      EXPECT_EQ(result.stats.candidates_reranked, candidates);
      EXPECT_EQ(result.stats.addresses_probed, BallSize(kAddressBits, radius));
      EXPECT_LE(result.stats.addresses_occupied, result.stats.addresses_probed);
      EXPECT_EQ(result.stats.path, SearchPath::kMemoryProbe);
    }
  }
}

TEST_P(SearchTest, ResultsAreDistinctWithCorrectDistances) {
  std::map<uint64_t, const testing::StoredImage*> by_id;
  for (const auto& image : images_) by_id[image.id] = &image;
  for (const auto& query : queries_) {
    SearchResult result;
    ASSERT_TRUE(db_->Search(SearchOptions(),
                            AddressFromCode(query, kAddressBits), query, 50,
                            &result)
                    .ok());
    std::set<uint64_t> seen;
    for (const Neighbor& n : result.neighbors) {
      EXPECT_TRUE(seen.insert(n.id).second) << "duplicate id " << n.id;
      ASSERT_TRUE(by_id.count(n.id)) << "unknown id " << n.id;
      EXPECT_EQ(n.distance, HammingDistance(query, by_id[n.id]->code));
    }
  }
}

TEST_P(SearchTest, FullBallEqualsSearchExact) {
  for (const auto& query : queries_) {
    SearchOptions options;
    options.max_radius = kAddressBits;
    options.min_candidates = images_.size() + 1;
    SearchResult probe, exact;
    ASSERT_TRUE(db_->Search(options, AddressFromCode(query, kAddressBits),
                            query, kK, &probe)
                    .ok());
    ASSERT_TRUE(db_->SearchExact(query, kK, &exact).ok());
    size_t candidates;
    EXPECT_EQ(exact.neighbors,
              BallOracle(images_, 0, kAddressBits, query, kK, &candidates));
    EXPECT_EQ(probe.neighbors, exact.neighbors);
    EXPECT_EQ(probe.stats.candidates_reranked, images_.size());
    EXPECT_EQ(exact.stats.candidates_reranked, images_.size());
  }
}

TEST_P(SearchTest, RecallNeverFallsAsTheRadiusGrows) {
  for (const auto& query : queries_) {
    SearchResult exact;
    ASSERT_TRUE(db_->SearchExact(query, kK, &exact).ok());
    std::set<uint64_t> truth;
    for (const auto& n : exact.neighbors) truth.insert(n.id);
    size_t previous = 0;
    for (uint32_t radius = 0; radius <= kAddressBits; ++radius) {
      SearchOptions options;
      options.max_radius = radius;
      options.min_candidates = images_.size() + 1;
      SearchResult result;
      ASSERT_TRUE(db_->Search(options, AddressFromCode(query, kAddressBits),
                              query, kK, &result)
                      .ok());
      size_t found = 0;
      for (const auto& n : result.neighbors) found += truth.count(n.id);
      EXPECT_GE(found, previous) << "radius " << radius;
      previous = found;
    }
    EXPECT_EQ(previous, truth.size());
  }
}

TEST_P(SearchTest, StopsAtTheFirstRadiusWithEnoughCandidates) {
  const auto& query = queries_[0];
  const Address address = AddressFromCode(query, kAddressBits);
  SearchOptions options;
  options.max_radius = kAddressBits;
  options.min_candidates = 150;
  SearchResult result;
  ASSERT_TRUE(db_->Search(options, address, query, kK, &result).ok());
  EXPECT_GE(result.stats.candidates_reranked, 150u);
  const uint32_t r = result.stats.radius_reached;
  size_t candidates;
  BallOracle(images_, address, r, query, kK, &candidates);
  EXPECT_EQ(candidates, result.stats.candidates_reranked);
  if (r > 0) {
    BallOracle(images_, address, r - 1, query, kK, &candidates);
    EXPECT_LT(candidates, 150u) << "a smaller radius already had enough";
  }
}

// max_candidates re-ranks exactly that many live images (fewer only when
// the ball holds fewer), each at its true distance and inside the ball
// probed so far; a limit the ball never reaches changes nothing.
TEST_P(SearchTest, MaxCandidatesBoundsTheImagesReranked) {
  std::map<uint64_t, const testing::StoredImage*> by_id;
  for (const auto& image : images_) by_id[image.id] = &image;
  // Deleted images hold no place under the limit (on disk they are gone;
  // in memory they are dead rows or delta deletions).
  std::set<uint64_t> deleted;
  for (size_t i = 0; i < images_.size(); i += 9) {
    ASSERT_TRUE(db_->Delete(WriteOptions(), images_[i].id).ok());
    deleted.insert(images_[i].id);
  }
  const size_t live = images_.size() - deleted.size();
  for (const auto& query : queries_) {
    const Address address = AddressFromCode(query, kAddressBits);
    SearchOptions full;
    full.max_radius = kAddressBits;
    full.min_candidates = images_.size() + 1;
    SearchResult all;
    ASSERT_TRUE(db_->Search(full, address, query, kK, &all).ok());
    ASSERT_EQ(all.stats.candidates_reranked, live);
    for (size_t limit : {size_t{1}, size_t{37}, size_t{400}}) {
      SearchOptions capped = full;
      capped.max_candidates = limit;
      SearchResult result;
      ASSERT_TRUE(db_->Search(capped, address, query, kK, &result).ok());
      EXPECT_EQ(result.stats.candidates_reranked, limit);
      ASSERT_EQ(result.neighbors.size(), std::min(kK, limit));
      for (size_t i = 0; i < result.neighbors.size(); ++i) {
        const Neighbor& n = result.neighbors[i];
        ASSERT_TRUE(by_id.count(n.id)) << "unknown id " << n.id;
        EXPECT_EQ(deleted.count(n.id), 0u) << "deleted id " << n.id;
        EXPECT_EQ(n.distance, HammingDistance(query, by_id[n.id]->code));
        EXPECT_LE(std::popcount(by_id[n.id]->address ^ address),
                  static_cast<int>(result.stats.radius_reached));
        // A subset of the full ball's candidates cannot rank better.
        EXPECT_GE(n.distance, all.neighbors[i].distance);
      }
    }
    SearchOptions roomy = full;
    roomy.max_candidates = live;
    SearchResult same;
    ASSERT_TRUE(db_->Search(roomy, address, query, kK, &same).ok());
    EXPECT_EQ(same.neighbors, all.neighbors);
    EXPECT_EQ(same.stats.candidates_reranked, live);
  }
}

// Issue 16, finding 4: a k far beyond the database (SIZE_MAX reserved room
// for k results and threw length_error out of the library) is the whole
// database, on every search entry point.
TEST_P(SearchTest, HugeKIsTheWholeDatabaseNotAnException) {
  std::vector<uint8_t> codes;
  std::vector<Address> addresses;
  for (const auto& query : queries_) {
    codes.insert(codes.end(), query.begin(), query.end());
    addresses.push_back(AddressFromCode(query, kAddressBits));
  }
  for (size_t k : {images_.size() + 1, size_t{10'000'000'000}, SIZE_MAX}) {
    SearchOptions options;
    options.max_radius = kAddressBits;
    std::vector<SearchResult> batch, exact_batch;
    ASSERT_TRUE(db_->SearchBatch(options, queries_.size(), addresses.data(),
                                 codes.data(), k, 2, &batch)
                    .ok());
    ASSERT_TRUE(
        db_->SearchExactBatch(queries_.size(), codes.data(), k, 2, &exact_batch)
            .ok());
    for (size_t q = 0; q < queries_.size(); ++q) {
      size_t candidates;
      const auto all =
          BallOracle(images_, 0, kAddressBits, queries_[q], k, &candidates);
      ASSERT_EQ(all.size(), images_.size());
      SearchResult probe, exact;
      ASSERT_TRUE(
          db_->Search(options, addresses[q], queries_[q], k, &probe).ok());
      ASSERT_TRUE(db_->SearchExact(queries_[q], k, &exact).ok());
      EXPECT_EQ(probe.neighbors, all) << "k " << k;
      EXPECT_EQ(exact.neighbors, all) << "k " << k;
      EXPECT_EQ(batch[q].neighbors, all) << "k " << k;
      EXPECT_EQ(exact_batch[q].neighbors, all) << "k " << k;
    }
  }
}

// Issue 16, finding 5: SearchRadius(code, UINT32_MAX) returned nothing from
// memory (radius + 1 wrapped to 0) and everything from disk. A radius at or
// past the code's width is every image, on every path.
TEST_P(SearchTest, RadiusAtOrPastTheCodeWidthIsEveryImage) {
  for (const auto& query : queries_) {
    const auto all = WithinOracle(images_, query, kCodeBits);
    ASSERT_EQ(all.size(), images_.size());
    for (uint32_t radius :
         {kCodeBits, kCodeBits + 1, UINT32_MAX - 1, UINT32_MAX}) {
      SearchResult result;
      ASSERT_TRUE(db_->SearchRadius(query, radius, &result).ok());
      EXPECT_EQ(result.neighbors, all) << "radius " << radius;
    }
    SearchResult within;
    ASSERT_TRUE(db_->SearchRadius(query, kCodeBits / 3, &within).ok());
    EXPECT_EQ(within.neighbors, WithinOracle(images_, query, kCodeBits / 3));
  }
}

std::string ParamName(
    const ::testing::TestParamInfo<std::tuple<bool, Where>>& info) {
  static const char* const kWhere[] = {"Disk", "MemoryDelta", "MemoryBase"};
  return std::string(std::get<0>(info.param) ? "Clustered" : "Random") +
         kWhere[int(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(
    Codes, SearchTest,
    ::testing::Combine(::testing::Bool(),
                       ::testing::Values(Where::kDisk, Where::kMemoryDelta,
                                         Where::kMemoryBase)),
    ParamName);

TEST(Search, EmptyDatabaseAndZeroK) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  const std::vector<uint8_t> query(kCodeBytes, 0);
  SearchResult result;
  ASSERT_TRUE(db->Search(SearchOptions(), 0, query, kK, &result).ok());
  EXPECT_TRUE(result.neighbors.empty());
  EXPECT_EQ(result.stats.radius_reached, 3u);
  ASSERT_TRUE(db->Put(WriteOptions(), 1, 0, query).ok());
  ASSERT_TRUE(db->Search(SearchOptions(), 0, query, 0, &result).ok());
  EXPECT_TRUE(result.neighbors.empty());
  EXPECT_EQ(result.stats.candidates_reranked, 1u);
  EXPECT_TRUE(
      db->Search(SearchOptions(), 1u << kAddressBits, query, kK, &result)
          .IsInvalidArgument());
}

TEST(Search, ThirtyTwoBitAddresses) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(32, 64));
  std::mt19937_64 rng(1);
  const auto code = RandomCode(&rng, 8);
  ASSERT_TRUE(db->Put(WriteOptions(), 5, 0xFFFFFFFE, code).ok());
  SearchOptions options;
  options.max_radius = 1;
  SearchResult result;
  ASSERT_TRUE(db->Search(options, 0xFFFFFFFF, code, 3, &result).ok());
  ASSERT_EQ(result.neighbors.size(), 1u);
  EXPECT_EQ(result.neighbors[0], (Neighbor{5, 0}));
  EXPECT_EQ(result.stats.addresses_probed, 33u);
}

}  // namespace
}  // namespace semhash

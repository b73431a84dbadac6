// Every instruction set's Hamming kernels against the scalar ones, and the
// top-k selector against a std::sort oracle.
#include "engine/db/hamming_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "engine/db/hamming_top_k.h"
#include "semhash/codes.h"

namespace semhash {
namespace {

constexpr size_t kCodeBytes[] = {1, 3, 8, 12, 16, 24, 32, 40, 64, 100, 128};
constexpr size_t kCounts[] = {0, 1, 7, 8, 15, 16, 17, 33, 1000};

std::vector<uint8_t> RandomBytes(size_t n, std::mt19937_64* rng) {
  std::vector<uint8_t> bytes(n);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>((*rng)());
  return bytes;
}

const HammingKernels& Scalar() { return *HammingKernelsFor(Isa::kScalar); }

class HammingKernelsTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    kernels_ = HammingKernelsFor(GetParam());
    if (kernels_ == nullptr) {
      GTEST_SKIP() << "this CPU lacks " << IsaName(GetParam());
    }
  }

  const HammingKernels* kernels_ = nullptr;
};

TEST(HammingKernels, ScalarAlwaysAvailableAndBestIsSupported) {
  ASSERT_NE(HammingKernelsFor(Isa::kScalar), nullptr);
  EXPECT_EQ(HammingKernelsFor(BestHammingKernels().isa), &BestHammingKernels());
}

TEST(HammingKernels, ScalarMatchesHammingDistance) {
  std::mt19937_64 rng(7);
  for (size_t bytes : kCodeBytes) {
    const auto query = RandomBytes(bytes, &rng);
    const auto codes = RandomBytes(bytes * 50, &rng);
    std::vector<uint32_t> out(50);
    Scalar().distances(query.data(), codes.data(), 50, bytes, out.data());
    for (size_t i = 0; i < 50; ++i) {
      EXPECT_EQ(out[i], HammingDistance(
                            query, CodeView(codes.data() + i * bytes, bytes)));
    }
  }
}

TEST_P(HammingKernelsTest, DistancesEqualScalarAtAnyLengthAndAlignment) {
  std::mt19937_64 rng(42);
  for (size_t bytes : kCodeBytes) {
    for (size_t n : kCounts) {
      for (size_t offset : {0, 1, 3}) {  // Unaligned query, codes and out.
        const auto query = RandomBytes(bytes + offset, &rng);
        auto codes = RandomBytes(bytes * n + offset, &rng);
        if (n > 1)
          std::memcpy(codes.data() + offset, query.data() + offset,
                      bytes);  // 0.
        std::vector<uint32_t> want(n + 1), got(n + 1, 12345);
        Scalar().distances(query.data() + offset, codes.data() + offset, n,
                           bytes, want.data());
        kernels_->distances(query.data() + offset, codes.data() + offset, n,
                            bytes, got.data() + (offset != 0));
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(got[i + (offset != 0)], want[i])
              << "bytes " << bytes << " n " << n << " offset " << offset
              << " i " << i;
        }
      }
    }
  }
}

TEST_P(HammingKernelsTest, ExtremeDistances) {
  for (size_t bytes : kCodeBytes) {
    const std::vector<uint8_t> zeros(bytes * 20, 0), ones(bytes * 20, 0xff);
    std::vector<uint32_t> out(20);
    kernels_->distances(zeros.data(), ones.data(), 20, bytes, out.data());
    for (uint32_t d : out) EXPECT_EQ(d, bytes * 8);
    kernels_->distances(ones.data(), ones.data(), 20, bytes, out.data());
    for (uint32_t d : out) EXPECT_EQ(d, 0u);
  }
}

TEST_P(HammingKernelsTest, BatchEqualsRepeatedSingle) {
  std::mt19937_64 rng(99);
  for (size_t bytes : kCodeBytes) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{33}, size_t{1000},
                     size_t{5000}}) {
      for (size_t m : {1, 3, 32}) {
        const auto queries = RandomBytes(bytes * m + 1, &rng);
        const auto codes = RandomBytes(bytes * n + 1, &rng);
        const size_t stride = n + 5;
        std::vector<uint32_t> got(m * stride, 777), want(n);
        kernels_->distances_batch(queries.data() + 1, m, codes.data() + 1, n,
                                  bytes, got.data(), stride);
        for (size_t q = 0; q < m; ++q) {
          Scalar().distances(queries.data() + 1 + q * bytes, codes.data() + 1,
                             n, bytes, want.data());
          for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(got[q * stride + i], want[i])
                << "bytes " << bytes << " n " << n << " m " << m << " q " << q
                << " i " << i;
          }
          for (size_t i = n; i < stride; ++i) {
            ASSERT_EQ(got[q * stride + i], 777u) << "wrote past n";
          }
        }
      }
    }
  }
}

TEST_P(HammingKernelsTest, BelowEqualsScalar) {
  std::mt19937_64 rng(5);
  for (size_t n : kCounts) {
    std::vector<uint32_t> distances(n + 1);
    for (uint32_t& d : distances) d = rng() % 300;
    for (uint32_t threshold : {0u, 1u, 100u, 150u, 300u, 0xffffffffu}) {
      std::vector<uint32_t> want(n + 1), got(n + 1);
      const size_t want_count =
          Scalar().below(distances.data() + 1, n, threshold, want.data());
      const size_t got_count =
          kernels_->below(distances.data() + 1, n, threshold, got.data());
      ASSERT_EQ(got_count, want_count);
      want.resize(want_count);
      got.resize(got_count);
      EXPECT_EQ(got, want) << "n " << n << " threshold " << threshold;
      for (uint32_t i : want) EXPECT_LT(distances[1 + i], threshold);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, HammingKernelsTest,
                         ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

// The k best by (distance, index): the rule TopK uses with ids.
std::vector<Neighbor> SortOracle(const std::vector<uint32_t>& distances,
                                 size_t k) {
  std::vector<Neighbor> all;
  for (size_t i = 0; i < distances.size(); ++i)
    all.push_back({i, distances[i]});
  std::sort(all.begin(), all.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  all.resize(std::min(k, all.size()));
  return all;
}

TEST_P(HammingKernelsTest, TopKEqualsSortOracleWithTies) {
  std::mt19937_64 rng(11);
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{33}, size_t{1000},
                   size_t{20000}}) {
    // Few distinct distances, so ties cross the k-th place.
    for (uint32_t spread : {1u, 4u, 257u}) {
      std::vector<uint32_t> distances(n);
      for (uint32_t& d : distances) d = rng() % spread;
      for (size_t k : {0, 1, 10, 100, 5000}) {
        HammingTopK top(k);
        for (size_t begin = 0; begin < n; begin += 300) {  // Uneven blocks.
          top.Offer(*kernels_, distances.data() + begin,
                    std::min<size_t>(300, n - begin), begin);
        }
        EXPECT_EQ(top.Take(), SortOracle(distances, k))
            << "n " << n << " spread " << spread << " k " << k;
      }
    }
  }
}

TEST_P(HammingKernelsTest, SearchBatchEqualsSortOracle) {
  std::mt19937_64 rng(23);
  for (size_t bytes : {size_t{8}, size_t{32}, size_t{40}}) {
    const size_t n = 3000, m = 5, k = 10;
    // Near-duplicate codes make many ties.
    auto codes = RandomBytes(n * bytes, &rng);
    for (size_t i = 0; i < n; i += 3) codes[i * bytes] = 0;
    const auto queries = RandomBytes(m * bytes, &rng);
    const auto results = HammingSearchBatch(*kernels_, queries.data(), m,
                                            codes.data(), n, bytes, k);
    ASSERT_EQ(results.size(), m);
    for (size_t q = 0; q < m; ++q) {
      std::vector<uint32_t> distances(n);
      Scalar().distances(queries.data() + q * bytes, codes.data(), n, bytes,
                         distances.data());
      EXPECT_EQ(results[q], SortOracle(distances, k)) << "query " << q;
    }
  }
}

}  // namespace
}  // namespace semhash

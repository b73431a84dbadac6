#include "engine/db/multi_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "semhash/codes.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::NoisyCopy;
using testing::RandomCode;

// Rows in clusters, some random and some exact duplicates (so distances
// tie), under ids that are a shuffle of row numbers: ties must go to the
// lower id, not the lower row.
struct Dataset {
  uint32_t code_bits = 0;
  size_t n = 0;
  std::vector<uint8_t> codes;
  std::vector<uint64_t> ids;
  std::vector<size_t> row_of_id;

  size_t code_bytes() const { return code_bits / 8; }
  const uint8_t* code(size_t row) const {
    return codes.data() + row * code_bytes();
  }
  CodeView view(const uint8_t* c) const { return {c, code_bytes()}; }
};

Dataset MakeDataset(size_t n, uint32_t code_bits, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Dataset data;
  data.code_bits = code_bits;
  data.n = n;
  std::vector<std::vector<uint8_t>> centres;
  for (int c = 0; c < 16; ++c) {
    centres.push_back(RandomCode(&rng, code_bits / 8));
  }
  for (size_t row = 0; row < n; ++row) {
    std::vector<uint8_t> code;
    const uint64_t kind = rng() % 10;
    if (kind == 0 || row == 0) {
      code = RandomCode(&rng, code_bits / 8);
    } else if (kind == 1) {
      const size_t earlier = rng() % row;
      code.assign(data.code(earlier), data.code(earlier) + code_bits / 8);
    } else {
      code =
          NoisyCopy(centres[rng() % centres.size()], 0.02 * (kind - 1), &rng);
    }
    data.codes.insert(data.codes.end(), code.begin(), code.end());
  }
  data.ids.resize(n);
  std::iota(data.ids.begin(), data.ids.end(), 0);
  std::shuffle(data.ids.begin(), data.ids.end(), rng);
  data.row_of_id.resize(n);
  for (size_t row = 0; row < n; ++row) data.row_of_id[data.ids[row]] = row;
  return data;
}

// Rows' own codes (distance 0, duplicates), noisy copies and random codes.
std::vector<std::vector<uint8_t>> MakeQueries(const Dataset& data, int count,
                                              uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint8_t>> queries;
  for (int i = 0; i < count; ++i) {
    const uint8_t* row = data.code(rng() % data.n);
    std::vector<uint8_t> code(row, row + data.code_bytes());
    if (i % 3 == 1) code = NoisyCopy(code, 0.05, &rng);
    if (i % 3 == 2) code = RandomCode(&rng, data.code_bytes());
    queries.push_back(code);
  }
  return queries;
}

std::vector<uint64_t> RandomDead(size_t n, double fraction, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution kill(fraction);
  std::vector<uint64_t> dead((n + 63) / 64, 0);
  for (size_t row = 0; row < n; ++row) {
    if (kill(rng)) dead[row / 64] |= uint64_t{1} << (row % 64);
  }
  return dead;
}

bool IsDead(const std::vector<uint64_t>* dead, size_t row) {
  return dead != nullptr && row / 64 < dead->size() &&
         ((*dead)[row / 64] >> (row % 64) & 1) != 0;
}

uint32_t Distance(const Dataset& data, const uint8_t* query, size_t row) {
  return HammingDistance(data.view(query), data.view(data.code(row)));
}

// Every live row pushed into *top: the oracle.
void BruteForce(const Dataset& data, const uint8_t* query,
                const std::vector<uint64_t>* dead, TopK* top) {
  for (size_t row = 0; row < data.n; ++row) {
    if (!IsDead(dead, row))
      top->Push(data.ids[row], Distance(data, query, row));
  }
}

std::vector<Neighbor> Sorted(std::vector<Neighbor> neighbors) {
  std::sort(neighbors.begin(), neighbors.end(),
            [](const Neighbor& a, const Neighbor& b) {
              return a.distance != b.distance ? a.distance < b.distance
                                              : a.id < b.id;
            });
  return neighbors;
}

struct Config {
  uint32_t code_bits;
  uint32_t m;
};

// m = 8, 12, 16 and each length's smallest and largest m.
constexpr Config kConfigs[] = {{256, 8},  {256, 12}, {256, 16},
                               {256, 64}, {128, 4},  {128, 12},
                               {128, 32}, {64, 2},   {1024, 32}};

uint32_t BitAt(const uint8_t* code, uint32_t i) {
  return code[i / 8] >> (7 - i % 8) & 1;
}

TEST(MultiIndex, SubstringKeyOnHandMadeCode) {
  const uint8_t code[16] = {0xB0, 0x0F, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x78,
                            0x9A, 0xBC, 0xDE, 0xF0, 0x01, 0x23, 0x45, 0x67};
  EXPECT_EQ(SubstringKey(code, 128, {0, 4}), 0xBu);
  EXPECT_EQ(SubstringKey(code, 128, {2, 6}), 0x30u);   // 11 0000.
  EXPECT_EQ(SubstringKey(code, 128, {7, 9}), 0x00Fu);  // 0 0000 1111.
  EXPECT_EQ(SubstringKey(code, 128, {12, 8}), 0xFFu);
  EXPECT_EQ(SubstringKey(code, 128, {32, 32}), 0x12345678u);
  EXPECT_EQ(SubstringKey(code, 128, {36, 32}), 0x23456789u);
  EXPECT_EQ(SubstringKey(code, 128, {60, 5}), 0x11u);  // 1000 1.
  // The last bits: the load backs up to stay inside the code.
  EXPECT_EQ(SubstringKey(code, 128, {124, 4}), 0x7u);
  EXPECT_EQ(SubstringKey(code, 128, {96, 32}), 0x01234567u);
  EXPECT_EQ(SubstringKey(code, 128, {101, 27}), 0x01234567u);
  for (uint32_t bits = 1; bits <= 32; ++bits) {
    EXPECT_EQ(SubstringKey(code, 128, {0, bits}),
              AddressFromCode({code, 16}, bits));
  }
}

TEST(MultiIndex, SplitCodeCoversTheCodeInOrder) {
  EXPECT_EQ(SplitCode(64, 2), (std::vector<Substring>{{0, 32}, {32, 32}}));
  const std::vector<Substring> split = SplitCode(256, 12);  // 4x22, 8x21.
  ASSERT_EQ(split.size(), 12u);
  uint32_t start = 0;
  for (size_t t = 0; t < split.size(); ++t) {
    EXPECT_EQ(split[t].start, start);
    EXPECT_EQ(split[t].bits, t < 4 ? 22u : 21u);
    start += split[t].bits;
  }
  EXPECT_EQ(start, 256u);
}

TEST(MultiIndex, SubstringKeyMatchesBitByBit) {
  std::mt19937_64 rng(1);
  for (const Config& config : kConfigs) {
    const std::vector<uint8_t> code = RandomCode(&rng, config.code_bits / 8);
    for (const Substring& s : SplitCode(config.code_bits, config.m)) {
      uint32_t want = 0;
      for (uint32_t i = 0; i < s.bits; ++i) {
        want = want << 1 | BitAt(code.data(), s.start + i);
      }
      ASSERT_EQ(SubstringKey(code.data(), config.code_bits, s), want)
          << config.code_bits << " " << s.start << " " << s.bits;
    }
  }
}

TEST(MultiIndex, CheckTablesRejectsOutOfRange) {
  EXPECT_TRUE(CheckMultiIndexTables(256, 0).ok());
  EXPECT_TRUE(CheckMultiIndexTables(256, 8).ok());
  EXPECT_TRUE(CheckMultiIndexTables(256, 64).ok());
  EXPECT_TRUE(CheckMultiIndexTables(64, 2).ok());
  EXPECT_TRUE(CheckMultiIndexTables(1024, 256).ok());
  const Status s = CheckMultiIndexTables(256, 7);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.ToString().find("8..64"), std::string::npos) << s.ToString();
  EXPECT_TRUE(CheckMultiIndexTables(256, 65).IsInvalidArgument());
  EXPECT_TRUE(CheckMultiIndexTables(64, 1).IsInvalidArgument());
  EXPECT_TRUE(CheckMultiIndexTables(1024, 31).IsInvalidArgument());
  EXPECT_TRUE(CheckMultiIndexTables(100, 8).IsInvalidArgument());
}

TEST(MultiIndex, AdviseTablesFollowsLog2N) {
  EXPECT_EQ(AdviseMultiIndexTables(256, 1000000), 13u);  // 256 / 19.9.
  EXPECT_EQ(AdviseMultiIndexTables(128, 1 << 16), 8u);
  for (uint32_t code_bits : {64u, 128u, 256u, 1024u}) {
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 40}) {
      EXPECT_TRUE(
          CheckMultiIndexTables(code_bits, AdviseMultiIndexTables(code_bits, n))
              .ok())
          << code_bits << " " << n;
      EXPECT_NE(AdviseMultiIndexTables(code_bits, n), 0u);
    }
  }
}

TEST(MultiIndex, KnnEqualsBruteForce) {
  for (const Config& config : kConfigs) {
    const Dataset data = MakeDataset(2000, config.code_bits, config.m);
    const MultiIndex index(data.codes.data(), data.n, config.code_bits,
                           config.m);
    ASSERT_EQ(index.tables(), config.m);
    const std::vector<uint64_t> dead = RandomDead(data.n, 0.2, 3);
    for (const auto& query : MakeQueries(data, 9, 5)) {
      for (size_t k : {1u, 10u, 50u}) {
        for (const std::vector<uint64_t>* d :
             std::initializer_list<const std::vector<uint64_t>*>{nullptr,
                                                                 &dead}) {
          TopK got(k), want(k);
          MultiIndexStats stats;
          ASSERT_TRUE(index.SearchKnn(query.data(), data.ids.data(), d,
                                      SIZE_MAX, &got, &stats));
          BruteForce(data, query.data(), d, &want);
          ASSERT_EQ(got.Take(), want.Take())
              << config.code_bits << " m=" << config.m << " k=" << k;
          EXPECT_LE(stats.candidates, data.n * config.m);
          EXPECT_LE(stats.lookups_empty, stats.lookups);
        }
      }
    }
  }
}

TEST(MultiIndex, KnnReturnsEveryLiveRowWhenKExceedsThem) {
  const Dataset data = MakeDataset(300, 256, 2);
  const MultiIndex index(data.codes.data(), data.n, 256, 8);
  const std::vector<uint64_t> dead = RandomDead(data.n, 0.5, 4);
  const std::vector<uint8_t> query = MakeQueries(data, 3, 1)[2];
  TopK got(400), want(400);
  ASSERT_TRUE(index.SearchKnn(query.data(), data.ids.data(), &dead, SIZE_MAX,
                              &got, nullptr));
  BruteForce(data, query.data(), &dead, &want);
  EXPECT_EQ(got.Take(), want.Take());
}

// Issue 16, finding 4: a TopK for k = SIZE_MAX reserved room for k and
// threw; it holds every live row.
TEST(MultiIndex, KnnWithHugeKReturnsEveryLiveRow) {
  const Dataset data = MakeDataset(300, 256, 2);
  const MultiIndex index(data.codes.data(), data.n, 256, 8);
  const std::vector<uint64_t> dead = RandomDead(data.n, 0.5, 4);
  for (const auto& query : MakeQueries(data, 3, 1)) {
    for (size_t k : {size_t{10'000'000'000}, SIZE_MAX}) {
      TopK got(k), want(data.n);
      ASSERT_TRUE(index.SearchKnn(query.data(), data.ids.data(), &dead,
                                  SIZE_MAX, &got, nullptr));
      BruteForce(data, query.data(), &dead, &want);
      EXPECT_EQ(got.Take(), want.Take()) << "k " << k;
    }
  }
}

TEST(MultiIndex, KnnTreatsRowsPastTheDeadBitsetAsLive) {
  const Dataset data = MakeDataset(1000, 128, 6);
  const MultiIndex index(data.codes.data(), data.n, 128, 8);
  std::vector<uint64_t> dead = RandomDead(data.n, 0.3, 8);
  dead.resize(5);  // Rows 320 and up are live.
  for (const auto& query : MakeQueries(data, 6, 2)) {
    TopK got(20), want(20);
    ASSERT_TRUE(index.SearchKnn(query.data(), data.ids.data(), &dead, SIZE_MAX,
                                &got, nullptr));
    BruteForce(data, query.data(), &dead, &want);
    EXPECT_EQ(got.Take(), want.Take());
  }
}

// Candidates the caller keeps elsewhere (ids past the rows') at distances
// around the answer's, with ties, share the k places with the rows.
TEST(MultiIndex, KnnWithPrefilledTopKEqualsBruteForce) {
  for (const Config& config : {kConfigs[1], kConfigs[5]}) {
    const Dataset data = MakeDataset(2000, config.code_bits, 9);
    const MultiIndex index(data.codes.data(), data.n, config.code_bits,
                           config.m);
    for (const auto& query : MakeQueries(data, 9, 7)) {
      const size_t k = 20;
      TopK exact(k);
      BruteForce(data, query.data(), nullptr, &exact);
      const std::vector<Neighbor> answer = exact.Take();
      TopK got(k), want(k);
      for (size_t i = 0; i < k; i += 3) {
        const uint64_t id = i % 2 == 0 ? data.n + i : i;  // Low ids win ties.
        got.Push(id, answer[i].distance);
        want.Push(id, answer[i].distance);
      }
      ASSERT_TRUE(index.SearchKnn(query.data(), data.ids.data(), nullptr,
                                  SIZE_MAX, &got, nullptr));
      BruteForce(data, query.data(), nullptr, &want);
      EXPECT_EQ(got.Take(), want.Take()) << config.code_bits;
    }
  }
}

// Near queries are proved for less than a scan costs; a random query, far
// from every row, needs substring radii whose balls cost more than the
// scan, and gives up. Whatever max_cost, a search that does not give up is
// exact.
TEST(MultiIndex, KnnGivesUpWhenAScanCostsLess) {
  const Dataset data = MakeDataset(2000, 256, 10);
  const MultiIndex index(data.codes.data(), data.n, 256, 12);
  const double scan = MultiIndex::ScanCost(data.n, 256);
  const std::vector<std::vector<uint8_t>> queries = MakeQueries(data, 6, 3);
  for (size_t i = 0; i < queries.size(); ++i) {
    const uint8_t* query = queries[i].data();
    TopK want(10);
    BruteForce(data, query, nullptr, &want);
    const std::vector<Neighbor> answer = want.Take();
    // MakeQueries: a row's own code, or a random one.
    if (i % 3 == 0) {
      TopK nearest(1);
      EXPECT_TRUE(index.SearchKnn(query, data.ids.data(), nullptr, scan,
                                  &nearest, nullptr));
      EXPECT_EQ(nearest.Take(),
                std::vector<Neighbor>(answer.begin(), answer.begin() + 1));
    }
    if (i % 3 == 2) {
      TopK far(10);
      EXPECT_FALSE(index.SearchKnn(query, data.ids.data(), nullptr, scan, &far,
                                   nullptr));
    }
    for (double max_cost : {0.0, 100.0, 1000.0, 1e4, 1e5, double(INFINITY)}) {
      TopK got(10);
      MultiIndexStats stats;
      if (index.SearchKnn(query, data.ids.data(), nullptr, max_cost, &got,
                          &stats)) {
        EXPECT_EQ(got.Take(), answer) << i << " " << max_cost;
      } else {
        EXPECT_NE(max_cost, INFINITY);
      }
      if (max_cost == 0) {
        EXPECT_EQ(stats.lookups, 0u);
      }
    }
  }
}

// The estimates follow the ball: radius 0 is one key a table, each radius
// adds C(bits, r) keys a table, and the k-th distance m * s + j takes
// tables 0..j to radius s.
TEST(MultiIndex, CostsGrowWithTheBall) {
  const Dataset data = MakeDataset(1000, 128, 21);
  const MultiIndex index(data.codes.data(), data.n, 128, 8);  // 16 bits.
  EXPECT_EQ(MultiIndex::ScanCost(1000, 256), 1000);
  EXPECT_EQ(MultiIndex::ScanCost(1000, 128), 500);
  const double one = index.ProbeCost(0, 0, 0, 0);
  EXPECT_GT(one, 0);
  EXPECT_DOUBLE_EQ(index.KnnCost(7), 8 * one);
  EXPECT_DOUBLE_EQ(index.KnnCost(8), 8 * one + 16 * one);
  EXPECT_DOUBLE_EQ(index.KnnCost(15), 8 * one + 8 * 16 * one);
  EXPECT_DOUBLE_EQ(index.RadiusCost(9), index.KnnCost(9));
  EXPECT_LT(index.KnnCost(30), index.KnnCost(31));
  // Past radius 16 in the last table, no key is left.
  EXPECT_DOUBLE_EQ(index.KnnCost(1000), index.KnnCost(16 * 8 + 7));
}

TEST(MultiIndex, RadiusEqualsBruteForce) {
  for (const Config& config : kConfigs) {
    const Dataset data = MakeDataset(1500, config.code_bits, 11);
    const MultiIndex index(data.codes.data(), data.n, config.code_bits,
                           config.m);
    const std::vector<uint64_t> dead = RandomDead(data.n, 0.2, 12);
    for (const auto& query : MakeQueries(data, 3, 13)) {
      for (uint32_t radius = 0; radius <= 40; ++radius) {
        std::vector<Neighbor> got, want;
        index.SearchRadius(query.data(), radius, data.ids.data(), &dead, &got,
                           nullptr);
        for (size_t row = 0; row < data.n; ++row) {
          const uint32_t d = Distance(data, query.data(), row);
          if (!IsDead(&dead, row) && d <= radius) {
            want.push_back({data.ids[row], d});
          }
        }
        ASSERT_EQ(Sorted(got), Sorted(want))
            << config.code_bits << " m=" << config.m << " r=" << radius;
      }
    }
  }
}

// Issue 18: a radius of m * s + j takes tables 0..j to substring radius s
// and the others to s - 1 only; every table was probed to s before.
TEST(MultiIndex, RadiusProbesOnlyTheShellsItNeeds) {
  const Dataset data = MakeDataset(2000, 128, 22);
  const MultiIndex index(data.codes.data(), data.n, 128, 8);  // 16 bits.
  const std::vector<uint8_t> query = MakeQueries(data, 1, 23)[0];
  for (uint32_t j = 0; j < 8; ++j) {
    std::vector<Neighbor> got;
    MultiIndexStats stats;
    index.SearchRadius(query.data(), 8 + j, data.ids.data(), nullptr, &got,
                       &stats);
    EXPECT_EQ(stats.lookups, 8 + (j + 1) * 16) << j;
    EXPECT_EQ(stats.radius_reached, 1u);
  }
}

// Issue 16, finding 5: a radius at or past the code's width finds every
// live row; radius / m must not be probed past the substrings.
TEST(MultiIndex, RadiusAtOrPastTheCodeWidthIsEveryLiveRow) {
  for (const Config& config : kConfigs) {
    const Dataset data = MakeDataset(500, config.code_bits, 14);
    const MultiIndex index(data.codes.data(), data.n, config.code_bits,
                           config.m);
    const std::vector<uint64_t> dead = RandomDead(data.n, 0.2, 15);
    for (const auto& query : MakeQueries(data, 2, 16)) {
      std::vector<Neighbor> want;
      for (size_t row = 0; row < data.n; ++row) {
        if (IsDead(&dead, row)) continue;
        want.push_back({data.ids[row], Distance(data, query.data(), row)});
      }
      for (uint32_t radius :
           {config.code_bits, config.code_bits + 1, UINT32_MAX}) {
        std::vector<Neighbor> got;
        index.SearchRadius(query.data(), radius, data.ids.data(), &dead, &got,
                           nullptr);
        ASSERT_EQ(Sorted(got), Sorted(want))
            << config.code_bits << " m=" << config.m << " r=" << radius;
      }
    }
  }
}

// |results ∩ exact| / k.
double Recall(const std::vector<Neighbor>& got,
              const std::vector<Neighbor>& exact) {
  std::set<uint64_t> want;
  for (const Neighbor& n : exact) want.insert(n.id);
  size_t hits = 0;
  for (const Neighbor& n : got) hits += want.count(n.id);
  return exact.empty() ? 1.0 : double(hits) / exact.size();
}

TEST(MultiIndex, ProbeIsASubsetWhoseRecallGrowsToExact) {
  for (const Config& config : {kConfigs[0], kConfigs[1], kConfigs[4]}) {
    const Dataset data = MakeDataset(1500, config.code_bits, 14);
    const MultiIndex index(data.codes.data(), data.n, config.code_bits,
                           config.m);
    const std::vector<uint64_t> dead = RandomDead(data.n, 0.1, 15);
    const uint32_t full_radius = SplitCode(config.code_bits, config.m)[0].bits;
    for (const auto& query : MakeQueries(data, 6, 16)) {
      const size_t k = 30;
      TopK exact_top(k);
      BruteForce(data, query.data(), &dead, &exact_top);
      const std::vector<Neighbor> exact = exact_top.Take();
      double last_recall = 0;
      std::vector<Neighbor> got;
      for (uint32_t max_radius = 0; max_radius <= full_radius; ++max_radius) {
        TopK top(k);
        MultiIndexStats stats;
        index.SearchProbe(query.data(), max_radius, SIZE_MAX, data.ids.data(),
                          &dead, &top, &stats);
        got = top.Take();
        std::set<uint64_t> ids;
        for (size_t i = 0; i < got.size(); ++i) {
          ASSERT_TRUE(ids.insert(got[i].id).second) << "duplicate id";
          const size_t row = data.row_of_id[got[i].id];
          ASSERT_FALSE(IsDead(&dead, row));
          ASSERT_EQ(got[i].distance, Distance(data, query.data(), row));
          ASSERT_GE(got[i].distance, exact[i].distance);
        }
        const double recall = Recall(got, exact);
        ASSERT_GE(recall, last_recall) << "max_radius " << max_radius;
        last_recall = recall;
        // Stopped short: every row was found, larger radii add nothing.
        if (stats.radius_reached < max_radius) break;
      }
      EXPECT_EQ(got, exact);
    }
  }
}

TEST(MultiIndex, ProbeStopsAtTheFirstRadiusWithEnoughCandidates) {
  const Dataset data = MakeDataset(2000, 256, 17);
  const MultiIndex index(data.codes.data(), data.n, 256, 16);
  const std::vector<uint8_t> query = MakeQueries(data, 1, 18)[0];
  MultiIndexStats all, enough;
  TopK top_all(10), top_enough(10);
  index.SearchProbe(query.data(), 16, SIZE_MAX, data.ids.data(), nullptr,
                    &top_all, &all);
  // Every row compared once, however many tables found it.
  EXPECT_EQ(all.candidates, data.n);
  index.SearchProbe(query.data(), 16, 100, data.ids.data(), nullptr,
                    &top_enough, &enough);
  EXPECT_GE(enough.candidates, 100u);
  EXPECT_LT(enough.radius_reached, all.radius_reached);
  if (enough.radius_reached > 0) {
    MultiIndexStats before;
    TopK top(10);
    index.SearchProbe(query.data(), enough.radius_reached - 1, SIZE_MAX,
                      data.ids.data(), nullptr, &top, &before);
    EXPECT_LT(before.candidates, 100u);
  }
}

TEST(MultiIndex, NoTablesFindsNothing) {
  const Dataset data = MakeDataset(100, 128, 19);
  const MultiIndex index(data.codes.data(), data.n, 128, 0);
  EXPECT_EQ(index.tables(), 0u);
  EXPECT_EQ(index.memory_bytes(), 0u);
  TopK top(5);
  EXPECT_FALSE(index.SearchKnn(data.code(0), data.ids.data(), nullptr, SIZE_MAX,
                               &top, nullptr));
  std::vector<Neighbor> out;
  index.SearchRadius(data.code(0), 10, data.ids.data(), nullptr, &out, nullptr);
  EXPECT_TRUE(out.empty());
  const MultiIndex empty(nullptr, 0, 128, 8);
  EXPECT_TRUE(
      empty.SearchKnn(data.code(0), nullptr, nullptr, SIZE_MAX, &top, nullptr));
  EXPECT_TRUE(top.Take().empty());
}

TEST(MultiIndex, MemoryIsAboutTwelveBytesPerRowPerTable) {
  const size_t n = 100000;
  std::mt19937_64 rng(20);
  std::vector<uint8_t> codes(n * 32);
  for (auto& byte : codes) byte = static_cast<uint8_t>(rng());
  const MultiIndex index(codes.data(), n, 256, 12);
  const double per_row_table = double(index.memory_bytes()) / (n * 12);
  RecordProperty("bytes_per_row_per_table", std::to_string(per_row_table));
  EXPECT_GE(per_row_table, 8.0);
  EXPECT_LE(per_row_table, 12.5);
}

}  // namespace
}  // namespace semhash

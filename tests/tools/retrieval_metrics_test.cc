#include "tools/retrieval_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace semhash::cli {
namespace {

TEST(RetrievalMetrics, AveragePrecisionByHand) {
  // Relevant (label 1) at ranks 1, 3 and 6 of 6: AP = (1/1 + 2/3 + 3/6) / 3.
  const std::vector<int32_t> labels = {1, 0, 1, 0, 0, 1};
  const std::vector<uint32_t> order = {0, 1, 2, 3, 4, 5};
  const RankingQuality q = ScoreRanking(order, labels, 1, {1, 2, 4, 10});
  EXPECT_NEAR(q.average_precision, (1.0 + 2.0 / 3 + 0.5) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(q.precision_at[0], 1.0);
  EXPECT_DOUBLE_EQ(q.precision_at[1], 0.5);
  EXPECT_DOUBLE_EQ(q.precision_at[2], 0.5);
  // Deeper than the ranking: missing items count as not relevant.
  EXPECT_DOUBLE_EQ(q.precision_at[3], 0.3);
  EXPECT_DOUBLE_EQ(ScoreRanking(order, labels, 7, {1}).average_precision, 0.0);
}

TEST(RetrievalMetrics, PrecisionAtCountsMissingItemsAsNotRelevant) {
  const std::vector<bool> relevant = {true, false, true};
  const auto at = [&](size_t rank) { return relevant[rank]; };
  EXPECT_DOUBLE_EQ(PrecisionAt(1, relevant.size(), at), 1.0);
  EXPECT_DOUBLE_EQ(PrecisionAt(2, relevant.size(), at), 0.5);
  EXPECT_DOUBLE_EQ(PrecisionAt(10, relevant.size(), at), 0.2);
}

TEST(RetrievalMetrics, RecallAtKCountsTiesWithTheKthNearest) {
  // The exact 3rd nearest is at distance 4: a found 4 counts, a 5 does not,
  // and a result short of k counts as wrong.
  const std::vector<uint32_t> found = {1, 4, 4, 5};
  EXPECT_DOUBLE_EQ(RecallAtK(4, found, 3), 1.0);
  EXPECT_DOUBLE_EQ(RecallAtK(4, found, 4), 0.75);
  EXPECT_DOUBLE_EQ(RecallAtK(4, std::vector<uint32_t>{1}, 3), 1.0 / 3);
}

TEST(RetrievalMetrics, IdRecallIsTheShareOfTheTruthsIds) {
  const std::vector<Neighbor> truth = {{.id = 1, .distance = 0},
                                       {.id = 2, .distance = 3},
                                       {.id = 3, .distance = 3}};
  // Id 9 is tied with id 3 but is not in the truth: it does not count.
  const std::vector<Neighbor> found = {{.id = 2, .distance = 3},
                                       {.id = 9, .distance = 3}};
  EXPECT_DOUBLE_EQ(IdRecall(found, truth), 1.0 / 3);
  EXPECT_DOUBLE_EQ(IdRecall(found, {}), 1.0);
}

TEST(RetrievalMetrics, HammingRankingIsStableCountingSort) {
  std::mt19937_64 rng(8);
  const size_t n = 500, bytes = 8;
  std::vector<uint8_t> codes(n * bytes);
  for (auto& b : codes) b = static_cast<uint8_t>(rng() & rng());  // many ties
  const std::vector<uint8_t> query(bytes, 0);
  std::vector<uint32_t> order;
  HammingRanking(query, codes.data(), n, &order);
  std::vector<uint32_t> expected(n);
  std::iota(expected.begin(), expected.end(), 0u);
  const auto distance = [&](uint32_t row) {
    return HammingDistance(query, CodeView(&codes[row * bytes], bytes));
  };
  std::stable_sort(
      expected.begin(), expected.end(),
      [&](uint32_t a, uint32_t b) { return distance(a) < distance(b); });
  EXPECT_EQ(order, expected);
}

TEST(RetrievalMetrics, AddressRankingOrdersByBitsThenRow) {
  const std::vector<Address> addresses = {0b1111, 0b0001, 0b0000, 0b0011,
                                          0b0001};
  std::vector<uint32_t> order;
  AddressRanking(0b0000, addresses.data(), addresses.size(), &order);
  EXPECT_EQ(order, (std::vector<uint32_t>{2, 1, 4, 3, 0}));
}

}  // namespace
}  // namespace semhash::cli

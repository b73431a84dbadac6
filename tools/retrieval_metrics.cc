// Retrieval metrics (see retrieval_metrics.h).
#include "tools/retrieval_metrics.h"

#include <bit>
#include <set>

namespace semhash::cli {
namespace {

// Stable counting sort of rows 0..n-1 by distance[row] <= max_distance.
void CountingSort(const std::vector<uint32_t>& distance, uint32_t max_distance,
                  std::vector<uint32_t>* order) {
  std::vector<uint32_t> start(max_distance + 2, 0);
  for (uint32_t d : distance) ++start[d + 1];
  for (size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
  order->resize(distance.size());
  for (uint32_t row = 0; row < distance.size(); ++row) {
    (*order)[start[distance[row]]++] = row;
  }
}

}  // namespace

void HammingRanking(CodeView query, const uint8_t* codes, size_t n,
                    std::vector<uint32_t>* order) {
  const size_t bytes = query.size();
  std::vector<uint32_t> distance(n);
  for (size_t row = 0; row < n; ++row) {
    distance[row] =
        HammingDistance(query, CodeView(codes + row * bytes, bytes));
  }
  CountingSort(distance, static_cast<uint32_t>(bytes * 8), order);
}

void AddressRanking(Address query, const Address* addresses, size_t n,
                    std::vector<uint32_t>* order) {
  std::vector<uint32_t> distance(n);
  for (size_t row = 0; row < n; ++row) {
    distance[row] =
        static_cast<uint32_t>(std::popcount(query ^ addresses[row]));
  }
  CountingSort(distance, 32, order);
}

RankingQuality ScoreRanking(const std::vector<uint32_t>& order,
                            const std::vector<int32_t>& labels,
                            int32_t query_label,
                            const std::vector<size_t>& depths) {
  const auto relevant = [&](size_t rank) {
    return labels[order[rank]] == query_label;
  };
  RankingQuality quality;
  size_t hits = 0;
  double precision_sum = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    if (relevant(rank)) {
      ++hits;
      precision_sum +=
          static_cast<double>(hits) / static_cast<double>(rank + 1);
    }
  }
  if (hits > 0) {
    quality.average_precision = precision_sum / static_cast<double>(hits);
  }
  for (const size_t depth : depths) {
    quality.precision_at.push_back(PrecisionAt(depth, order.size(), relevant));
  }
  return quality;
}

double RecallAtK(uint32_t kth_exact, std::span<const uint32_t> found,
                 size_t k) {
  return PrecisionAt(k, found.size(),
                     [&](size_t rank) { return found[rank] <= kth_exact; });
}

double IdRecall(const std::vector<Neighbor>& found,
                const std::vector<Neighbor>& truth) {
  if (truth.empty()) return 1.0;
  std::set<uint64_t> ids;
  for (const Neighbor& n : truth) ids.insert(n.id);
  size_t hits = 0;
  for (const Neighbor& n : found) hits += ids.count(n.id);
  return static_cast<double>(hits) / static_cast<double>(truth.size());
}

}  // namespace semhash::cli

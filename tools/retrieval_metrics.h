// Retrieval quality as hashing papers report it: mean average precision over
// a full ranking, and precision at fixed depths, where an item is relevant to
// a query when their labels are equal; and recall against the exact answer,
// as `semhash query --compare-exact` and `semhash bench` report it. The one
// home of these measures for every tool.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_RETRIEVAL_METRICS_H_
#define SEMHASH_TOOLS_RETRIEVAL_METRICS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "semhash/codes.h"
#include "semhash/search.h"

namespace semhash::cli {

// Orders `n` codes of query.size() bytes each (`codes`, row-major) by Hamming
// distance to `query`, ties by row. A counting sort: O(n + code bits).
void HammingRanking(CodeView query, const uint8_t* codes, size_t n,
                    std::vector<uint32_t>* order);

// The same for addresses (at most 32 bits).
void AddressRanking(Address query, const Address* addresses, size_t n,
                    std::vector<uint32_t>* order);

// Precision at `depth` of a ranked list of `n` items: how many of its first
// `depth` items `relevant(rank)` accepts, over depth. A list shorter than
// `depth` counts its missing items as not relevant.
// REQUIRES: depth > 0.
template <typename Relevant>
double PrecisionAt(size_t depth, size_t n, const Relevant& relevant) {
  size_t hits = 0;
  for (size_t rank = 0; rank < std::min(depth, n); ++rank) {
    hits += relevant(rank) ? 1 : 0;
  }
  return static_cast<double>(hits) / static_cast<double>(depth);
}

struct RankingQuality {
  double average_precision = 0;
  // precision_at[i]: relevant items among the first depths[i], over depths[i].
  std::vector<double> precision_at;
};

// Scores a ranking of items whose labels are `labels[order[i]]` against a
// query of label `query_label`. Average precision is over the whole ranking:
// the mean, over the relevant items, of the precision at each one's rank
// (0 if no item is relevant).
RankingQuality ScoreRanking(const std::vector<uint32_t>& order,
                            const std::vector<int32_t>& labels,
                            int32_t query_label,
                            const std::vector<size_t>& depths);

// Recall@k by distance: the share of the first k `found` distances (best
// first) that are at most `kth_exact`, the k-th smallest distance over the
// whole set, so a result tied with the k-th nearest counts as correct.
// Missing results count as wrong. (semhash bench.)
double RecallAtK(uint32_t kth_exact, std::span<const uint32_t> found, size_t k);

// Recall by id: the share of `truth`'s ids that `found` holds (1 if truth is
// empty). A result tied with the last of `truth` but not in it counts as
// wrong. (semhash query --compare-exact.)
double IdRecall(const std::vector<Neighbor>& found,
                const std::vector<Neighbor>& truth);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_RETRIEVAL_METRICS_H_

// Retrieval quality as hashing papers report it: mean average precision over
// a full ranking, and precision at fixed depths, where an item is relevant to
// a query when their labels are equal.
#ifndef SEMHASH_TOOLS_RETRIEVAL_METRICS_H_
#define SEMHASH_TOOLS_RETRIEVAL_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/codes.h"

namespace semhash::cli {

// Orders `n` codes of query.size() bytes each (`codes`, row-major) by Hamming
// distance to `query`, ties by row. A counting sort: O(n + code bits).
void HammingRanking(CodeView query, const uint8_t* codes, size_t n,
                    std::vector<uint32_t>* order);

// The same for addresses (at most 32 bits).
void AddressRanking(Address query, const Address* addresses, size_t n,
                    std::vector<uint32_t>* order);

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

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_RETRIEVAL_METRICS_H_

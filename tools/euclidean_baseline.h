// The raw-feature baseline of `semhash eval --euclidean`: rank database
// vectors by Euclidean distance to each query, ties by row.
#ifndef SEMHASH_TOOLS_EUCLIDEAN_BASELINE_H_
#define SEMHASH_TOOLS_EUCLIDEAN_BASELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace semhash::cli {

// For each of `count` queries (dim floats each, row-major), calls
// visit(i, order) with the `n` database rows (n x dim, row-major) ranked by
// Euclidean distance to query i. Rankings are made and handed over one group
// of queries at a time, never all at once.
void EuclideanRankings(
    const float* database, size_t n, const float* queries, size_t count,
    size_t dim,
    const std::function<void(size_t, const std::vector<uint32_t>&)>& visit);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_EUCLIDEAN_BASELINE_H_

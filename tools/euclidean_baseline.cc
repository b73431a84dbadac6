// Euclidean ranking (see euclidean_baseline.h). Distances come from one
// blocked matrix product per group of queries, |x|^2 - 2 q.x (|q|^2 is the
// same for every row of one query and does not change its ranking).
#include "tools/euclidean_baseline.h"

#include <Eigen/Dense>
#include <algorithm>
#include <numeric>

namespace semhash::cli {

using RowMatrixF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void EuclideanRankings(
    const float* database, size_t n, const float* queries, size_t count,
    size_t dim,
    const std::function<void(size_t, const std::vector<uint32_t>&)>& visit) {
  constexpr size_t kQueryBlock = 32;
  Eigen::Map<const RowMatrixF> x(database, n, dim);
  const Eigen::VectorXf norms = x.rowwise().squaredNorm();
  std::vector<uint32_t> order(n);
  for (size_t start = 0; start < count; start += kQueryBlock) {
    const size_t rows = std::min(kQueryBlock, count - start);
    Eigen::Map<const RowMatrixF> q(queries + start * dim, rows, dim);
    const RowMatrixF scores =
        (-2.0f * (q * x.transpose())).rowwise() + norms.transpose();
    for (size_t i = 0; i < rows; ++i) {
      std::iota(order.begin(), order.end(), 0u);
      const float* row = scores.data() + i * n;
      std::stable_sort(
          order.begin(), order.end(),
          [row](uint32_t a, uint32_t b) { return row[a] < row[b]; });
      visit(start + i, order);
    }
  }
}

}  // namespace semhash::cli

// Blocked float projections and their rounding error bounds (see
// block_encoding.h).
#include "engine/encoders/block_encoding.h"

#include <cmath>
#include <limits>
#include <vector>

namespace semhash {
namespace {

// A float dot product of length d, summed in any order, is within
// gamma_d * |w| * |x| of the exact one, with gamma_d = d*u / (1 - d*u),
// u = 2^-24 (Higham, "Accuracy and Stability of Numerical Algorithms", 3.1,
// and Cauchy-Schwarz). The factor 4 leaves room for the rounding of the
// norms themselves.
double RelativeErrorBound(uint32_t d) {
  const double du = std::ldexp(static_cast<double>(d), -24);
  if (du >= 0.5) return std::numeric_limits<double>::infinity();
  return 4 * du / (1 - du);
}

// Products that underflow lose at most half a subnormal step each.
double AbsoluteErrorBound(uint32_t d) {
  return std::ldexp(static_cast<double>(d), -149);
}

}  // namespace

std::vector<double> DirectionSlack(const std::vector<float>& directions,
                                   uint32_t dim) {
  const double bound = RelativeErrorBound(dim);
  std::vector<double> slack(directions.size() / dim);
  for (size_t d = 0; d < slack.size(); ++d) {
    const float* w = directions.data() + d * dim;
    double norm2 = 0;
    for (uint32_t k = 0; k < dim; ++k) norm2 += double{w[k]} * w[k];
    slack[d] = std::sqrt(norm2) * bound;
  }
  return slack;
}

ProjectedBlock::ProjectedBlock(const std::vector<float>& mean,
                               const std::vector<float>& directions,
                               const std::vector<double>& direction_slack)
    : dim_(static_cast<uint32_t>(mean.size())),
      directions_(directions),
      direction_slack_(direction_slack),
      directions_map_(directions.data(), direction_slack.size(), dim_),
      mean_(mean.data(), dim_),
      absolute_slack_(AbsoluteErrorBound(dim_)) {}

void ProjectedBlock::Project(size_t rows, const float* x) {
  centred_ = ConstRowMap(x, rows, dim_).rowwise() - mean_;
  centred_norms_ = centred_.cast<double>().rowwise().norm();
  projections_.resize(rows, directions_map_.rows());
  projections_.noalias() = centred_ * directions_map_.transpose();
}

double ProjectedBlock::ExactProjection(size_t i, size_t d) const {
  const float* w = directions_.data() + d * dim_;
  const float* c = centred_.row(i).data();
  double dot = 0;
  for (uint32_t k = 0; k < dim_; ++k) dot += double{w[k]} * double{c[k]};
  return dot;
}

}  // namespace semhash

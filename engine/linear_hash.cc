// LinearHash encoding: a blocked Eigen float matrix product, with a
// fixed-order double dot product for the bits it cannot decide exactly (see
// linear_hash.h).
#include "engine/linear_hash.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace semhash {
namespace {

// Rows per matrix product: enough for Eigen's blocked GEMM to run near its
// peak, few enough that a block of centred inputs stays in L2 (256 x 784
// floats is 800 KB).
constexpr size_t kBlockRows = 256;

using RowMatrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;

// A float dot product of length d, summed in any order (GEMM blocking, SIMD
// lanes, FMA), is within gamma_d * |w| * |x| of the exact one, with
// gamma_d = d*u / (1 - d*u), u = 2^-24 (Higham, "Accuracy and Stability of
// Numerical Algorithms", 3.1, and Cauchy-Schwarz). The factor 4 leaves room
// for the rounding of the norms themselves.
double RelativeErrorBound(uint32_t d) {
  const double du = std::ldexp(static_cast<double>(d), -24);
  if (du >= 0.5) return std::numeric_limits<double>::infinity();
  return 4 * du / (1 - du);
}

// Products that underflow lose at most half a subnormal step each.
double AbsoluteErrorBound(uint32_t d) {
  return std::ldexp(static_cast<double>(d), -149);
}

// Projects blocks of up to kBlockRows vectors and decides their bits.
class BlockProjector {
 public:
  BlockProjector(const LinearHash& hash,
                 const std::vector<double>& weight_slack)
      : hash_(hash),
        weight_slack_(weight_slack),
        weights_(hash.weights.data(), hash.bits, hash.input_dim),
        mean_(hash.mean.data(), hash.input_dim),
        absolute_slack_(AbsoluteErrorBound(hash.input_dim)) {}

  // Projects `rows` vectors of input_dim floats starting at `x`.
  void Project(size_t rows, const float* x) {
    centred_ = ConstRowMap(x, rows, hash_.input_dim).rowwise() - mean_;
    centred_norms_ = centred_.cast<double>().rowwise().norm();
    projections_.resize(rows, hash_.bits);
    projections_.noalias() = centred_ * weights_.transpose();
  }

  // Bit j of row i of the last projected block. The float projection p
  // decides when |p - t| exceeds its error bound, since then it is on the
  // same side of t as the exact projection; otherwise the bit is decided by
  // ExactSideBit, whose result does not depend on how p was computed.
  bool Bit(size_t i, uint32_t j) const {
    const float p = projections_(i, j);
    const float t = hash_.thresholds[j];
    const double slack = weight_slack_[j] * centred_norms_[i] + absolute_slack_;
    if (std::isfinite(p) && std::abs(double{p} - double{t}) > slack) {
      return p >= t;
    }
    return ExactSideBit(i, j);
  }

 private:
  // Sums w_j . (x_i - mean) in double, in index order. Each product of two
  // floats is exact in double, so the result is the same with or without FMA
  // contraction, on every IEEE-754 platform.
  bool ExactSideBit(size_t i, uint32_t j) const {
    const float* w = hash_.weights.data() + size_t{j} * hash_.input_dim;
    const float* c = centred_.row(i).data();
    double dot = 0;
    for (uint32_t k = 0; k < hash_.input_dim; ++k) {
      dot += double{w[k]} * double{c[k]};
    }
    return dot >= double{hash_.thresholds[j]};
  }

  const LinearHash& hash_;
  const std::vector<double>& weight_slack_;
  const ConstRowMap weights_;
  const ConstRowVectorMap mean_;
  const double absolute_slack_;
  RowMatrix centred_;  // The block's x - mean, in float.
  Eigen::VectorXd centred_norms_;
  RowMatrix projections_;
};

// Calls on_row(block, i, first + i) for every row of every block of `n`
// vectors, after projecting the block.
template <typename OnRow>
void ForEachProjectedRow(const LinearHash& hash,
                         const std::vector<double>& weight_slack, size_t n,
                         const float* vectors, OnRow on_row) {
  BlockProjector block(hash, weight_slack);
  for (size_t first = 0; first < n; first += kBlockRows) {
    const size_t rows = std::min(kBlockRows, n - first);
    block.Project(rows, vectors + first * hash.input_dim);
    for (size_t i = 0; i < rows; ++i) on_row(block, i, first + i);
  }
}

// Packs the bits of row i, bit 0 first, into the most significant bit of
// out[0] (numpy packbits order).
void PackCode(const BlockProjector& block, size_t i, size_t code_bytes,
              uint8_t* out) {
  uint32_t j = 0;
  for (size_t byte = 0; byte < code_bytes; ++byte) {
    unsigned value = 0;
    for (int b = 0; b < 8; ++b) {
      value = (value << 1) | unsigned{block.Bit(i, j++)};
    }
    out[byte] = static_cast<uint8_t>(value);
  }
}

// The bits of row i as an address whose most significant used bit is bit 0.
Address PackAddress(const BlockProjector& block, size_t i, uint32_t bits) {
  Address address = 0;
  for (uint32_t j = 0; j < bits; ++j) {
    address = (address << 1) | Address{block.Bit(i, j)};
  }
  return address;
}

Status CheckSize(const char* field, size_t actual, size_t expected) {
  if (actual == expected) return Status::OK();
  return Status::Corruption(std::string(field) + " has " +
                            std::to_string(actual) + " values, expected " +
                            std::to_string(expected));
}

Status CheckFinite(const char* field, const std::vector<float>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Status::Corruption(std::string(field) + "[" + std::to_string(i) +
                                "] is not finite");
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckLinearHash(const LinearHash& hash) {
  if (hash.bits == 0) return Status::Corruption("bits is 0");
  if (hash.input_dim == 0) return Status::Corruption("input_dim is 0");
  const size_t bits = hash.bits;
  const size_t dim = hash.input_dim;
  Status s = CheckSize("mean", hash.mean.size(), dim);
  if (s.ok()) s = CheckSize("weights", hash.weights.size(), bits * dim);
  if (s.ok()) s = CheckSize("thresholds", hash.thresholds.size(), bits);
  if (s.ok()) s = CheckFinite("mean", hash.mean);
  if (s.ok()) s = CheckFinite("weights", hash.weights);
  if (s.ok()) s = CheckFinite("thresholds", hash.thresholds);
  return s;
}

LinearHashEncoder::LinearHashEncoder(LinearHash hash)
    : hash_(std::move(hash)), weight_slack_(hash_.bits) {
  const double bound = RelativeErrorBound(hash_.input_dim);
  for (uint32_t j = 0; j < hash_.bits; ++j) {
    const float* w = hash_.weights.data() + size_t{j} * hash_.input_dim;
    double norm2 = 0;
    for (uint32_t k = 0; k < hash_.input_dim; ++k) norm2 += double{w[k]} * w[k];
    weight_slack_[j] = std::sqrt(norm2) * bound;
  }
}

void LinearHashEncoder::EncodeToCodes(size_t n, const float* vectors,
                                      uint8_t* codes) const {
  const size_t code_bytes = hash_.bits / 8;
  ForEachProjectedRow(hash_, weight_slack_, n, vectors,
                      [&](const BlockProjector& block, size_t i, size_t row) {
                        PackCode(block, i, code_bytes,
                                 codes + row * code_bytes);
                      });
}

void LinearHashEncoder::EncodeToAddresses(size_t n, const float* vectors,
                                          Address* addresses) const {
  ForEachProjectedRow(hash_, weight_slack_, n, vectors,
                      [&](const BlockProjector& block, size_t i, size_t row) {
                        addresses[row] = PackAddress(block, i, hash_.bits);
                      });
}

}  // namespace semhash

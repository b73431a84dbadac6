// Encoding vectors block by block from float projections guarded by their
// rounding error (internal): what LinearHash (linear_hash.h) and
// SpectralHash (spectral_encoder.h) encoding share. Each hash supplies only
// its bit rule.
//
// A block of up to kBlockRows vectors is centred (x - mean, in float) and
// projected on k fixed directions by one Eigen float matrix product. A float
// dot product of length d, summed in any order (GEMM blocking, SIMD lanes,
// FMA), is within error_bound() of the exact one. So a bit rule may trust
// the float projection when its decision is farther than that from a
// boundary, and otherwise ask ExactProjection: a double dot product in index
// order, whose result does not depend on how the float one was computed.
// That makes the bits a deterministic function of the vector and the model,
// whatever the batching, block size or SIMD width.
//
// Thread safety: DirectionSlack and the Encode* functions are pure; a
// ProjectedBlock is one call's scratch space.
#ifndef SEMHASH_ENGINE_ENCODERS_BLOCK_ENCODING_H_
#define SEMHASH_ENGINE_ENCODERS_BLOCK_ENCODING_H_

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/encoders/bit_packing.h"
#include "engine/encoders/eigen_types.h"
#include "semhash/codes.h"

namespace semhash {

// Per direction (rows of `dim` floats in `directions`, row-major): its norm
// times the relative error bound of a float dot product of length dim.
std::vector<double> DirectionSlack(const std::vector<float>& directions,
                                   uint32_t dim);

// The centred vectors of one block and their float projections.
class ProjectedBlock {
 public:
  // Rows per matrix product: enough for Eigen's blocked GEMM to run near its
  // peak, few enough that a block of centred inputs stays in L2 (256 x 784
  // floats is 800 KB).
  static constexpr size_t kBlockRows = 256;

  // REQUIRES: `directions` holds direction_slack.size() rows of mean.size()
  // floats; direction_slack == DirectionSlack(directions, mean.size()). The
  // three must outlive the block.
  ProjectedBlock(const std::vector<float>& mean,
                 const std::vector<float>& directions,
                 const std::vector<double>& direction_slack);

  uint32_t dim() const { return dim_; }

  // Projects `rows` (at most kBlockRows) vectors of dim() floats from `x`.
  void Project(size_t rows, const float* x);

  // The float projection of row i of the last block on direction d.
  float projection(size_t i, size_t d) const { return projections_(i, d); }

  // A bound on |projection(i, d) - the exact projection|, if the float
  // projection is finite. Products that underflow add at most 2^-149 each.
  double error_bound(size_t i, size_t d) const {
    return direction_slack_[d] * centred_norms_[i] + absolute_slack_;
  }

  // direction_d . (x_i - mean) summed in double, in index order. Each
  // product of two floats is exact in double, so the result is the same with
  // or without FMA contraction, on every IEEE-754 platform.
  double ExactProjection(size_t i, size_t d) const;

 private:
  using ConstRowMap = Eigen::Map<const RowMatrixF>;
  using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;

  const uint32_t dim_;
  const std::vector<float>& directions_;
  const std::vector<double>& direction_slack_;
  const ConstRowMap directions_map_;
  const ConstRowVectorMap mean_;
  const double absolute_slack_;
  RowMatrixF centred_;  // The block's x - mean, in float.
  Eigen::VectorXd centred_norms_;
  RowMatrixF projections_;
};

// Calls on_row(i, first + i) for every row i of every block of `n` vectors,
// after projecting the block into *block.
template <typename OnRow>
void ForEachProjectedRow(ProjectedBlock* block, size_t n, const float* vectors,
                         const OnRow& on_row) {
  constexpr size_t kBlockRows = ProjectedBlock::kBlockRows;
  for (size_t first = 0; first < n; first += kBlockRows) {
    const size_t rows = std::min(kBlockRows, n - first);
    block->Project(rows, vectors + first * block->dim());
    for (size_t i = 0; i < rows; ++i) on_row(i, first + i);
  }
}

// Writes the `bits` bits of each of `n` vectors as a code, to
// codes[r * bits / 8, (r + 1) * bits / 8); bit_rule(*block, i, j) decides
// bit j of row i of the projected block. REQUIRES: bits % 8 == 0.
template <typename BitRule>
void EncodeBlocksToCodes(ProjectedBlock* block, uint32_t bits,
                         const BitRule& bit_rule, size_t n,
                         const float* vectors, uint8_t* codes) {
  const size_t code_bytes = bits / 8;
  ForEachProjectedRow(block, n, vectors, [&](size_t i, size_t row) {
    PackCode(
        code_bytes, [&](uint32_t j) { return bit_rule(*block, i, j); },
        codes + row * code_bytes);
  });
}

// Writes the `bits` bits of each of `n` vectors as addresses[r], as
// EncodeBlocksToCodes decides them. REQUIRES: bits <= 32.
template <typename BitRule>
void EncodeBlocksToAddresses(ProjectedBlock* block, uint32_t bits,
                             const BitRule& bit_rule, size_t n,
                             const float* vectors, Address* addresses) {
  ForEachProjectedRow(block, n, vectors, [&](size_t i, size_t row) {
    addresses[row] =
        PackAddress(bits, [&](uint32_t j) { return bit_rule(*block, i, j); });
  });
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_BLOCK_ENCODING_H_

// Iterative quantisation with Eigen (see itq.h).
//
// Each iteration needs V R and B^T V. V R is a float matrix product over the
// n x c data (n c^2 multiply-adds, the dominant cost), made block by block.
// B^T V is not recomputed: it is kept in double and updated for the signs
// that flip, each flip of b_ij adding 2 b_ij v_i to row j. Few signs flip
// once ITQ settles, so this halves the work of an iteration. The rows are
// split into chunks that run on one thread per core; each chunk keeps its
// own signs and share of B^T V, and the shares are added in chunk order.
#include "engine/encoders/itq.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/encoders/eigen_types.h"
#include "engine/encoders/lsh_encoder.h"

namespace semhash {
namespace {

using ConstRowMap = Eigen::Map<const RowMatrixF>;

// Rows per product: large enough for Eigen's GEMM to run near its peak,
// small enough that a block of V R (1024 x 256 floats: 1 MiB) stays cached.
constexpr Eigen::Index kBlockRows = 1024;
// Rows per unit of parallel work. Fixed, so that the sums do not depend on
// the number of threads.
constexpr Eigen::Index kChunkRows = 4 * kBlockRows;

// Up to kChunkRows consecutive rows of V, their signs B under the last
// rotation and their share of B^T V.
class Chunk {
 public:
  // Starts from B = all +1, so B^T V has every row equal to V's column sum.
  Chunk(const float* v, Eigen::Index rows, Eigen::Index c)
      : v_(v, rows, c), signs_(rows, c) {
    signs_.setOnes();
    const Eigen::RowVectorXd sum = v_.cast<double>().colwise().sum();
    bt_v_ = sum.replicate(v_.cols(), 1);
  }

  const RowMatrixD& bt_v() const { return bt_v_; }

  // Sets B = sign(V R), updating B^T V; returns ||B - V R||_F^2.
  double Rotate(const Eigen::MatrixXf& rotation) {
    double loss = 0;
    RowMatrixF rotated;
    for (Eigen::Index first = 0; first < v_.rows(); first += kBlockRows) {
      const Eigen::Index rows = std::min(kBlockRows, v_.rows() - first);
      rotated.resize(rows, v_.cols());
      rotated.noalias() = v_.middleRows(first, rows) * rotation;
      // |b - z| = ||z| - 1| for b = sign(z).
      loss += (rotated.array().abs().cast<double>() - 1.0).square().sum();
      for (Eigen::Index i = 0; i < rows; ++i) {
        UpdateSigns(first + i, rotated.row(i).data());
      }
    }
    return loss;
  }

 private:
  void UpdateSigns(Eigen::Index i, const float* rotated) {
    for (Eigen::Index j = 0; j < v_.cols(); ++j) {
      const int8_t sign = rotated[j] >= 0 ? 1 : -1;
      if (sign == signs_(i, j)) continue;
      signs_(i, j) = sign;
      bt_v_.row(j) += (2.0 * sign) * v_.row(i).cast<double>();
    }
  }

  const ConstRowMap v_;
  Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> signs_;
  RowMatrixD bt_v_;  // c x c.
};

std::vector<Chunk> SplitRows(const ConstRowMap& v) {
  std::vector<Chunk> chunks;
  for (Eigen::Index first = 0; first < v.rows(); first += kChunkRows) {
    chunks.emplace_back(v.row(first).data(),
                        std::min(kChunkRows, v.rows() - first), v.cols());
  }
  return chunks;
}

// Calls fn(i) for every i in [0, count) on up to one thread per core. If a
// thread cannot be started, the others do its share.
template <typename Fn>
void ParallelFor(size_t count, const Fn& fn) {
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < count; i = next++) fn(i);
  };
  const size_t threads = std::min<size_t>(
      count, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::jthread> helpers;
  try {
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  } catch (const std::system_error&) {
    // Deliberately ignored: fewer threads give the same result.
  }
  work();
}

// Rotates every chunk; returns the loss, summed in chunk order.
double RotateAll(std::vector<Chunk>* chunks, const Eigen::MatrixXd& rotation) {
  const Eigen::MatrixXf rotation_f = rotation.cast<float>();
  std::vector<double> losses(chunks->size());
  ParallelFor(chunks->size(),
              [&](size_t i) { losses[i] = (*chunks)[i].Rotate(rotation_f); });
  double loss = 0;
  for (const double chunk_loss : losses) loss += chunk_loss;
  return loss;
}

Eigen::MatrixXd RandomRotation(size_t c, uint64_t seed, uint64_t stream) {
  Eigen::MatrixXf normals(c, c);
  DrawStandardNormals(seed, stream, normals.size(), normals.data());
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(normals.cast<double>());
  return qr.householderQ() * Eigen::MatrixXd::Identity(c, c);
}

// The orthogonal R maximising tr(B^T V R): W U^T for B^T V = U S W^T.
Eigen::MatrixXd ProcrustesRotation(const std::vector<Chunk>& chunks) {
  Eigen::MatrixXd bt_v = chunks[0].bt_v();
  for (size_t i = 1; i < chunks.size(); ++i) bt_v += chunks[i].bt_v();
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(
      bt_v, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return svd.matrixV() * svd.matrixU().transpose();
}

}  // namespace

ItqRotation FitItqRotation(size_t n, size_t c, const float* projected,
                           uint64_t seed, uint64_t stream, uint32_t iterations,
                           const std::function<void()>& after_iteration) {
  std::vector<Chunk> chunks = SplitRows(ConstRowMap(projected, n, c));
  Eigen::MatrixXd rotation = RandomRotation(c, seed, stream);
  ItqRotation result;
  result.bits = c;
  result.losses.push_back(RotateAll(&chunks, rotation));
  for (uint32_t t = 0; t < iterations; ++t) {
    rotation = ProcrustesRotation(chunks);
    result.losses.push_back(RotateAll(&chunks, rotation));
    if (after_iteration) after_iteration();
  }
  result.rotation.resize(c * c);
  Eigen::Map<RowMatrixD>(result.rotation.data(), c, c) = rotation;
  return result;
}

}  // namespace semhash

// PCA-sign and PCA+ITQ training (see pca_hash.h). One PCA of
// max(address_bits, code_bits) components serves both hashes: the leading c
// components of a fit are the fit of c components.
#include "engine/encoders/pca_hash.h"

#include <Eigen/Core>
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/encoders/eigen_types.h"
#include "engine/encoders/itq.h"
#include "engine/encoders/linear_encoder.h"
#include "engine/encoders/linear_hash.h"
#include "engine/encoders/pca.h"

namespace semhash {
namespace {

// Checks the arguments, then fits the components both hashes need.
Status FitTrainingPca(const EncoderOptions& options, size_t n,
                      const float* vectors, size_t dim, Pca* pca) {
  Status s = CheckLinearTraining(options, /*min_vectors=*/2, n, vectors, dim);
  if (!s.ok()) return s;
  if (options.address_bits > dim || options.code_bits > dim) {
    return Status::InvalidArgument(
        "address_bits " + std::to_string(options.address_bits) +
        " and code_bits " + std::to_string(options.code_bits) +
        " must not exceed the input dim " + std::to_string(dim) +
        ": one bit per principal direction");
  }
  const size_t k = std::max(options.address_bits, options.code_bits);
  return FitPca(n, vectors, dim, k, pca);
}

// What both trainers do: FitTrainingPca, then *out = make_encoder(pca).
template <typename MakeEncoder>
Status TrainOnPca(const EncoderOptions& options, size_t n, const float* vectors,
                  size_t dim, const MakeEncoder& make_encoder,
                  std::unique_ptr<Encoder>* out) {
  out->reset();
  Pca pca;
  Status s = FitTrainingPca(options, n, vectors, dim, &pca);
  if (!s.ok()) return s;
  *out = make_encoder(pca);
  return Status::OK();
}

// A hash of `bits` bits with the PCA mean, thresholds 0 and these weights.
LinearHash CentredHash(const Pca& pca, uint32_t bits,
                       std::vector<float> weights) {
  LinearHash hash;
  hash.bits = bits;
  hash.input_dim = static_cast<uint32_t>(pca.dim);
  hash.mean = pca.mean;
  hash.weights = std::move(weights);
  hash.thresholds.assign(bits, 0.0f);
  return hash;
}

LinearHash PcahHash(const Pca& pca, uint32_t bits) {
  return CentredHash(
      pca, bits,
      std::vector<float>(pca.components.begin(),
                         pca.components.begin() + bits * pca.dim));
}

// Columns [0, c) of the n x k row-major `projected`, as n x c row-major.
std::vector<float> LeadingColumns(const std::vector<float>& projected, size_t n,
                                  size_t k, size_t c) {
  std::vector<float> columns(n * c);
  Eigen::Map<RowMatrixF>(columns.data(), n, c) =
      Eigen::Map<const RowMatrixF>(projected.data(), n, k).leftCols(c);
  return columns;
}

// `projected` holds the n training vectors on all pca.k() components.
LinearHash ItqHash(const Pca& pca, const std::vector<float>& projected,
                   uint32_t bits, uint64_t seed, uint64_t stream,
                   uint32_t iterations,
                   const std::function<void()>& after_iteration) {
  const size_t n = projected.size() / pca.k();
  std::vector<float> leading;
  if (bits < pca.k()) leading = LeadingColumns(projected, n, pca.k(), bits);
  const ItqRotation itq = FitItqRotation(
      n, bits, leading.empty() ? projected.data() : leading.data(), seed,
      stream, iterations, after_iteration);
  // (W_c R)^T = R^T W_c^T, and the rows of pca.components are W^T's.
  const Eigen::Map<const RowMatrixD> rotation(itq.rotation.data(), bits, bits);
  const Eigen::Map<const RowMatrixF> components(pca.components.data(), bits,
                                                pca.dim);
  std::vector<float> weights(size_t{bits} * pca.dim);
  Eigen::Map<RowMatrixF>(weights.data(), bits, pca.dim) =
      (rotation.transpose() * components.cast<double>()).cast<float>();
  return CentredHash(pca, bits, std::move(weights));
}

}  // namespace

Status TrainPcahEncoder(const EncoderOptions& options, size_t n,
                        const float* vectors, size_t dim,
                        std::unique_ptr<Encoder>* out) {
  const auto make_encoder = [&](const Pca& pca) {
    return NewLinearEncoder(kPcahEncoder, options,
                            PcahHash(pca, options.address_bits),
                            PcahHash(pca, options.code_bits));
  };
  return TrainOnPca(options, n, vectors, dim, make_encoder, out);
}

Status TrainItqEncoder(const EncoderOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out) {
  // The address's rotation and the code's count as one run of iterations.
  const uint64_t total = 2 * uint64_t{options.itq_iterations};
  uint64_t done = 0;
  std::function<void()> after_iteration;
  if (options.itq_progress) {
    after_iteration = [&] { options.itq_progress(++done, total); };
  }
  const auto make_encoder = [&](const Pca& pca) {
    std::vector<float> projected(n * pca.k());
    ProjectPca(pca, n, vectors, projected.data());
    LinearHash address =
        ItqHash(pca, projected, options.address_bits, options.seed,
                kItqAddressStream, options.itq_iterations, after_iteration);
    LinearHash code =
        ItqHash(pca, projected, options.code_bits, options.seed, kItqCodeStream,
                options.itq_iterations, after_iteration);
    return NewLinearEncoder(kItqEncoder, options, std::move(address),
                            std::move(code));
  };
  return TrainOnPca(options, n, vectors, dim, make_encoder, out);
}

}  // namespace semhash

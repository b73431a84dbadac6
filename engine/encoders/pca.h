// Principal component analysis of row vectors: the mean and the leading
// eigenvectors of the covariance. The first step of PCAH, ITQ and spectral
// hashing.
#ifndef SEMHASH_ENGINE_ENCODERS_PCA_H_
#define SEMHASH_ENGINE_ENCODERS_PCA_H_

#include <cstddef>
#include <vector>

#include "semhash/status.h"

namespace semhash {

struct Pca {
  size_t dim = 0;
  std::vector<float> mean;        // dim values.
  std::vector<float> components;  // k rows of dim values, row-major.
  std::vector<double> variances;  // k eigenvalues, descending.
  size_t k() const { return variances.size(); }
};

// Fits the top `k` principal directions of `n` vectors of `dim` floats.
// Each component's sign is fixed (its largest-magnitude entry is positive),
// so the result is deterministic. InvalidArgument unless n >= 2 and
// 1 <= k <= dim.
Status FitPca(size_t n, const float* vectors, size_t dim, size_t k, Pca* out);

// out (n x k, row-major) = (vectors - mean) . components^T.
void ProjectPca(const Pca& pca, size_t n, const float* vectors, float* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_PCA_H_

// Iterative quantisation (Gong & Lazebnik, CVPR 2011; PAMI 2013): the
// rotation R of centred, PCA-projected data V (n x c) that locally minimises
// the quantisation loss ||B - V R||_F^2 over binary B (entries +-1) and
// orthogonal R, by alternating
//   B = sign(V R)               (the best B for this R; 0 gives +1),
//   R = W U^T, B^T V = U S W^T  (orthogonal Procrustes: the best R for this B).
// Neither step can raise the loss, so the losses are non-increasing up to
// rounding. The first step of PCA+ITQ training (pca_hash.h); internal.
//
// Deterministic: the initial rotation comes from DrawStandardNormals, and
// the n x c products run in fixed-size row chunks summed in a fixed order,
// so the same input gives the same rotation whatever the number of threads
// (on a given build and machine: float products differ with SIMD width).
//
// Thread safety: a pure function; it runs the chunks on one thread per core.
#ifndef SEMHASH_ENGINE_ENCODERS_ITQ_H_
#define SEMHASH_ENGINE_ENCODERS_ITQ_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace semhash {

struct ItqRotation {
  size_t bits = 0;               // c.
  std::vector<double> rotation;  // c x c, row-major, orthogonal.
  // losses[t] = ||sign(V R_t) - V R_t||_F^2 for the rotation R_t after t
  // iterations; losses[0] is the initial random rotation's.
  std::vector<double> losses;
};

// Runs `iterations` rounds of ITQ on `n` rows of `c` floats, row-major,
// starting from the orthogonal factor (QR) of a c x c standard-normal matrix
// drawn from stream `stream` of `seed` (DrawStandardNormals). Calls
// `after_iteration` (if not empty) after each round, on the calling thread.
// REQUIRES: n >= 1, c >= 1; every value of `projected` finite.
ItqRotation FitItqRotation(size_t n, size_t c, const float* projected,
                           uint64_t seed, uint64_t stream, uint32_t iterations,
                           const std::function<void()>& after_iteration = {});

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_ITQ_H_

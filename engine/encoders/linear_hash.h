// LinearHash: the hash shared by LSH, PCA-sign and PCA+ITQ,
//   bit j of h(x) = 1  iff  w_j . (x - mean) >= t_j,
// and the routines that encode blocks of vectors with it (internal).
//
// Encoding is a deterministic function of the vector and the model: it does
// not depend on how vectors are batched, on the block size, nor on the SIMD
// width Eigen was built with. The projections come from a float matrix
// product; a bit whose projection lies within that product's rounding error
// bound of the threshold is decided again by a double-precision dot product
// in a fixed order (block_encoding.h). So a vector encodes identically at
// insert time and at query time, and an address equals the prefix of a code
// made by the same hyperplanes. (A finite input whose x - mean overflows float,
// i.e. values near FLT_MAX, still gets deterministic bits, but meaningless
// ones.)
//
// Thread safety: a LinearHashEncoder is immutable once made; its Encode*
// methods may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_LINEAR_HASH_H_
#define SEMHASH_ENGINE_ENCODERS_LINEAR_HASH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash {

struct LinearHash {
  uint32_t bits = 0;
  uint32_t input_dim = 0;
  std::vector<float> mean;        // input_dim values.
  std::vector<float> weights;     // bits x input_dim, row-major.
  std::vector<float> thresholds;  // bits values.
};

// OK if the vector sizes agree with `bits` and `input_dim` (both non-zero)
// and every value is finite; otherwise Corruption naming the first problem.
// Bit-count ranges depend on the role of the hash and are checked by callers.
Status CheckLinearHash(const LinearHash& hash);

// Encodes vectors with a LinearHash it owns. Construction computes what
// every call needs (the weights' row norms, for the rounding bound), so make
// one per hash and reuse it.
class LinearHashEncoder {
 public:
  // REQUIRES: CheckLinearHash(hash).ok().
  explicit LinearHashEncoder(LinearHash hash);

  const LinearHash& hash() const { return hash_; }

  // Writes the bits of each of `n` vectors (row-major, input_dim floats
  // each) packed as codes: codes[i * bits / 8, (i + 1) * bits / 8).
  // REQUIRES: hash().bits % 8 == 0; every value of `vectors` finite.
  void EncodeToCodes(size_t n, const float* vectors, uint8_t* codes) const;

  // Writes the bits of each of `n` vectors as addresses[i] (bit 0 is the
  // most significant used bit, as in semhash/codes.h).
  // REQUIRES: hash().bits <= 32; every value of `vectors` finite.
  void EncodeToAddresses(size_t n, const float* vectors,
                         Address* addresses) const;

 private:
  LinearHash hash_;
  // Per bit j: |w_j| times the relative error bound of a float dot product
  // of length input_dim.
  std::vector<double> weight_slack_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_LINEAR_HASH_H_

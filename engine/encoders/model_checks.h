// The checks Encoder::Load makes of a model's hashes, whatever their kind
// (internal): CheckLinearHash(es) (linear_encoder.h) and
// CheckSpectralHash(es) (spectral_encoder.h) are made of these. Each returns
// Corruption naming the first problem; tests match the messages, so keep
// their wording.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_MODEL_CHECKS_H_
#define SEMHASH_ENGINE_ENCODERS_MODEL_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/status.h"

namespace semhash {

// The widths of one hash: it makes `bits` bits of `input_dim` floats.
struct HashShape {
  uint32_t bits = 0;
  uint32_t input_dim = 0;
};

// "bits is 0" or "input_dim is 0".
Status CheckHashShape(HashShape hash);

// "<field> has <actual> values, expected <expected>".
Status CheckFieldSize(const char* field, size_t actual, size_t expected);

// "<field>[<i>] is not finite" for the first such value.
Status CheckFieldFinite(const char* field, const std::vector<float>& values);

// The address hash's and the code hash's widths in range
// (encoder_bit_widths.h), and the same input_dim.
Status CheckHashPairShapes(HashShape address, HashShape code);

// An encoder's two hashes: each passes `check_hash` (its error prefixed with
// "address hash: " or "code hash: "), then CheckHashPairShapes.
template <typename Hash>
Status CheckHashPair(const Hash& address, const Hash& code,
                     Status (*check_hash)(const Hash&)) {
  Status s = check_hash(address).WithContext("address hash");
  if (s.ok()) s = check_hash(code).WithContext("code hash");
  if (s.ok()) {
    s = CheckHashPairShapes({address.bits, address.input_dim},
                            {code.bits, code.input_dim});
  }
  return s;
}

// The model's own input_dim equals its hashes'.
Status CheckModelInputDim(uint32_t model_input_dim, uint32_t hash_input_dim);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_MODEL_CHECKS_H_

// LinearEncoder: the Encoder of every kind made of two linear hashes, an
// address and a long code (lsh, pcah, itq), and the checks their trainers and
// Encoder::Load share (internal). Only training differs between the kinds:
// lsh_encoder.h, pca_hash.h.
//
// Thread safety: a LinearEncoder is immutable; Encode may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_LINEAR_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_LINEAR_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/encoders/hash_pair_encoder.h"
#include "engine/encoders/linear_hash.h"
#include "semhash/encoder_training.h"

namespace semhash {

// True for the kinds a LinearEncoder implements: lsh, pcah and itq.
bool IsLinearEncoderKind(std::string_view kind);

// The Encoder of the linear kinds: two linear hashes (hash_pair_encoder.h).
class LinearEncoder final : public HashPairEncoder<LinearHashEncoder> {
 public:
  // REQUIRES: IsLinearEncoderKind(kind); `params` canonical for `kind`
  // (encoder_params.h); CheckLinearHashes(address, code).ok().
  LinearEncoder(std::string kind, std::string params, LinearHash address,
                LinearHash code);

  std::string Serialize() const override;
};

// A LinearEncoder of `kind` whose params() record `options` (whatever
// options.kind says). REQUIRES: as for the constructor.
std::unique_ptr<Encoder> NewLinearEncoder(std::string_view kind,
                                          const EncoderOptions& options,
                                          LinearHash address, LinearHash code);

// OK if `address` and `code` are valid hashes (CheckLinearHash) of the same
// input_dim with bit counts in range: address 1..32, code a multiple of 64
// in 64..1024. Corruption naming the problem otherwise.
Status CheckLinearHashes(const LinearHash& address, const LinearHash& code);

// The checks every linear trainer makes: at least `min_vectors` (>= 1)
// vectors, dim > 0, bit counts in range (as above), a model under 2 GiB and
// finite values. InvalidArgument naming the problem otherwise.
Status CheckLinearTraining(const EncoderOptions& options, size_t min_vectors,
                           size_t n, const float* vectors, size_t dim);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_LINEAR_ENCODER_H_

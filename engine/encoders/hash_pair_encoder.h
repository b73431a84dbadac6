// HashPairEncoder: what every Encoder made of two hashes of the same input
// has in common (internal): an address hash and a code hash, its identity,
// its widths, and Encode with its argument checks. LinearEncoder
// (linear_encoder.h) and SpectralEncoder (spectral_encoder.h) derive from
// it and add their model's serialization.
//
// HashEncoder is LinearHashEncoder or SpectralHashEncoder: hash() with `bits`
// and `input_dim`, EncodeToAddresses and EncodeToCodes.
//
// Thread safety: immutable; Encode may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_HASH_PAIR_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_HASH_PAIR_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "semhash/encoder.h"

namespace semhash {

// OK if Encode may write `n` codes: dim == input_dim, and, unless n == 0,
// non-null buffers and finite vectors. InvalidArgument naming the problem
// otherwise.
Status CheckEncodeArguments(size_t n, const float* vectors, size_t dim,
                            uint32_t input_dim, const Address* addresses,
                            const uint8_t* codes);

template <typename HashEncoder>
class HashPairEncoder : public Encoder {
 public:
  const std::string& kind() const override { return kind_; }
  const std::string& params() const override { return params_; }
  uint32_t input_dim() const override { return address_.hash().input_dim; }
  uint32_t address_bits() const override { return address_.hash().bits; }
  uint32_t code_bits() const override { return code_.hash().bits; }

  Status Encode(size_t n, const float* vectors, size_t dim, Address* addresses,
                uint8_t* codes) const override {
    const Status s =
        CheckEncodeArguments(n, vectors, dim, input_dim(), addresses, codes);
    if (!s.ok() || n == 0) return s;
    address_.EncodeToAddresses(n, vectors, addresses);
    code_.EncodeToCodes(n, vectors, codes);
    return Status::OK();
  }

 protected:
  // `address` and `code` are the hashes HashEncoder is made from.
  template <typename Hash>
  HashPairEncoder(std::string kind, std::string params, Hash address, Hash code)
      : kind_(std::move(kind)),
        params_(std::move(params)),
        address_(std::move(address)),
        code_(std::move(code)) {}

  const HashEncoder& address() const { return address_; }
  const HashEncoder& code() const { return code_; }

 private:
  const std::string kind_;
  const std::string params_;
  const HashEncoder address_;
  const HashEncoder code_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_HASH_PAIR_ENCODER_H_

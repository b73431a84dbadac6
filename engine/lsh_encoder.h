// LshEncoder: the Encoder of kind "lsh", random-hyperplane hashing (Charikar
// 2002), trained by TrainLshEncoder (semhash/encoder.h) and loaded by
// Encoder::Load (internal).
//
// The hyperplanes are drawn from the seed alone, identically on every
// platform with IEEE-754 double arithmetic (not x87 extended precision):
// DrawStandardNormals below. The address uses stream kLshAddressStream of the
// seed and the code stream kLshCodeStream, so the two are independent.
//
// Thread safety: an LshEncoder is immutable; Encode may run concurrently.
#ifndef SEMHASH_ENGINE_LSH_ENCODER_H_
#define SEMHASH_ENGINE_LSH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/linear_hash.h"
#include "semhash/encoder.h"

namespace semhash {

inline constexpr char kLshKind[] = "lsh";
inline constexpr uint64_t kLshAddressStream = 1;
inline constexpr uint64_t kLshCodeStream = 2;

class LshEncoder final : public Encoder {
 public:
  // REQUIRES: CheckLshHashes(address, code).ok().
  LshEncoder(uint64_t seed, LinearHash address, LinearHash code);

  const std::string& kind() const override { return kind_; }
  const std::string& params() const override { return params_; }
  uint32_t input_dim() const override { return address_.hash().input_dim; }
  uint32_t address_bits() const override { return address_.hash().bits; }
  uint32_t code_bits() const override { return code_.hash().bits; }

  Status Encode(size_t n, const float* vectors, size_t dim, Address* addresses,
                uint8_t* codes) const override;
  std::string Serialize() const override;

 private:
  const std::string kind_ = kLshKind;
  const std::string params_;
  const LinearHashEncoder address_;
  const LinearHashEncoder code_;
};

// "seed=<seed>", the canonical params of an LSH encoder.
std::string FormatLshParams(uint64_t seed);

// Parses canonical LSH params (exactly what FormatLshParams writes).
// Corruption otherwise.
Status ParseLshParams(std::string_view params, uint64_t* seed);

// OK if `address` and `code` are valid hashes (CheckLinearHash) of the same
// input_dim with bit counts in range: address 1..32, code a multiple of 64
// in 64..1024. Corruption naming the problem otherwise.
Status CheckLshHashes(const LinearHash& address, const LinearHash& code);

// Fills out[0, n) with standard normal samples from stream `stream` of
// `seed`: splitmix64 started at Mix64(seed ^ Mix64(stream)) (Mix64 being the
// splitmix64 output function), turned into normals by Marsaglia's polar
// method in double, each rounded to float. Only correctly rounded operations
// are used (+ - * / fma sqrt frexp; the logarithm is a series over them), so
// the output depends on nothing but (seed, stream, n). Changing any of this
// changes what an "lsh" seed means.
void DrawStandardNormals(uint64_t seed, uint64_t stream, size_t n, float* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_LSH_ENCODER_H_

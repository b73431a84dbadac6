// Encoder: the function that turns a feature vector into an image's address
// and long code, trained by semhash and stored in the database with it.
//
// An encoder is trained once (Train* functions below), persisted through
// Serialize() when a database is created with it (Options::encoder), and
// loaded back by DB::Open, so queries are encoded by the very model that built
// the index without the application repeating its parameters.
//
// Thread safety: an Encoder is immutable once made; Encode may be called from
// many threads at once.
#ifndef SEMHASH_ENCODER_H_
#define SEMHASH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash {

class Encoder {
 public:
  virtual ~Encoder() = default;

  // The encoder family, e.g. "lsh". Persisted; part of the identity.
  virtual const std::string& kind() const = 0;
  // The training parameters in canonical "key=value,key=value" form, e.g.
  // "seed=42". Persisted; part of the identity.
  virtual const std::string& params() const = 0;

  virtual uint32_t input_dim() const = 0;
  virtual uint32_t address_bits() const = 0;
  virtual uint32_t code_bits() const = 0;

  // Encodes `n` vectors of input_dim() floats each, row-major, into
  // addresses[n] and codes[n * code_bits() / 8] (packed as in codes.h).
  // Returns InvalidArgument if `dim` differs from input_dim() or a value is
  // not finite; nothing is written to the outputs then.
  virtual Status Encode(size_t n, const float* vectors, size_t dim,
                        Address* addresses, uint8_t* codes) const = 0;

  // The persisted model: format/encoder_model.fbs, described in
  // docs/format.md. Load() reads it back.
  virtual std::string Serialize() const = 0;

  // Reads a model written by Serialize(). Corruption if the bytes are not a
  // valid model.
  static Status Load(std::string_view bytes, std::unique_ptr<Encoder>* out);
};

// Random-hyperplane LSH (Charikar 2002): bit j is 1 iff r_j . (x - mean) >= 0
// with r_j drawn from a standard normal distribution. The address and the
// long code use independent hyperplanes.
struct LshOptions {
  uint32_t address_bits = 30;
  uint32_t code_bits = 256;
  uint64_t seed = 42;
};

// Trains LSH on `n` vectors of `dim` floats: the mean is estimated from them,
// the hyperplanes are drawn from `seed` alone (deterministic on every
// platform). InvalidArgument on n == 0, dim == 0, non-finite values or bit
// counts out of range (address 1..32, code a multiple of 64 in 64..1024).
Status TrainLshEncoder(const LshOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENCODER_H_

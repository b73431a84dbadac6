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
  // "sample=0,seed=42". Persisted; part of the identity.
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

// The encoder families semhash trains; Encoder::kind() names them.
// Random hyperplanes (Charikar 2002): bit j is 1 iff r_j . (x - mean) >= 0,
// r_j standard normal. Learns only the mean.
inline constexpr char kLshEncoder[] = "lsh";
// PCA-sign: the signs of the top principal components.
inline constexpr char kPcahEncoder[] = "pcah";
// PCA + iterative quantisation (Gong & Lazebnik, CVPR 2011): PCA to `bits`
// dimensions, then a rotation that minimises the quantisation loss.
inline constexpr char kItqEncoder[] = "itq";
// Spectral hashing (Weiss, Torralba & Fergus, NIPS 2008): thresholded
// analytical Laplacian eigenfunctions along the principal directions.
inline constexpr char kSpectralEncoder[] = "sh";

struct EncoderOptions {
  // One of the kinds above.
  std::string kind = kLshEncoder;
  // Width of the address, 1..32 (a database needs 8..32). The address is a
  // model of its own, trained separately from the long code: a 30-bit ITQ
  // address is a far better probe than the first 30 bits of a 256-bit code.
  uint32_t address_bits = 30;
  // Width of the long code: a multiple of 64 in 64..1024; pcah and itq make
  // one bit per principal direction, so at most the input dimension.
  uint32_t code_bits = 256;
  // Seeds the hyperplanes (lsh), ITQ's initial rotation and the training
  // sample. Training is deterministic for a given seed and input.
  uint64_t seed = 42;
  // Train on this many vectors drawn at random (seeded) from the input; 0 or
  // at least the input's size: all of them.
  size_t training_sample = 0;
  // itq only: rounds of alternating binarisation and Procrustes rotation.
  uint32_t itq_iterations = 50;
};

// Trains an encoder on `n` vectors of `dim` floats, row-major. Its params()
// record every option above that applies to its kind, in canonical form
// ("iterations=50,sample=0,seed=42"). InvalidArgument on an unknown kind,
// n == 0 (pcah, itq, sh: fewer than 2 vectors), dim == 0, non-finite values
// or bit counts out of range.
Status TrainEncoder(const EncoderOptions& options, size_t n,
                    const float* vectors, size_t dim,
                    std::unique_ptr<Encoder>* out);

// Writes `encoder` to the file `path` as one checksummed encoder-model frame
// (docs/format.md, "Model files"), atomically: after a crash the file holds
// the old contents or the new, never a mix. IOError if it cannot.
Status SaveEncoder(const Encoder& encoder, const std::string& path);

// Reads a file written by SaveEncoder: IOError if unreadable, Corruption if
// damaged, NotSupported for a kind this semhash does not know.
Status LoadEncoderFile(const std::string& path, std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENCODER_H_

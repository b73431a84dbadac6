// Encoder: the function that turns a feature vector into an image's address
// and long code, trained by semhash and stored in the database with it.
//
// An encoder is trained once (TrainEncoder, semhash/encoder_training.h),
// persisted through Serialize() when a database is created with it
// (Options::encoder), and loaded back by DB::Open, so queries are encoded by
// the very model that built the index without the application repeating its
// parameters. A storage user needs only this header.
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
#include "semhash/export.h"
#include "semhash/status.h"

namespace semhash {

class SEMHASH_EXPORT Encoder {
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

  // Encoders trained with labels (ssdh) keep their classifier: the number of
  // classes it tells apart; 0 for every other encoder.
  virtual uint32_t class_count() const { return 0; }
  // For each of `n` vectors, the most probable class (0..class_count()-1)
  // and its probability, into classes[n] and probabilities[n].
  // NotSupported if class_count() is 0; InvalidArgument as for Encode.
  virtual Status Classify(size_t n, const float* vectors, size_t dim,
                          uint32_t* classes, float* probabilities) const;

  // The persisted model: format/encoder_model.fbs, described in
  // docs/format.md. Load() reads it back.
  virtual std::string Serialize() const = 0;

  // Reads a model written by Serialize(). Corruption if the bytes are not a
  // valid model.
  static Status Load(std::string_view bytes, std::unique_ptr<Encoder>* out);
};

// The encoder families; Encoder::kind() names them and a database persists
// the name. semhash/encoder_training.h describes how each is trained. A
// semhash built without LibTorch encodes with every stored model but
// torchscript; it cannot train autoencoder or ssdh.
inline constexpr char kLshEncoder[] = "lsh";    // Random hyperplanes.
inline constexpr char kPcahEncoder[] = "pcah";  // PCA-sign.
inline constexpr char kItqEncoder[] = "itq";    // PCA + iterative quantisation.
inline constexpr char kSpectralEncoder[] = "sh";  // Spectral hashing.
inline constexpr char kAutoencoderEncoder[] = "autoencoder";  // Deep.
inline constexpr char kSsdhEncoder[] = "ssdh";  // Deep; keeps a classifier.
// A TorchScript module of the user's, stored in the database.
inline constexpr char kTorchScriptEncoder[] = "torchscript";

// Writes `encoder` to the file `path` as one checksummed encoder-model frame
// (docs/format.md, "Model files"), atomically: after a crash the file holds
// the old contents or the new, never a mix. IOError if it cannot.
SEMHASH_EXPORT Status SaveEncoder(const Encoder& encoder,
                                  const std::string& path);

// Reads a file written by SaveEncoder: IOError if unreadable, Corruption if
// damaged, NotSupported for a kind this semhash does not know.
SEMHASH_EXPORT Status LoadEncoderFile(const std::string& path,
                                      std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENCODER_H_

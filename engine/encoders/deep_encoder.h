// DeepEncoder: the Encoder of the deep kinds, "autoencoder" and "ssdh"
// (semhash/encoder.h), made by their trainers (deep_trainers.h) and loaded
// by Encoder::Load through LoadDeepModel (internal). Persisted as the
// DeepHash table of format/encoder_model.fbs; docs/format.md, "Deep hash".
//
// The model is four NeuralNets (neural_net.h):
//   trunk       input vector -> features, shared by both heads (ssdh: the
//               CNN or MLP; autoencoder: no layers, the identity);
//   address     features -> address_bits pre-activations;
//   code        features -> code_bits pre-activations;
//   classifier  sigmoid(code pre-activations) -> class logits (ssdh only;
//               no layers and no classes otherwise).
// Bit j is 1 iff pre-activation j >= 0, i.e. its logistic unit >= 0.5.
//
// Thread safety: immutable; Encode and Classify may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_DEEP_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_DEEP_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/encoders/neural_net.h"
#include "semhash/encoder.h"

namespace semhash {

namespace fb {
struct EncoderModel;
}  // namespace fb

struct DeepHash {
  NeuralNet trunk;
  NeuralNet address;
  NeuralNet code;
  NeuralNet classifier;  // Empty (no layers) unless classes > 0.
  uint32_t classes = 0;
};

// Corruption naming the first problem unless the nets fit together: the
// heads take the trunk's output size and give address_bits (1..32) and
// code_bits (a multiple of 64 in 64..1024) values; with classes > 0 the
// classifier takes code_bits values and gives `classes`.
Status CheckDeepHash(const DeepHash& hash);

// A DeepEncoder of `kind` ("autoencoder" or "ssdh") over `hash`, which must
// pass CheckDeepHash.
std::unique_ptr<Encoder> MakeDeepEncoder(std::string kind, std::string params,
                                         DeepHash hash);

// Reads the DeepHash of a verified model of a deep kind: Corruption if it
// is missing or malformed, NotSupported for an unknown layer kind.
Status LoadDeepModel(const fb::EncoderModel& model, std::string_view kind,
                     std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_DEEP_ENCODER_H_

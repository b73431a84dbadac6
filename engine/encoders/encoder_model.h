// The persisted encoder model (format/encoder_model.fbs, laid out in
// docs/format.md): writing it for encoders made of two linear hashes (LSH,
// PCA-sign and PCA+ITQ). Reading it back is Encoder::Load (declared in
// semhash/encoder.h), defined in encoder_model.cc with the writer (internal).
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_ENCODER_MODEL_H_
#define SEMHASH_ENGINE_ENCODERS_ENCODER_MODEL_H_

#include <string>
#include <string_view>

#include "engine/encoders/linear_hash.h"

namespace semhash {

// The model bytes for an encoder of kind `kind` with canonical parameters
// `params`, whose input_dim is address.input_dim. The same arguments always
// give the same bytes. The hashes are written as given, unchecked: Load is
// what rejects an inconsistent model.
// REQUIRES: the model is smaller than 2 GiB (CheckLinearTraining ensures it).
std::string SerializeLinearModel(std::string_view kind, std::string_view params,
                                 const LinearHash& address,
                                 const LinearHash& code);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_ENCODER_MODEL_H_

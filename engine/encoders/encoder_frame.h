// The checksummed frame around a serialized encoder model, as stored under a
// database's "encoder" key and as a model file (docs/format.md).
#ifndef SEMHASH_ENGINE_ENCODERS_ENCODER_FRAME_H_
#define SEMHASH_ENGINE_ENCODERS_ENCODER_FRAME_H_

#include <string>
#include <string_view>

#include "semhash/encoder.h"

namespace semhash {

std::string EncodeEncoderFrame(const Encoder& encoder);

// Verifies the frame; *model then points at the model bytes inside `framed`.
Status DecodeEncoderFrame(std::string_view framed, std::string_view* model);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_ENCODER_FRAME_H_

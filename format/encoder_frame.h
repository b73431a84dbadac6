// The encoder-model frame: the checksummed envelope (frame.h, kind 2) around
// a serialized encoder model (Encoder::Serialize, format/encoder_model.fbs),
// as stored under a database's "encoder" key and as a model file. Layout:
// docs/format.md, "Encoder model (kind 2)" and "Model files". The model bytes
// are opaque here, so format/ needs no encoder code.
//
// Thread safety: pure functions.
#ifndef SEMHASH_FORMAT_ENCODER_FRAME_H_
#define SEMHASH_FORMAT_ENCODER_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kEncoderFrameVersion = 1;

// The frame of the serialized model `model`.
std::string EncodeEncoderFrame(std::string_view model);

// Verifies the frame; *model then points at the model bytes inside `framed`.
// Corruption naming the problem otherwise.
Status DecodeEncoderFrame(std::string_view framed, std::string_view* model);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_ENCODER_FRAME_H_

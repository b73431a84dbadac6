// TorchScriptEncoder: the Encoder of kind "torchscript" (semhash/encoder.h),
// a user's TorchScript module stored in the database, made by
// MakeTorchScriptEncoder (deep_trainers.h) and loaded by Encoder::Load
// through LoadTorchScriptModel (internal). Persisted as the
// TorchScriptModule table of format/encoder_model.fbs; docs/format.md.
//
// Running TorchScript needs LibTorch: without it,
// LoadTorchScriptModel returns NotSupported naming the missing part, so a
// database holding such a model cannot be opened by that build.
#ifndef SEMHASH_ENGINE_TORCHSCRIPT_ENCODER_H_
#define SEMHASH_ENGINE_TORCHSCRIPT_ENCODER_H_

#include <memory>

#include "semhash/encoder.h"

namespace semhash {

namespace fb {
struct EncoderModel;
}  // namespace fb

// Reads the TorchScriptModule of a verified model of kind "torchscript":
// Corruption if it is missing, malformed or not a loadable module.
Status LoadTorchScriptModel(const fb::EncoderModel& model,
                            std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_TORCHSCRIPT_ENCODER_H_

// TorchScriptEncoder: the Encoder of kind "torchscript" (semhash/encoder.h),
// a user's TorchScript module stored in the database, made by
// MakeTorchScriptEncoder (deep_trainers.h) and loaded by Encoder::Load
// through LoadTorchScriptModel (internal). Persisted as the TorchScriptModule
// table of format/encoder_model.fbs; docs/format.md, "Encoder model".
//
// The module runs in eval mode, without autograd, on batches of at most 256
// vectors ([rows, input_dim] float32, a copy of the caller's); bit j of a
// vector is 1 iff its output j >= the threshold, compared in double. Its
// outputs are whatever LibTorch computes: they may differ in the last place
// with the batch a vector is in, so an output that close to the threshold
// may give either bit.
//
// Running TorchScript needs LibTorch: this encoder lives in the LibTorch
// module (torch_module.h). Without it (no SEMHASH_HAVE_TORCH, or a module
// that does not load), LoadTorchScriptModel returns NotSupported naming the
// missing part, so a database holding such a model cannot be opened.
//
// Thread safety: immutable to its callers; Encode may be called from many
// threads, which take turns to run the module (a module's methods may change
// its attributes, so two calls never run it at once).
#ifndef SEMHASH_ENGINE_ENCODERS_TORCHSCRIPT_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_TORCHSCRIPT_ENCODER_H_

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

#endif  // SEMHASH_ENGINE_ENCODERS_TORCHSCRIPT_ENCODER_H_

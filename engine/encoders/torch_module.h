// The LibTorch module (internal): libsemhash_torch.so holds the deep
// trainers and the torchscript encoder (deep_trainers.h,
// torchscript_encoder.h), with its own copy of the engine code they use, and
// exports one function, which returns a table of them. libsemhash loads it
// the first time one is called (torch_module_loader.cc) and never unloads
// it, since the encoders it makes run its code.
//
// Why a module: loading LibTorch costs about 0.8 s of CPU and maps some 280
// shared libraries (Debian's libtorch brings OpenCV and FFmpeg); linked into
// libsemhash, every process would pay that at start, each test and each run
// of the semhash tool. Loaded on demand, only a process that trains a deep
// encoder or runs a TorchScript module does.
//
// The module and libsemhash come from the same build: the table's layout is
// checked by its version only.
//
// Thread safety: the table is immutable; its functions are as thread-safe
// as the ones they name.
#ifndef SEMHASH_ENGINE_ENCODERS_TORCH_MODULE_H_
#define SEMHASH_ENGINE_ENCODERS_TORCH_MODULE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "semhash/encoder_training.h"

namespace semhash {

namespace fb {
struct EncoderModel;
}  // namespace fb

struct TorchModuleFunctions {
  // kTorchModuleVersion of the module's build.
  uint32_t version;
  Status (*train_autoencoder)(const EncoderOptions& options, size_t n,
                              const float* vectors, size_t dim,
                              std::unique_ptr<Encoder>* out);
  Status (*train_ssdh)(const EncoderOptions& options, size_t n,
                       const float* vectors, size_t dim, const uint32_t* labels,
                       std::unique_ptr<Encoder>* out);
  Status (*make_torchscript)(const EncoderOptions& options, size_t n,
                             const float* vectors, size_t dim,
                             std::unique_ptr<Encoder>* out);
  Status (*load_torchscript)(const fb::EncoderModel& model,
                             std::unique_ptr<Encoder>* out);
};

// Bumped whenever TorchModuleFunctions changes.
inline constexpr uint32_t kTorchModuleVersion = 1;

// The name of the module's one exported function, of type
// TorchModuleEntryPoint.
inline constexpr char kTorchModuleEntryPoint[] = "SemhashTorchModuleFunctions";
using TorchModuleEntryPoint = const TorchModuleFunctions* (*)();

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_TORCH_MODULE_H_

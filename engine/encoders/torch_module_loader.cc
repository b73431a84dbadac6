// The deep trainers and the torchscript loader of a semhash built with
// LibTorch (deep_trainers.h, torchscript_encoder.h): each loads the LibTorch
// module (torch_module.h) on first use and calls its function, or says why
// it could not be loaded.
#include <dlfcn.h>

#include <string>

#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/torch_module.h"
#include "engine/encoders/torchscript_encoder.h"

namespace semhash {
namespace {

// The module's table, or why there is none. SEMHASH_TORCH_MODULE is the
// module's path in the build tree (engine/CMakeLists.txt).
struct LoadedModule {
  const TorchModuleFunctions* functions = nullptr;
  std::string error;
};

LoadedModule Load() {
  LoadedModule loaded;
  // Never closed: encoders made by the module run its code.
  void* handle = ::dlopen(SEMHASH_TORCH_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    loaded.error = ::dlerror();
    return loaded;
  }
  const auto entry = reinterpret_cast<TorchModuleEntryPoint>(
      ::dlsym(handle, kTorchModuleEntryPoint));
  if (entry == nullptr) {
    loaded.error = ::dlerror();
    return loaded;
  }
  if (entry()->version != kTorchModuleVersion) {
    loaded.error = std::string(SEMHASH_TORCH_MODULE) + " is of version " +
                   std::to_string(entry()->version) + ", not " +
                   std::to_string(kTorchModuleVersion);
    return loaded;
  }
  loaded.functions = entry();
  return loaded;
}

// Loaded once per process, by the first caller; immutable afterwards.
const LoadedModule& Module() {
  static const LoadedModule module = Load();
  return module;
}

Status NotLoaded(const char* what) {
  return Status::NotSupported(std::string(what) +
                              " needs LibTorch, whose semhash module did not "
                              "load: " +
                              Module().error);
}

}  // namespace

bool HaveTorch() { return Module().functions != nullptr; }

Status TrainAutoencoderEncoder(const EncoderOptions& options, size_t n,
                               const float* vectors, size_t dim,
                               std::unique_ptr<Encoder>* out) {
  if (!HaveTorch()) return NotLoaded("training the autoencoder encoder");
  return Module().functions->train_autoencoder(options, n, vectors, dim, out);
}

Status TrainSsdhEncoder(const EncoderOptions& options, size_t n,
                        const float* vectors, size_t dim,
                        const uint32_t* labels, std::unique_ptr<Encoder>* out) {
  if (!HaveTorch()) return NotLoaded("training the ssdh encoder");
  return Module().functions->train_ssdh(options, n, vectors, dim, labels, out);
}

Status MakeTorchScriptEncoder(const EncoderOptions& options, size_t n,
                              const float* vectors, size_t dim,
                              std::unique_ptr<Encoder>* out) {
  if (!HaveTorch()) return NotLoaded("the torchscript encoder");
  return Module().functions->make_torchscript(options, n, vectors, dim, out);
}

Status LoadTorchScriptModel(const fb::EncoderModel& model,
                            std::unique_ptr<Encoder>* out) {
  if (!HaveTorch()) return NotLoaded("a torchscript encoder model");
  return Module().functions->load_torchscript(model, out);
}

}  // namespace semhash

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

// The module's table, or why there is none.
struct LoadedModule {
  const TorchModuleFunctions* functions = nullptr;
  std::string error;
};

// Where the module is (engine/CMakeLists.txt). libsemhash.so looks beside
// the file it was itself loaded from (SEMHASH_TORCH_MODULE_BESIDE, a path
// relative to that file's directory), so an install works under any
// prefix; the build tree's internal archive, linked into programs in
// several directories, names the module's path there (SEMHASH_TORCH_MODULE).
std::string ModulePath() {
#ifdef SEMHASH_TORCH_MODULE
  return SEMHASH_TORCH_MODULE;
#else
  Dl_info self;
  if (::dladdr(reinterpret_cast<void*>(&ModulePath), &self) == 0 ||
      self.dli_fname == nullptr) {
    return SEMHASH_TORCH_MODULE_BESIDE;  // dlopen then says it is missing.
  }
  const std::string library = self.dli_fname;
  const size_t slash = library.rfind('/');
  const std::string directory =
      slash == std::string::npos ? "." : library.substr(0, slash);
  return directory + "/" + SEMHASH_TORCH_MODULE_BESIDE;
#endif
}

LoadedModule Load() {
  LoadedModule loaded;
  const std::string path = ModulePath();
  // Never closed: encoders made by the module run its code.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
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
    loaded.error = path + " is of version " + std::to_string(entry()->version) +
                   ", not " + std::to_string(kTorchModuleVersion);
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

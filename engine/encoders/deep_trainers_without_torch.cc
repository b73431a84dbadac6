// The deep trainers and the TorchScript loader of a semhash built without
// LibTorch (deep_trainers.h, torchscript_encoder.h): each says what is
// missing. Models already trained still encode (deep_encoder.h).
#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/torchscript_encoder.h"

namespace semhash {
namespace {

Status NoTorch(const char* what) {
  return Status::NotSupported(
      std::string(what) +
      " needs LibTorch, and this semhash was built without it (install "
      "libtorch-dev and reconfigure with -DSEMHASH_WITH_TORCH=ON)");
}

}  // namespace

bool HaveTorch() { return false; }

Status TrainAutoencoderEncoder(const EncoderOptions&, size_t, const float*,
                               size_t, std::unique_ptr<Encoder>*) {
  return NoTorch("training the autoencoder encoder");
}

Status TrainSsdhEncoder(const EncoderOptions&, size_t, const float*, size_t,
                        const uint32_t*, std::unique_ptr<Encoder>*) {
  return NoTorch("training the ssdh encoder");
}

Status MakeTorchScriptEncoder(const EncoderOptions&, size_t, const float*,
                              size_t, std::unique_ptr<Encoder>*) {
  return NoTorch("the torchscript encoder");
}

Status LoadTorchScriptModel(const fb::EncoderModel&,
                            std::unique_ptr<Encoder>*) {
  return NoTorch("a torchscript encoder model");
}

}  // namespace semhash

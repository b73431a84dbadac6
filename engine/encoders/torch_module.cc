// The LibTorch module's entry point (see torch_module.h): the table of the
// deep trainers and the torchscript encoder functions compiled beside it.
#include "engine/encoders/torch_module.h"

#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/torchscript_encoder.h"

extern "C" __attribute__((visibility("default")))
const semhash::TorchModuleFunctions*
SemhashTorchModuleFunctions() {
  static constexpr semhash::TorchModuleFunctions kFunctions = {
      semhash::kTorchModuleVersion, semhash::TrainAutoencoderEncoder,
      semhash::TrainSsdhEncoder, semhash::MakeTorchScriptEncoder,
      semhash::LoadTorchScriptModel};
  return &kFunctions;
}

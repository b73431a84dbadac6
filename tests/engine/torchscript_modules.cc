// TorchScript modules for the tests (see torchscript_modules.h).
#include "torchscript_modules.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <exception>

namespace semhash::testing {

void SaveTorchScriptModule(const std::string& path,
                           const std::vector<ModuleParameter>& parameters,
                           const std::string& source) {
  try {
    torch::jit::Module module("TestModule");
    for (const ModuleParameter& parameter : parameters) {
      std::vector<float> values = parameter.values;
      module.register_parameter(
          parameter.name,
          torch::from_blob(values.data(), {parameter.rows, parameter.cols},
                           torch::kFloat32)
              .clone(),
          /*is_buffer=*/false);
    }
    module.define(source);
    module.save(path);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "saving " << path << ": " << e.what();
  }
}

}  // namespace semhash::testing

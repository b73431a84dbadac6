// TorchScript modules for the torchscript encoder's tests, saved from C++
// as torch.jit.save would: the one test file that includes LibTorch, whose
// headers take some 20 s to compile per file.
#ifndef SEMHASH_TESTS_ENGINE_TORCHSCRIPT_MODULES_H_
#define SEMHASH_TESTS_ENGINE_TORCHSCRIPT_MODULES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace semhash::testing {

// A float32 matrix parameter of a module, `rows` x `cols`, row-major.
struct ModuleParameter {
  std::string name;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;
};

// Saves to `path` a module with these parameters whose methods are the
// TorchScript `source` (defining at least forward(self, x)). Fails the
// current test if LibTorch refuses the source or cannot write the file.
void SaveTorchScriptModule(const std::string& path,
                           const std::vector<ModuleParameter>& parameters,
                           const std::string& source);

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_TORCHSCRIPT_MODULES_H_

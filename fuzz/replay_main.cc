// Replay driver: the main() of a fuzz target built without libFuzzer (gcc,
// SEMHASH_BUILD_FUZZERS off). It runs LLVMFuzzerTestOneInput once on every
// file named on the command line and every file under every directory named,
// so CTest can replay the seed corpora (and any crash file) in a normal
// build. A failed invariant traps; exit status 1 means no input was found.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Files to run: the regular files named, and those under directories named,
// in sorted order so a failure reproduces identically.
bool CollectInputs(int argc, char** argv, std::vector<std::string>* inputs) {
  namespace fs = std::filesystem;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) inputs->push_back(entry.path().string());
      }
    } else if (fs::is_regular_file(arg, ec)) {
      inputs->push_back(arg.string());
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
      return false;
    }
    if (ec) {
      std::fprintf(stderr, "replay: %s: %s\n", argv[i], ec.message().c_str());
      return false;
    }
  }
  std::sort(inputs->begin(), inputs->end());
  return true;
}

// Runs one input from a heap buffer of exactly its size, as libFuzzer does,
// so that an overread is past the allocation.
bool RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  auto copy = std::make_unique<uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), copy.get());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  if (!CollectInputs(argc, argv, &inputs)) return 1;
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...: no input found\n", argv[0]);
    return 1;
  }
  for (const std::string& path : inputs) {
    if (!RunFile(path)) return 1;
  }
  std::fprintf(stderr, "replay: %zu inputs, no failure\n", inputs.size());
  return 0;
}

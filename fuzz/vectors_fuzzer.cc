// Fuzz target: the feature and label readers (tools/io/vector_file.h),
// io::ReadVectors and io::ReadLabels, on .fvecs, .bvecs and .npy files.
// They take a path and choose the format by its name, so the input goes to
// a scratch file named for the format.
//
// Input: byte 0 picks the format (its value mod 3: .fvecs, .bvecs, .npy);
// byte 1 is `first` (low nibble) and `count` (high nibble) for ReadVectors;
// the rest is the file.
//
// Invariants: on failure the output is unchanged; vectors hold rows x dim
// finite values, dim > 0, at most `count` rows; labels are non-negative.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "tools/io/vector_file.h"

namespace semhash::fuzz {
namespace {

constexpr const char* kFileNames[] = {"input.fvecs", "input.bvecs",
                                      "input.npy"};

bool SameVectors(const io::Vectors& a, const io::Vectors& b) {
  return a.rows == b.rows && a.dim == b.dim && a.values == b.values;
}

io::Vectors SentinelVectors() {
  io::Vectors vectors;
  vectors.rows = 3;
  vectors.dim = 5;
  vectors.values = {1.0f, 2.0f};
  return vectors;
}

void CheckVectors(const std::string& path, size_t first, size_t count) {
  io::Vectors vectors = SentinelVectors();
  if (!io::ReadVectors(path, first, count, &vectors).ok()) {
    FUZZ_CHECK(SameVectors(vectors, SentinelVectors()));
    return;
  }
  FUZZ_CHECK(vectors.dim > 0);
  FUZZ_CHECK(vectors.values.size() == vectors.rows * vectors.dim);
  FUZZ_CHECK(count == 0 || vectors.rows <= count);
  for (const float v : vectors.values) FUZZ_CHECK(std::isfinite(v));
}

void CheckLabels(const std::string& path) {
  const std::vector<int32_t> sentinel = {-1, -2};
  std::vector<int32_t> labels = sentinel;
  if (!io::ReadLabels(path, &labels).ok()) {
    FUZZ_CHECK(labels == sentinel);
    return;
  }
  for (const int32_t label : labels) FUZZ_CHECK(label >= 0);
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  if (size < 2) return 0;
  const char* name = kFileNames[data[0] % 3];
  const size_t first = data[1] & 0x0f;
  const size_t count = data[1] >> 4;
  const std::string path = WriteScratchFile(name, AsView(data + 2, size - 2));
  CheckVectors(path, first, count);
  CheckLabels(path);
  return 0;
}

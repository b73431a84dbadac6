// Fuzz target: the IDX readers (tools/io/idx_file.h), ReadIdxImages and
// ReadIdxLabels. They take a path, so the input goes to a scratch file.
//
// Input: byte 0 is `first` and byte 1 is `limit` (each 0..15, low nibble)
// for ReadIdxImages; the rest is the file, raw or gzip-compressed.
//
// Invariants: on failure the output is unchanged; images hold count x rows x
// cols pixels, no more than `limit` images, and, for a raw file, no more
// bytes than the file has after its header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "tools/io/idx_file.h"

namespace semhash::fuzz {
namespace {

constexpr size_t kImagesHeaderBytes = 16;
constexpr size_t kLabelsHeaderBytes = 8;

bool IsGzip(std::string_view file) {
  return file.size() >= 2 && static_cast<uint8_t>(file[0]) == 0x1f &&
         static_cast<uint8_t>(file[1]) == 0x8b;
}

// Output a failed call must leave as it was.
io::IdxImages SentinelImages() {
  io::IdxImages images;
  images.count = 3;
  images.rows = 5;
  images.cols = 7;
  images.pixels = {1, 2, 3};
  return images;
}

bool SameImages(const io::IdxImages& a, const io::IdxImages& b) {
  return a.count == b.count && a.rows == b.rows && a.cols == b.cols &&
         a.pixels == b.pixels;
}

void CheckImages(const std::string& path, std::string_view file, size_t first,
                 size_t limit) {
  io::IdxImages images = SentinelImages();
  if (!io::ReadIdxImages(path, first, limit, &images).ok()) {
    FUZZ_CHECK(SameImages(images, SentinelImages()));
    return;
  }
  FUZZ_CHECK(images.rows > 0 && images.cols > 0);
  FUZZ_CHECK(images.pixels.size() == images.count * images.dim());
  FUZZ_CHECK(limit == 0 || images.count <= limit);
  if (!IsGzip(file)) {
    FUZZ_CHECK(kImagesHeaderBytes + (first + images.count) * images.dim() <=
               file.size());
  }
}

void CheckLabels(const std::string& path, std::string_view file) {
  const std::vector<uint8_t> sentinel = {9, 8, 7};
  std::vector<uint8_t> labels = sentinel;
  if (!io::ReadIdxLabels(path, &labels).ok()) {
    FUZZ_CHECK(labels == sentinel);
    return;
  }
  FUZZ_CHECK(!labels.empty());
  if (!IsGzip(file)) {
    FUZZ_CHECK(kLabelsHeaderBytes + labels.size() <= file.size());
  }
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  if (size < 2) return 0;
  const size_t first = data[0] & 0x0f;
  const size_t limit = data[1] & 0x0f;
  const std::string_view file = AsView(data + 2, size - 2);
  const std::string path = WriteScratchFile("input.idx", file);
  CheckImages(path, file, first, limit);
  CheckLabels(path, file);
  return 0;
}

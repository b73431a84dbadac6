// Fuzz target: the .npy readers (tools/io/npy_file.h): ReadNpy,
// ReadNpyHeader with CheckNpyDataSize, and the typed readers. They take a
// path, so the input (the whole file) goes to a scratch file.
//
// Invariants: on failure the output is unchanged; an array's data is exactly
// its shape's size and no larger than the file; a header's data offset lies
// in the file; a typed read has the size its shape says; an array read back
// after WriteNpy is the same array.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "tools/io/npy_file.h"

namespace semhash::fuzz {
namespace {

size_t ItemSize(io::NpyType type) {
  switch (type) {
    case io::NpyType::kUint8:
      return 1;
    case io::NpyType::kUint32:
    case io::NpyType::kFloat32:
      return 4;
    case io::NpyType::kUint64:
    case io::NpyType::kInt64:
    case io::NpyType::kFloat64:
      return 8;
  }
  __builtin_trap();
}

bool SameArray(const io::NpyArray& a, const io::NpyArray& b) {
  return a.type == b.type && a.shape == b.shape && a.data == b.data;
}

io::NpyArray SentinelArray() {
  io::NpyArray array;
  array.type = io::NpyType::kFloat64;
  array.shape = {1, 2};
  array.data = {1, 2, 3};
  return array;
}

void CheckRoundTrip(const io::NpyArray& array) {
  const std::string path = ScratchPath("roundtrip.npy");
  const void* data = array.data.empty() ? nullptr : array.data.data();
  // A shape too long for a format 1.0 header cannot be written: fine.
  if (!io::WriteNpy(path, array.type, array.shape, data).ok()) return;
  io::NpyArray again;
  FUZZ_CHECK(io::ReadNpy(path, &again).ok());
  FUZZ_CHECK(SameArray(array, again));
}

void CheckArray(const std::string& path, size_t file_size) {
  io::NpyArray array = SentinelArray();
  if (!io::ReadNpy(path, &array).ok()) {
    FUZZ_CHECK(SameArray(array, SentinelArray()));
    return;
  }
  size_t elements = 1;
  for (const size_t dim : array.shape) elements *= dim;
  FUZZ_CHECK(array.data.size() == elements * ItemSize(array.type));
  FUZZ_CHECK(array.data.size() <= file_size);
  CheckRoundTrip(array);
}

void CheckHeader(const std::string& path, size_t file_size) {
  io::NpyHeader header;
  header.descr = "sentinel";
  if (!io::ReadNpyHeader(path, &header).ok()) {
    FUZZ_CHECK(header.descr == "sentinel" && header.shape.empty());
    return;
  }
  FUZZ_CHECK(header.file_size == file_size);
  FUZZ_CHECK(header.data_offset <= header.file_size);
  for (const size_t item_size : {1, 2, 4, 8}) {
    uint64_t bytes = 0;
    if (io::CheckNpyDataSize(header, item_size, &bytes).ok()) {
      FUZZ_CHECK(header.data_offset + bytes == header.file_size);
    }
  }
}

void CheckTyped(const std::string& path) {
  size_t rows = 11, cols = 13;
  std::vector<uint8_t> u8 = {5};
  if (io::ReadNpyMatrixU8(path, &rows, &cols, &u8).ok()) {
    FUZZ_CHECK(u8.size() == rows * cols);
  } else {
    FUZZ_CHECK(rows == 11 && cols == 13 && u8 == std::vector<uint8_t>{5});
  }
  std::vector<uint32_t> u32 = {5};
  if (!io::ReadNpyVectorU32(path, &u32).ok()) {
    FUZZ_CHECK(u32 == std::vector<uint32_t>{5});
  }
  std::vector<uint64_t> u64 = {5};
  if (!io::ReadNpyVectorU64(path, &u64).ok()) {
    FUZZ_CHECK(u64 == std::vector<uint64_t>{5});
  }
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  const std::string path = WriteScratchFile("input.npy", AsView(data, size));
  CheckArray(path, size);
  CheckHeader(path, size);
  CheckTyped(path);
  return 0;
}

// AlignedBytes: a view of bytes that starts on an 8-byte boundary, copying
// them only when they do not.
//
// FlatBuffers reads scalars in place, so a buffer it verifies or reads must be
// aligned for its widest scalar. A frame's payload starts 6 bytes into the
// value RocksDB returns, so it usually is not.
#ifndef SEMHASH_FORMAT_ALIGNED_BYTES_H_
#define SEMHASH_FORMAT_ALIGNED_BYTES_H_

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace semhash::format {

class AlignedBytes {
 public:
  explicit AlignedBytes(std::string_view bytes)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())),
        size_(bytes.size()) {
    if (reinterpret_cast<uintptr_t>(data_) % alignof(uint64_t) == 0) return;
    storage_.resize(size_ / sizeof(uint64_t) + 1);
    std::memcpy(storage_.data(), bytes.data(), size_);
    data_ = reinterpret_cast<const uint8_t*>(storage_.data());
  }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  std::vector<uint64_t> storage_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_ALIGNED_BYTES_H_

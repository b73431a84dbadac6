// HugePageBuffer: a large anonymous memory mapping, advised to use
// transparent huge pages, for the bulk loader's sort buffers.
//
// Sort buffers of hundreds of megabytes are written once, front to back;
// with 4 KiB pages every page costs a fault (a microsecond or more in a
// virtual machine), with 2 MiB pages 512 times fewer. Pages are only backed
// when first touched, so mapping the whole budget up front costs nothing.
#ifndef SEMHASH_ENGINE_DB_HUGE_PAGE_BUFFER_H_
#define SEMHASH_ENGINE_DB_HUGE_PAGE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <utility>

#include "semhash/status.h"

namespace semhash {

class HugePageBuffer {
 public:
  HugePageBuffer() = default;
  HugePageBuffer(const HugePageBuffer&) = delete;
  HugePageBuffer& operator=(const HugePageBuffer&) = delete;
  HugePageBuffer(HugePageBuffer&& other) noexcept { Swap(&other); }
  HugePageBuffer& operator=(HugePageBuffer&& other) noexcept {
    Release();
    Swap(&other);
    return *this;
  }
  ~HugePageBuffer() { Release(); }

  void Swap(HugePageBuffer* other) {
    std::swap(data_, other->data_);
    std::swap(size_, other->size_);
  }

  // Maps `bytes` bytes (any previous mapping is released). IOError if the
  // system refuses.
  Status Allocate(size_t bytes);
  void Release();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_HUGE_PAGE_BUFFER_H_

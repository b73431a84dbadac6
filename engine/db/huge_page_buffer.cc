// HugePageBuffer (see huge_page_buffer.h).
#include "engine/db/huge_page_buffer.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace semhash {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

}  // namespace

Status HugePageBuffer::Allocate(size_t bytes) {
  Release();
  if (bytes == 0) return Status::OK();
  const size_t mapped =
      (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* data = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data == MAP_FAILED) {
    return Status::IOError("cannot map " + std::to_string(mapped) +
                           " bytes of sort buffer: " + std::strerror(errno));
  }
  // Advice only: without transparent huge pages the buffer still works.
  ::madvise(data, mapped, MADV_HUGEPAGE);
  data_ = static_cast<uint8_t*>(data);
  size_ = mapped;
  return Status::OK();
}

void HugePageBuffer::Release() {
  if (data_ != nullptr) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace semhash

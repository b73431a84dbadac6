// SortedKeys (see sorted_keys.h).
#include "engine/db/sorted_keys.h"

#include <bit>

namespace semhash {

uint32_t SortedKeys::DirectoryBits(size_t n, uint32_t key_bits) {
  const uint32_t log2n = n <= 1 ? 0 : std::bit_width(n) - 1;
  return std::min(key_bits, log2n);
}

SortedKeys::SortedKeys(std::vector<uint32_t> keys, uint32_t key_bits)
    : owned_keys_(std::move(keys)),
      keys_(owned_keys_.data()),
      size_(owned_keys_.size()),
      key_bits_(key_bits),
      directory_bits_(DirectoryBits(size_, key_bits)) {
  const uint32_t shift = key_bits_ - directory_bits_;
  const size_t slots = size_t{1} << directory_bits_;
  owned_directory_.assign(slots + 1, 0);
  // Count the keys of each slot, then turn counts into first positions.
  for (uint32_t key : owned_keys_) {
    ++owned_directory_[(uint64_t{key} >> shift) + 1];
  }
  for (size_t s = 1; s <= slots; ++s) {
    owned_directory_[s] += owned_directory_[s - 1];
  }
  directory_ = owned_directory_.data();
}

SortedKeys SortedKeys::View(std::span<const uint32_t> keys, uint32_t key_bits,
                            const uint32_t* directory) {
  SortedKeys view;
  view.keys_ = keys.data();
  view.size_ = keys.size();
  view.key_bits_ = key_bits;
  view.directory_bits_ = DirectoryBits(keys.size(), key_bits);
  view.directory_ = directory;
  return view;
}

size_t SortedKeys::memory_bytes() const {
  return (owned_keys_.capacity() + owned_directory_.capacity()) *
         sizeof(uint32_t);
}

}  // namespace semhash

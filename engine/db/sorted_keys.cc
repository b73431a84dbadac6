// SortedKeys (see sorted_keys.h).
#include "engine/db/sorted_keys.h"

#include <algorithm>
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

SortedKeys::Range SortedKeys::KeysBetween(uint32_t low, uint32_t high) const {
  const uint32_t shift = key_bits_ - directory_bits_;
  const uint32_t first = directory_[uint64_t{low} >> shift];
  const uint32_t last = directory_[(uint64_t{high} >> shift) + 1];
  if (first == last) return {first, first};
  const uint32_t* begin = keys_;
  const auto lower = std::lower_bound(begin + first, begin + last, low);
  const auto upper = std::upper_bound(lower, begin + last, high);
  return {static_cast<uint32_t>(lower - begin),
          static_cast<uint32_t>(upper - begin)};
}

SortedKeys::Range SortedKeys::Find(uint32_t key) const {
  return KeysBetween(key, key);
}

SortedKeys::Range SortedKeys::FindPrefix(uint32_t prefix,
                                         uint32_t prefix_bits) const {
  const uint32_t shift = key_bits_ - prefix_bits;
  const uint64_t low = uint64_t{prefix} << shift;
  const uint64_t high = low + (uint64_t{1} << shift) - 1;
  if (prefix_bits <= directory_bits_) {
    // Whole directory slots: no search at all.
    const uint32_t slot_shift = key_bits_ - directory_bits_;
    return {directory_[low >> slot_shift],
            directory_[(high >> slot_shift) + 1]};
  }
  return KeysBetween(static_cast<uint32_t>(low), static_cast<uint32_t>(high));
}

size_t SortedKeys::memory_bytes() const {
  return (owned_keys_.capacity() + owned_directory_.capacity()) *
         sizeof(uint32_t);
}

}  // namespace semhash

// SortedKeys: an ascending array of keys of up to 32 bits with a directory
// over their top bits, so that finding a key, or every key that starts with
// a prefix, costs one directory read and a short search, and an absent key
// usually costs the directory read alone (an empty slot). It is the lookup
// structure of the in-memory address table and of each multi-index hashing
// table (engine/db/memory_index.h).
//
// Memory: 4 bytes per key plus a directory of 4 bytes per slot, with about
// one slot per key (directory_bits = floor(log2(n)), at most key_bits).
// Both arrays are either owned (built from a vector of keys) or borrowed
// (a view of a mapped segment's sections, engine/db/mapped_segment.h); the
// searches read them through the same pointers either way.
//
// Thread safety: immutable after construction.
#ifndef SEMHASH_ENGINE_DB_SORTED_KEYS_H_
#define SEMHASH_ENGINE_DB_SORTED_KEYS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace semhash {

class SortedKeys {
 public:
  // Positions [begin, end) of the keys array.
  struct Range {
    uint32_t begin = 0;
    uint32_t end = 0;
    bool empty() const { return begin == end; }
    uint32_t size() const { return end - begin; }
  };

  SortedKeys() = default;
  // Owns `keys` and builds the directory.
  // REQUIRES: keys ascend, each below 2^key_bits; 1 <= key_bits <= 32;
  // keys.size() < 2^32.
  SortedKeys(std::vector<uint32_t> keys, uint32_t key_bits);
  // Borrows `keys` and `directory` (DirectoryBits(keys.size(), key_bits)
  // slots plus one, as directory() gives them), which must outlive it.
  // REQUIRES: as above, and the directory is the keys' (MappedSegment's
  // checksums and VerifyAll vouch for a segment's).
  static SortedKeys View(std::span<const uint32_t> keys, uint32_t key_bits,
                         const uint32_t* directory);
  // min(key_bits, floor(log2(n))): the directory has 2^that + 1 entries.
  static uint32_t DirectoryBits(size_t n, uint32_t key_bits);

  // Moving keeps the owned arrays where they are, so the pointers hold.
  SortedKeys(SortedKeys&&) noexcept = default;
  SortedKeys& operator=(SortedKeys&&) noexcept = default;
  SortedKeys(const SortedKeys&) = delete;
  SortedKeys& operator=(const SortedKeys&) = delete;

  // The positions holding `key`.
  Range Find(uint32_t key) const {
    Range range;
    Find(key, kNoCheck, &range);
    return range;
  }
  // The positions of the keys whose top `prefix_bits` bits are `prefix`.
  // REQUIRES: prefix_bits <= key_bits, prefix < 2^prefix_bits.
  Range FindPrefix(uint32_t prefix, uint32_t prefix_bits) const {
    Range range;
    FindPrefix(prefix, prefix_bits, kNoCheck, &range);
    return range;
  }

  // What a checked lookup is about to read.
  enum class Part { kDirectory, kKeys };
  // Find and FindPrefix over borrowed arrays that must be checked before
  // they are read (a mapped segment's): check(part, first, end) is called
  // before entries [first, end) of that array are read, and returning false
  // stops the lookup, which returns false. The unchecked Find and
  // FindPrefix are these with a check that always passes, compiled away.
  template <typename Check>
  bool Find(uint32_t key, Check&& check, Range* out) const {
    return KeysBetween(key, key, check, out);
  }
  template <typename Check>
  bool FindPrefix(uint32_t prefix, uint32_t prefix_bits, Check&& check,
                  Range* out) const {
    const uint32_t shift = key_bits_ - prefix_bits;
    const uint64_t low = uint64_t{prefix} << shift;
    const uint64_t high = low + (uint64_t{1} << shift) - 1;
    if (prefix_bits > directory_bits_) {
      return KeysBetween(static_cast<uint32_t>(low),
                         static_cast<uint32_t>(high), check, out);
    }
    // Whole directory slots: no search at all.
    const uint32_t slot_shift = key_bits_ - directory_bits_;
    const size_t first = low >> slot_shift;
    const size_t last = (high >> slot_shift) + 1;
    if (!check(Part::kDirectory, first, first + 1) ||
        !check(Part::kDirectory, last, last + 1)) {
      return false;
    }
    *out = {directory_[first], directory_[last]};
    return true;
  }

  // Batched lookups hide memory latency in two steps, each issued for many
  // keys before the next: PrefetchSlot(key) starts loading key's directory
  // slot; later, PrefetchKeys(key) reads the slot and starts loading the
  // keys there, returning the first position (where Find's range begins
  // when the key is present), for callers that keep arrays beside the keys.
  void PrefetchSlot(uint32_t key) const {
    __builtin_prefetch(&directory_[Slot(key)]);
  }
  uint32_t PrefetchKeys(uint32_t key) const {
    const uint32_t first = directory_[Slot(key)];
    if (first < size_) __builtin_prefetch(&keys_[first]);
    return first;
  }

  uint32_t key(size_t i) const { return keys_[i]; }
  std::span<const uint32_t> keys() const { return {keys_, size_}; }
  std::span<const uint32_t> directory() const {
    return {directory_, (size_t{1} << directory_bits_) + 1};
  }
  size_t size() const { return size_; }
  uint32_t key_bits() const { return key_bits_; }
  uint32_t directory_bits() const { return directory_bits_; }
  size_t memory_bytes() const;

 private:
  // The directory slot of `key` (a shift of up to 32 bits, hence 64-bit).
  size_t Slot(uint32_t key) const {
    return uint64_t{key} >> (key_bits_ - directory_bits_);
  }
  // The positions of the keys in [low, high], searched only inside the
  // directory slots that can hold them.
  template <typename Check>
  bool KeysBetween(uint32_t low, uint32_t high, Check& check,
                   Range* out) const {
    const uint32_t shift = key_bits_ - directory_bits_;
    const size_t low_slot = uint64_t{low} >> shift;
    const size_t high_slot = (uint64_t{high} >> shift) + 1;
    if (!check(Part::kDirectory, low_slot, low_slot + 1) ||
        !check(Part::kDirectory, high_slot, high_slot + 1)) {
      return false;
    }
    const uint32_t first = directory_[low_slot];
    const uint32_t last = directory_[high_slot];
    if (first == last) {
      *out = {first, first};
      return true;
    }
    if (!check(Part::kKeys, first, last)) return false;
    const uint32_t* lower = std::lower_bound(keys_ + first, keys_ + last, low);
    const uint32_t* upper = std::upper_bound(lower, keys_ + last, high);
    *out = {static_cast<uint32_t>(lower - keys_),
            static_cast<uint32_t>(upper - keys_)};
    return true;
  }
  static constexpr auto kNoCheck = [](Part, size_t, size_t) { return true; };

  // Empty, or the arrays keys_ and directory_ point to.
  std::vector<uint32_t> owned_keys_;
  std::vector<uint32_t> owned_directory_;
  const uint32_t* keys_ = kNoKeys;
  size_t size_ = 0;
  uint32_t key_bits_ = 32;
  uint32_t directory_bits_ = 0;
  // directory_[s] is the first position whose key's top directory_bits_ bits
  // are >= s; it has 2^directory_bits_ + 1 entries.
  const uint32_t* directory_ = kNoKeys;
  // The directory of no keys: one slot, empty.
  static constexpr uint32_t kNoKeys[2] = {0, 0};
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_SORTED_KEYS_H_

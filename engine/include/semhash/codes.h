// Codes and addresses: how semhash names an image's two binary codes.
//
// A code is `code_bits` bits packed into code_bits/8 bytes in numpy
// `packbits` order: bit 0 is the most significant bit of byte 0. An address
// is an unsigned integer of `address_bits` bits (at most 32); its most
// significant bit is bit 0. So the address "made of the first address_bits
// bits of a code" keeps the code's bit order, and addresses that share a high
// bit prefix are numerically contiguous.
//
// CodeView is semhash's own read-only view of a code's bytes rather than
// std::span, which C++17 lacks: the public headers compile as C++17, and a
// C++17 application and the library (built as C++20) must name the same type
// in every signature. It converts from any contiguous container of uint8_t
// (std::vector, std::array, std::span, std::basic_string<uint8_t>).
//
// Thread safety: pure functions; a CodeView is a value (pointer and size)
// that does not own its bytes.
#ifndef SEMHASH_CODES_H_
#define SEMHASH_CODES_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>

#include "semhash/export.h"

namespace semhash {

using Address = uint32_t;

class CodeView {
 public:
  constexpr CodeView() = default;
  constexpr CodeView(const uint8_t* data, size_t size)
      : data_(data), size_(size) {}
  // Views `container`'s bytes, which must outlive the view.
  template <typename Container,
            typename = std::enable_if_t<std::is_same_v<
                decltype(std::data(std::declval<const Container&>())),
                const uint8_t*>>>
  constexpr CodeView(const Container& container)  // NOLINT: implicit, as span
      : data_(std::data(container)), size_(std::size(container)) {}

  constexpr const uint8_t* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const uint8_t* begin() const { return data_; }
  constexpr const uint8_t* end() const { return data_ + size_; }
  // REQUIRES: i < size().
  constexpr uint8_t operator[](size_t i) const { return data_[i]; }
  // The `count` bytes from `offset` on. REQUIRES: offset + count <= size().
  constexpr CodeView subspan(size_t offset, size_t count) const {
    return CodeView(data_ + offset, count);
  }
  // REQUIRES: count <= size().
  constexpr CodeView first(size_t count) const { return subspan(0, count); }
  constexpr CodeView last(size_t count) const {
    return subspan(size_ - count, count);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

inline constexpr uint32_t kMinAddressBits = 8;
inline constexpr uint32_t kMaxAddressBits = 32;
inline constexpr uint32_t kMinCodeBits = 64;
inline constexpr uint32_t kMaxCodeBits = 1024;

// The number of bits in which `a` and `b` differ.
// REQUIRES: a.size() == b.size().
SEMHASH_EXPORT uint32_t HammingDistance(CodeView a, CodeView b);

// The address made of the first `address_bits` bits of `code`.
// REQUIRES: 1 <= address_bits <= 32 and code.size() * 8 >= address_bits.
SEMHASH_EXPORT Address AddressFromCode(CodeView code, uint32_t address_bits);

}  // namespace semhash

#endif  // SEMHASH_CODES_H_

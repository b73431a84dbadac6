// Codes and addresses: how semhash names an image's two binary codes.
//
// A code is `code_bits` bits packed into code_bits/8 bytes in numpy
// `packbits` order: bit 0 is the most significant bit of byte 0. An address
// is an unsigned integer of `address_bits` bits (at most 32); its most
// significant bit is bit 0. So the address "made of the first address_bits
// bits of a code" keeps the code's bit order, and addresses that share a high
// bit prefix are numerically contiguous.
//
// Thread safety: pure functions.
#ifndef SEMHASH_CODES_H_
#define SEMHASH_CODES_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace semhash {

using Address = uint32_t;
using CodeView = std::span<const uint8_t>;

inline constexpr uint32_t kMinAddressBits = 8;
inline constexpr uint32_t kMaxAddressBits = 32;
inline constexpr uint32_t kMinCodeBits = 64;
inline constexpr uint32_t kMaxCodeBits = 1024;

// The number of bits in which `a` and `b` differ.
// REQUIRES: a.size() == b.size().
uint32_t HammingDistance(CodeView a, CodeView b);

// The address made of the first `address_bits` bits of `code`.
// REQUIRES: 1 <= address_bits <= 32 and code.size() * 8 >= address_bits.
Address AddressFromCode(CodeView code, uint32_t address_bits);

}  // namespace semhash

#endif  // SEMHASH_CODES_H_

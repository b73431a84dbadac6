// Packing a hash's bits into the layouts of semhash/codes.h (internal): a
// code in numpy packbits order (bit 0 is the most significant bit of byte
// 0) and an address whose most significant used bit is bit 0. Every hash
// encoder writes its bits through these, so the layouts are defined once.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_BIT_PACKING_H_
#define SEMHASH_ENGINE_ENCODERS_BIT_PACKING_H_

#include <cstddef>
#include <cstdint>

#include "semhash/codes.h"

namespace semhash {

// Writes bits 0 .. 8 * code_bytes - 1, bit(j) being bit j, to
// out[0, code_bytes). Calls bit(j) once per j, in increasing j.
template <typename BitFn>
void PackCode(size_t code_bytes, const BitFn& bit, uint8_t* out) {
  uint32_t j = 0;
  for (size_t byte = 0; byte < code_bytes; ++byte) {
    unsigned value = 0;
    for (int b = 0; b < 8; ++b) value = (value << 1) | unsigned{bit(j++)};
    out[byte] = static_cast<uint8_t>(value);
  }
}

// The address of bits 0 .. bits - 1, bit(j) being bit j. Calls bit(j) once
// per j, in increasing j. REQUIRES: bits <= 32.
template <typename BitFn>
Address PackAddress(uint32_t bits, const BitFn& bit) {
  Address address = 0;
  for (uint32_t j = 0; j < bits; ++j) {
    address = (address << 1) | Address{bit(j)};
  }
  return address;
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_BIT_PACKING_H_

// The widths an encoder may give its addresses and codes (internal): an
// address of 1..32 bits, a code of a multiple of 64 bits in 64..1024.
// Training rejects other widths as InvalidArgument and Encoder::Load as
// Corruption. A database asks more of the address, at least
// kMinAddressBits (8); DB::Open checks that, so a narrower encoder remains
// usable on its own.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODER_BIT_WIDTHS_H_
#define SEMHASH_ENGINE_ENCODER_BIT_WIDTHS_H_

#include <cstdint>

#include "semhash/codes.h"

namespace semhash {

inline constexpr uint32_t kMinEncoderAddressBits = 1;

inline bool IsEncoderAddressWidth(uint32_t bits) {
  return bits >= kMinEncoderAddressBits && bits <= kMaxAddressBits;
}

inline bool IsEncoderCodeWidth(uint32_t bits) {
  return bits % 64 == 0 && bits >= kMinCodeBits && bits <= kMaxCodeBits;
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODER_BIT_WIDTHS_H_

// The widths an encoder may give its addresses and codes (internal): an
// address of 1..32 bits, a code of a multiple of 64 bits in 64..1024
// (IsCodeWidth, engine/common/code_widths.h).
// Training rejects other widths as InvalidArgument and Encoder::Load as
// Corruption. A database asks more of the address, at least
// kMinAddressBits (8); DB::Open checks that, so a narrower encoder remains
// usable on its own.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_ENCODER_BIT_WIDTHS_H_
#define SEMHASH_ENGINE_ENCODERS_ENCODER_BIT_WIDTHS_H_

#include <cstdint>
#include <string>

#include "engine/common/code_widths.h"
#include "semhash/codes.h"
#include "semhash/encoder_training.h"

namespace semhash {

inline constexpr uint32_t kMinEncoderAddressBits = 1;

inline bool IsEncoderAddressWidth(uint32_t bits) {
  return bits >= kMinEncoderAddressBits && bits <= kMaxAddressBits;
}

// What every trainer checks of the widths it is asked for: InvalidArgument
// naming the first one out of range.
inline Status CheckTrainingBitWidths(const EncoderOptions& options) {
  if (!IsEncoderAddressWidth(options.address_bits)) {
    return Status::InvalidArgument("address_bits " +
                                   std::to_string(options.address_bits) +
                                   " is not in 1..32");
  }
  return CheckCodeWidth(options.code_bits);
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_ENCODER_BIT_WIDTHS_H_

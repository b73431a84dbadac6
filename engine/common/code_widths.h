// The widths a long code may have: a multiple of 64 bits in
// kMinCodeBits..kMaxCodeBits (semhash/codes.h). One rule for the encoders,
// the database and its manifest (internal).
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_COMMON_CODE_WIDTHS_H_
#define SEMHASH_ENGINE_COMMON_CODE_WIDTHS_H_

#include <cstdint>
#include <string>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash {

inline bool IsCodeWidth(uint32_t bits) {
  return bits % 64 == 0 && bits >= kMinCodeBits && bits <= kMaxCodeBits;
}

// InvalidArgument naming `code_bits` unless IsCodeWidth(code_bits).
inline Status CheckCodeWidth(uint32_t code_bits) {
  if (IsCodeWidth(code_bits)) return Status::OK();
  return Status::InvalidArgument("code_bits " + std::to_string(code_bits) +
                                 " is not a multiple of 64 in 64..1024");
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_COMMON_CODE_WIDTHS_H_

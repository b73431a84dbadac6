// Enumeration of the addresses at an exact Hamming distance from a centre:
// the shells of the Hamming ball that Search probes.
#ifndef SEMHASH_ENGINE_HAMMING_BALL_H_
#define SEMHASH_ENGINE_HAMMING_BALL_H_

#include <cstdint>

#include "semhash/codes.h"

namespace semhash {

// Calls visit(address) once for each of the C(bits, radius) addresses of
// `bits` bits that differ from `centre` in exactly `radius` bits, stopping
// early if visit returns false. Returns false iff it stopped early.
// REQUIRES: 1 <= bits <= 32, radius <= bits.
template <typename Visit>
bool ForEachAddressAtRadius(Address centre, uint32_t bits, uint32_t radius,
                            Visit&& visit) {
  if (radius == 0) return visit(centre);
  const uint64_t limit = uint64_t{1} << bits;
  // Gosper's hack: every `bits`-bit mask with `radius` ones, ascending.
  uint64_t mask = (uint64_t{1} << radius) - 1;
  while (mask < limit) {
    if (!visit(centre ^ static_cast<Address>(mask))) return false;
    const uint64_t lowest = mask & (~mask + 1);
    const uint64_t ripple = mask + lowest;
    mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
  }
  return true;
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_HAMMING_BALL_H_

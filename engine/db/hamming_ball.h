// Enumeration of the addresses at an exact Hamming distance from a centre:
// the shells of the Hamming ball that Search probes.
#ifndef SEMHASH_ENGINE_DB_HAMMING_BALL_H_
#define SEMHASH_ENGINE_DB_HAMMING_BALL_H_

#include <cstdint>

#include "semhash/codes.h"

namespace semhash {

// C(bits, radius): how many addresses of `bits` bits lie exactly `radius`
// bits from one address (0 if radius > bits). Exact for bits <= 32.
constexpr uint64_t ShellSize(uint32_t bits, uint32_t radius) {
  if (radius > bits) return 0;
  uint64_t count = 1;
  // Each partial product is C(bits, i + 1) * (i + 1), so the division is
  // exact.
  for (uint32_t i = 0; i < radius; ++i) count = count * (bits - i) / (i + 1);
  return count;
}

// How many addresses lie within `radius` bits of one address.
constexpr uint64_t BallSize(uint32_t bits, uint32_t radius) {
  uint64_t count = 0;
  for (uint32_t r = 0; r <= radius && r <= bits; ++r) {
    count += ShellSize(bits, r);
  }
  return count;
}

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

#endif  // SEMHASH_ENGINE_DB_HAMMING_BALL_H_

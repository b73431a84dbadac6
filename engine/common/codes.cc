// Scalar Hamming distance and address extraction (see semhash/codes.h).
#include "semhash/codes.h"

#include <bit>
#include <cstring>

namespace semhash {

uint32_t HammingDistance(CodeView a, CodeView b) {
  uint32_t distance = 0;
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    distance += std::popcount(x ^ y);
  }
  for (; i < a.size(); ++i) {
    distance += std::popcount(static_cast<uint8_t>(a[i] ^ b[i]));
  }
  return distance;
}

Address AddressFromCode(CodeView code, uint32_t address_bits) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 4; ++i) {
    prefix = (prefix << 8) | (i < code.size() ? code[i] : 0);
  }
  return static_cast<Address>(prefix >> (32 - address_bits));
}

}  // namespace semhash

// Portable Hamming kernels: the oracle every SIMD set is tested against
// (see engine/db/hamming_kernels.h). Built without any target flags.
#include <bit>
#include <cstring>

#include "engine/db/hamming_kernels.h"
#include "engine/db/hamming_kernels_internal.h"

namespace semhash {
namespace {

inline uint64_t Load64(const uint8_t* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

// SWAR popcount: without -mpopcnt, std::popcount becomes a libgcc call
// (__popcountdi2) per word, four times slower than this.
inline uint32_t Popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
}

uint32_t Distance(const uint8_t* a, const uint8_t* b, size_t bytes) {
  uint32_t d = 0;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) d += Popcount64(Load64(a + i) ^ Load64(b + i));
  for (; i < bytes; ++i) d += std::popcount(static_cast<uint8_t>(a[i] ^ b[i]));
  return d;
}

// A constant length lets the compiler unroll the word loop.
template <size_t kBytes>
void FixedDistances(const uint8_t* query, const uint8_t* codes, size_t n,
                    uint32_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = Distance(query, codes + i * kBytes, kBytes);
  }
}

void Distances(const uint8_t* query, const uint8_t* codes, size_t n,
               size_t code_bytes, uint32_t* out) {
  switch (code_bytes) {
    case 8:
      return FixedDistances<8>(query, codes, n, out);
    case 16:
      return FixedDistances<16>(query, codes, n, out);
    case 32:
      return FixedDistances<32>(query, codes, n, out);
    case 64:
      return FixedDistances<64>(query, codes, n, out);
  }
  for (size_t i = 0; i < n; ++i) {
    out[i] = Distance(query, codes + i * code_bytes, code_bytes);
  }
}

void DistancesBatch(const uint8_t* queries, size_t m, const uint8_t* codes,
                    size_t n, size_t code_bytes, uint32_t* out,
                    size_t out_stride) {
  BlockedDistancesBatch(Distances, queries, m, codes, n, code_bytes, out,
                        out_stride);
}

constexpr HammingKernels kKernels = {Isa::kScalar, Distances, DistancesBatch,
                                     ScalarBelow};

}  // namespace

size_t ScalarBelow(const uint32_t* distances, size_t n, uint32_t threshold,
                   uint32_t* indices) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    // Branch-free: the write is harmless when the index does not pass.
    indices[count] = static_cast<uint32_t>(i);
    count += distances[i] < threshold;
  }
  return count;
}

const HammingKernels& ScalarHammingKernels() { return kKernels; }

}  // namespace semhash

// AVX2 + POPCNT Hamming kernels (see engine/db/hamming_kernels.h). Compiled
// with -mavx2 -mpopcnt; reached only through HammingKernelsFor(Isa::kAvx2).
#include <immintrin.h>

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

// Per-byte popcount of one 256-bit code XOR the query (Mula's nibble table),
// summed into its four 64-bit lanes.
inline __m256i LanePopcount(__m256i x) {
  const __m256i table =
      _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                       2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(x, low_mask));
  const __m256i hi = _mm256_shuffle_epi8(
      table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low_mask));
  return _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
}

// 256-bit codes, four per step: per-code lane sums, then a 4x4 transpose-add
// so one vector holds the four distances.
void Distances32(const uint8_t* query, const uint8_t* codes, size_t n,
                 uint32_t* out) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query));
  auto lanes = [&](size_t i) {
    return LanePopcount(_mm256_xor_si256(
        q,
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i * 32))));
  };
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i a = lanes(i), b = lanes(i + 1);
    const __m256i c = lanes(i + 2), d = lanes(i + 3);
    // [a0+a1, b0+b1 | a2+a3, b2+b3] and the same for c, d.
    const __m256i ab = _mm256_add_epi64(_mm256_unpacklo_epi64(a, b),
                                        _mm256_unpackhi_epi64(a, b));
    const __m256i cd = _mm256_add_epi64(_mm256_unpacklo_epi64(c, d),
                                        _mm256_unpackhi_epi64(c, d));
    const __m256i sum =
        _mm256_add_epi64(_mm256_permute2x128_si256(ab, cd, 0x20),
                         _mm256_permute2x128_si256(ab, cd, 0x31));
    const __m256i packed = _mm256_permutevar8x32_epi32(
        sum, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_castsi256_si128(packed));
  }
  const uint64_t q0 = Load64(query), q1 = Load64(query + 8);
  const uint64_t q2 = Load64(query + 16), q3 = Load64(query + 24);
  for (; i < n; ++i) {
    const uint8_t* c = codes + i * 32;
    out[i] = std::popcount(q0 ^ Load64(c)) + std::popcount(q1 ^ Load64(c + 8)) +
             std::popcount(q2 ^ Load64(c + 16)) +
             std::popcount(q3 ^ Load64(c + 24));
  }
}

void Distances(const uint8_t* query, const uint8_t* codes, size_t n,
               size_t code_bytes, uint32_t* out) {
  if (code_bytes == 32) return Distances32(query, codes, n, out);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_bytes;
    uint32_t d = 0;
    size_t j = 0;
    for (; j + 8 <= code_bytes; j += 8) {
      d += std::popcount(Load64(query + j) ^ Load64(code + j));
    }
    for (; j < code_bytes; ++j) {
      d += std::popcount(static_cast<uint8_t>(query[j] ^ code[j]));
    }
    out[i] = d;
  }
}

void DistancesBatch(const uint8_t* queries, size_t m, const uint8_t* codes,
                    size_t n, size_t code_bytes, uint32_t* out,
                    size_t out_stride) {
  BlockedDistancesBatch(Distances, queries, m, codes, n, code_bytes, out,
                        out_stride);
}

size_t Below(const uint32_t* distances, size_t n, uint32_t threshold,
             uint32_t* indices) {
  const __m256i t = _mm256_set1_epi32(static_cast<int>(threshold));
  size_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i d =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(distances + i));
    // d >= t, unsigned: max(d, t) == d.
    const __m256i at_least = _mm256_cmpeq_epi32(_mm256_max_epu32(d, t), d);
    uint32_t mask = ~static_cast<uint32_t>(
                        _mm256_movemask_ps(_mm256_castsi256_ps(at_least))) &
                    0xff;
    while (mask != 0) {
      indices[count++] = static_cast<uint32_t>(i + std::countr_zero(mask));
      mask &= mask - 1;
    }
  }
  const size_t tail =
      ScalarBelow(distances + i, n - i, threshold, indices + count);
  for (size_t j = 0; j < tail; ++j)
    indices[count + j] += static_cast<uint32_t>(i);
  return count + tail;
}

constexpr HammingKernels kKernels = {Isa::kAvx2, Distances, DistancesBatch,
                                     Below};

}  // namespace

const HammingKernels& Avx2HammingKernels() { return kKernels; }

}  // namespace semhash

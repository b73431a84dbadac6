// AVX-512 VPOPCNTDQ Hamming kernels (see engine/db/hamming_kernels.h). Compiled
// with -mavx512f -mavx512bw -mavx512vpopcntdq; reached only through
// HammingKernelsFor(Isa::kAvx512Vpopcntdq).
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// _mm512_undefined_* helpers (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstring>

#include "engine/db/hamming_kernels.h"
#include "engine/db/hamming_kernels_internal.h"

namespace semhash {
namespace {

constexpr size_t kMinTransposedQueries = 4;

inline __m512i Load512(const uint8_t* p) { return _mm512_loadu_si512(p); }

// Eight 256-bit codes (two per register, words in order) XOR the query, as
// the eight distances.
inline __m256i EightDistances(__m512i q, const uint8_t* codes) {
  const __m512i a = _mm512_popcnt_epi64(_mm512_xor_si512(q, Load512(codes)));
  const __m512i b =
      _mm512_popcnt_epi64(_mm512_xor_si512(q, Load512(codes + 64)));
  const __m512i c =
      _mm512_popcnt_epi64(_mm512_xor_si512(q, Load512(codes + 128)));
  const __m512i d =
      _mm512_popcnt_epi64(_mm512_xor_si512(q, Load512(codes + 192)));
  // Per 128-bit lane k: [half of a's lane k, half of b's lane k]. Lanes 0-1
  // belong to a register's first code, lanes 2-3 to its second.
  const __m512i ab = _mm512_add_epi64(_mm512_unpacklo_epi64(a, b),
                                      _mm512_unpackhi_epi64(a, b));
  const __m512i cd = _mm512_add_epi64(_mm512_unpacklo_epi64(c, d),
                                      _mm512_unpackhi_epi64(c, d));
  // [a0 b0 a1 b1 c0 d0 c1 d1] where a0 is a's first code: codes 0 2 1 3 ...
  const __m512i sum =
      _mm512_add_epi64(_mm512_shuffle_i64x2(ab, cd, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_i64x2(ab, cd, _MM_SHUFFLE(3, 1, 3, 1)));
  const __m512i ordered =
      _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 1, 3, 4, 6, 5, 7), sum);
  return _mm512_cvtepi64_epi32(ordered);
}

void Distances32(const uint8_t* query, const uint8_t* codes, size_t n,
                 uint32_t* out) {
  const __m512i q = _mm512_broadcast_i64x4(
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query)));
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        EightDistances(q, codes + i * 32));
  }
  for (; i < n; ++i) {
    const __m256i x = _mm256_xor_si256(
        _mm512_castsi512_si256(q),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i * 32)));
    out[i] = static_cast<uint32_t>(_mm512_reduce_add_epi64(
        _mm512_popcnt_epi64(_mm512_zextsi256_si512(x))));
  }
}

// Any length: 64 bytes per step, the last step a byte-masked load (zero
// bytes on both sides add nothing).
void DistancesAny(const uint8_t* query, const uint8_t* codes, size_t n,
                  size_t code_bytes, uint32_t* out) {
  const size_t tail = code_bytes % 64;
  const __mmask64 tail_mask = tail == 0 ? 0 : (~0ULL >> (64 - tail));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_bytes;
    __m512i acc = _mm512_setzero_si512();
    size_t j = 0;
    for (; j + 64 <= code_bytes; j += 64) {
      acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(
                                      Load512(query + j), Load512(code + j))));
    }
    if (tail != 0) {
      const __m512i x =
          _mm512_xor_si512(_mm512_maskz_loadu_epi8(tail_mask, query + j),
                           _mm512_maskz_loadu_epi8(tail_mask, code + j));
      acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
    }
    out[i] = static_cast<uint32_t>(_mm512_reduce_add_epi64(acc));
  }
}

void Distances(const uint8_t* query, const uint8_t* codes, size_t n,
               size_t code_bytes, uint32_t* out) {
  if (code_bytes == 32) return Distances32(query, codes, n, out);
  DistancesAny(query, codes, n, code_bytes, out);
}

// Sixteen 256-bit codes transposed so register w holds word w of eight
// codes: a query then costs four XORs and popcounts per eight codes and no
// horizontal sums. The transpose is paid once per code for all m queries.
struct Transposed16 {
  __m512i words[2][4];
};

inline void Transpose8(const uint8_t* codes, __m512i* words) {
  const __m512i a = Load512(codes), b = Load512(codes + 64);
  const __m512i c = Load512(codes + 128), d = Load512(codes + 192);
  // Words 0-1 (and 2-3) of codes 0-3 from a, b; of codes 4-7 from c, d.
  const __m512i lo_idx = _mm512_setr_epi64(0, 4, 8, 12, 1, 5, 9, 13);
  const __m512i hi_idx = _mm512_setr_epi64(2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i ab_lo = _mm512_permutex2var_epi64(a, lo_idx, b);
  const __m512i ab_hi = _mm512_permutex2var_epi64(a, hi_idx, b);
  const __m512i cd_lo = _mm512_permutex2var_epi64(c, lo_idx, d);
  const __m512i cd_hi = _mm512_permutex2var_epi64(c, hi_idx, d);
  words[0] = _mm512_shuffle_i64x2(ab_lo, cd_lo, _MM_SHUFFLE(1, 0, 1, 0));
  words[1] = _mm512_shuffle_i64x2(ab_lo, cd_lo, _MM_SHUFFLE(3, 2, 3, 2));
  words[2] = _mm512_shuffle_i64x2(ab_hi, cd_hi, _MM_SHUFFLE(1, 0, 1, 0));
  words[3] = _mm512_shuffle_i64x2(ab_hi, cd_hi, _MM_SHUFFLE(3, 2, 3, 2));
}

inline __m512i WordSum(const __m512i* w, const __m512i* q) {
  const __m512i s01 =
      _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(w[0], q[0])),
                       _mm512_popcnt_epi64(_mm512_xor_si512(w[1], q[1])));
  const __m512i s23 =
      _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(w[2], q[2])),
                       _mm512_popcnt_epi64(_mm512_xor_si512(w[3], q[3])));
  return _mm512_add_epi64(s01, s23);
}

void DistancesBatch32(const uint8_t* queries, size_t m, const uint8_t* codes,
                      size_t n, uint32_t* out, size_t out_stride) {
  // Low 32 bits of each 64-bit sum, first register then second.
  const __m512i pack_idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                             20, 22, 24, 26, 28, 30);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    Transposed16 t;
    Transpose8(codes + i * 32, t.words[0]);
    Transpose8(codes + (i + 8) * 32, t.words[1]);
    for (size_t j = 0; j < m; ++j) {
      const uint8_t* query = queries + j * 32;
      __m512i q[4];
      for (int w = 0; w < 4; ++w) {
        long long word;
        std::memcpy(&word, query + 8 * w, 8);
        q[w] = _mm512_set1_epi64(word);
      }
      const __m512i s0 = WordSum(t.words[0], q);
      const __m512i s1 = WordSum(t.words[1], q);
      _mm512_storeu_si512(out + j * out_stride + i,
                          _mm512_permutex2var_epi32(s0, pack_idx, s1));
    }
  }
  if (i < n) {
    for (size_t j = 0; j < m; ++j) {
      Distances32(queries + j * 32, codes + i * 32, n - i,
                  out + j * out_stride + i);
    }
  }
}

void DistancesBatch(const uint8_t* queries, size_t m, const uint8_t* codes,
                    size_t n, size_t code_bytes, uint32_t* out,
                    size_t out_stride) {
  // The transpose pays off from a few queries up.
  if (code_bytes == 32 && m >= kMinTransposedQueries) {
    return DistancesBatch32(queries, m, codes, n, out, out_stride);
  }
  BlockedDistancesBatch(Distances, queries, m, codes, n, code_bytes, out,
                        out_stride);
}

size_t Below(const uint32_t* distances, size_t n, uint32_t threshold,
             uint32_t* indices) {
  const __m512i t = _mm512_set1_epi32(static_cast<int>(threshold));
  const __m512i sixteen = _mm512_set1_epi32(16);
  __m512i index =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  size_t count = 0, i = 0;
  for (; i + 16 <= n; i += 16) {
    const __mmask16 pass =
        _mm512_cmplt_epu32_mask(_mm512_loadu_si512(distances + i), t);
    if (pass != 0) {
      _mm512_mask_compressstoreu_epi32(indices + count, pass, index);
      count += __builtin_popcount(pass);
    }
    index = _mm512_add_epi32(index, sixteen);
  }
  const size_t tail =
      ScalarBelow(distances + i, n - i, threshold, indices + count);
  for (size_t j = 0; j < tail; ++j) {
    indices[count + j] += static_cast<uint32_t>(i);
  }
  return count + tail;
}

constexpr HammingKernels kKernels = {Isa::kAvx512Vpopcntdq, Distances,
                                     DistancesBatch, Below};

}  // namespace

const HammingKernels& Avx512HammingKernels() { return kKernels; }

}  // namespace semhash

// Hamming kernels: distances from queries to contiguous arrays of codes, one
// implementation per instruction set, chosen at run time.
//
// The library is built for the baseline x86-64 (or any other) target; each
// instruction-set file is compiled with its own flags and only called when
// the CPU reports the features (HammingKernelsFor). The scalar kernels are
// always built and are the oracle every other set is tested against.
//
// Thread safety: the tables are immutable; the kernels are pure functions.
#ifndef SEMHASH_ENGINE_DB_HAMMING_KERNELS_H_
#define SEMHASH_ENGINE_DB_HAMMING_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace semhash {

// Instruction sets with their own kernels, slowest first.
enum class Isa {
  kScalar,
  kAvx2,             // AVX2 + POPCNT.
  kAvx512Vpopcntdq,  // AVX-512 F, BW and VPOPCNTDQ.
};
inline constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2,
                                   Isa::kAvx512Vpopcntdq};

const char* IsaName(Isa isa);

// Codes are `code_bytes` bytes each, packed back to back; any code_bytes >= 1
// works, 32 (256-bit codes) has a fast path in every SIMD set. No pointer
// needs any alignment.
struct HammingKernels {
  Isa isa;

  // out[i] = distance(query, codes[i]) for i < n.
  void (*distances)(const uint8_t* query, const uint8_t* codes, size_t n,
                    size_t code_bytes, uint32_t* out);

  // out[q * out_stride + i] = distance(queries[q], codes[i]) for q < m,
  // i < n. Visits the codes in blocks that stay in cache while the m queries
  // pass over them, so large n reads memory once, not m times.
  // REQUIRES: out_stride >= n.
  void (*distances_batch)(const uint8_t* queries, size_t m,
                          const uint8_t* codes, size_t n, size_t code_bytes,
                          uint32_t* out, size_t out_stride);

  // Writes the i < n with distances[i] < threshold, ascending, to indices
  // and returns how many. The top-k filter: almost always few or none pass.
  // REQUIRES: indices has room for n entries (it may be written past the
  // count); n < 2^32.
  size_t (*below)(const uint32_t* distances, size_t n, uint32_t threshold,
                  uint32_t* indices);
};

// The kernels for `isa`, or null when this CPU (or this build) lacks it.
const HammingKernels* HammingKernelsFor(Isa isa);

// The fastest set this CPU supports, chosen once at first use.
const HammingKernels& BestHammingKernels();

// One table per instruction-set file. Call only through HammingKernelsFor:
// the SIMD ones fault on CPUs without the features.
const HammingKernels& ScalarHammingKernels();
const HammingKernels& Avx2HammingKernels();
const HammingKernels& Avx512HammingKernels();

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_HAMMING_KERNELS_H_

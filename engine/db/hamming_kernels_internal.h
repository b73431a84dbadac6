// Pieces the per-instruction-set kernel files share. Plain (non-inline)
// functions compiled without target flags, so no SIMD code leaks into them
// through the one-definition rule.
#ifndef SEMHASH_ENGINE_DB_HAMMING_KERNELS_INTERNAL_H_
#define SEMHASH_ENGINE_DB_HAMMING_KERNELS_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace semhash {

using DistancesFn = void (*)(const uint8_t* query, const uint8_t* codes,
                             size_t n, size_t code_bytes, uint32_t* out);

// The batched kernel built from a one-query kernel: codes in blocks of about
// 16 KiB (L1-sized), each block visited by all m queries before the next.
void BlockedDistancesBatch(DistancesFn distances, const uint8_t* queries,
                           size_t m, const uint8_t* codes, size_t n,
                           size_t code_bytes, uint32_t* out, size_t out_stride);

// The scalar `below` kernel; SIMD files use it for their tails.
size_t ScalarBelow(const uint32_t* distances, size_t n, uint32_t threshold,
                   uint32_t* indices);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_HAMMING_KERNELS_INTERNAL_H_

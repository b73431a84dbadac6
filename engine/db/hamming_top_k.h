// Exact k-nearest search over contiguous codes: a Hamming kernel feeding a
// top-k selector that costs little next to the scan.
//
// The selector keeps a threshold, the k-th best distance so far; the
// instruction-set `below` kernel drops almost every distance with one vector
// compare, and only the few that pass are kept and pruned. Ties go to the
// lower index, as TopK (engine/db/top_k.h) breaks them by id.
//
// Thread safety: a HammingTopK is used by one thread at a time.
#ifndef SEMHASH_ENGINE_DB_HAMMING_TOP_K_H_
#define SEMHASH_ENGINE_DB_HAMMING_TOP_K_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/db/hamming_kernels.h"
#include "semhash/search.h"

namespace semhash {

class HammingTopK {
 public:
  // Reserves room for about 2k distances. REQUIRES: k is at most the number
  // of indices that will be offered (callers clamp it).
  explicit HammingTopK(size_t k);

  // Offers distances[i] as the distance of index first_index + i.
  // REQUIRES: indices ascend across calls (the tie rule relies on it).
  void Offer(const HammingKernels& kernels, const uint32_t* distances, size_t n,
             uint64_t first_index);

  // The k best, ascending distance then ascending index (Neighbor::id is the
  // index); the selector is empty afterwards.
  std::vector<Neighbor> Take();

 private:
  // Keeps the k best of kept_ and lowers threshold_ to the k-th distance.
  void Prune();

  size_t k_;
  uint32_t threshold_;  // Only distances below it can still enter.
  std::vector<Neighbor> kept_;
  std::vector<uint32_t> passed_;
};

// For each of the m queries, the k nearest of the n codes (Neighbor::id is
// the code's index), best first. Codes are read from memory once for all m
// queries, in blocks whose distances stay in cache.
// REQUIRES: queries holds m codes, codes n codes, of code_bytes each.
std::vector<std::vector<Neighbor>> HammingSearchBatch(
    const HammingKernels& kernels, const uint8_t* queries, size_t m,
    const uint8_t* codes, size_t n, size_t code_bytes, size_t k);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_HAMMING_TOP_K_H_

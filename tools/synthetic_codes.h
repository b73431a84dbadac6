// Seeded synthetic hash codes, for benchmarks and scale tests that must not
// download anything: `semhash_make_codes` writes them to .npy and
// `semhash bench` generates them in memory, both from this one generator.
//
// Without clusters every bit is a fair coin. With them, each code is a copy
// of one of the cluster centres (chosen uniformly) with each bit flipped
// with probability 2^-flip_log2 (the AND of that many random words): the
// noisy-copies model of near-duplicate images.
//
// Thread safety: a SyntheticCodes is used by one thread at a time.
#ifndef SEMHASH_TOOLS_SYNTHETIC_CODES_H_
#define SEMHASH_TOOLS_SYNTHETIC_CODES_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace semhash::cli {

class SyntheticCodes {
 public:
  // Draws the centres at once, so codes made later by Make are noisy copies
  // of the same centres however many calls there are.
  // REQUIRES: bits is a positive multiple of 64.
  SyntheticCodes(uint32_t bits, size_t clusters, uint32_t flip_log2,
                 uint64_t seed);

  // The next n codes, packed: bits/8 bytes each in numpy packbits order.
  // The same seed and the same sequence of calls give the same bytes.
  std::vector<uint8_t> Make(size_t n);

 private:
  size_t words_;  // 64-bit words per code.
  size_t clusters_;
  uint32_t flip_log2_;
  std::mt19937_64 rng_;
  std::vector<uint64_t> centres_;
};

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_SYNTHETIC_CODES_H_

// SyntheticCodes (see tools/synthetic_codes.h).
#include "tools/synthetic_codes.h"

namespace semhash::cli {
namespace {

// One random word whose bits are each set with probability 2^-k.
uint64_t SparseWord(std::mt19937_64* rng, uint32_t k) {
  uint64_t word = ~uint64_t{0};
  for (uint32_t i = 0; i < k; ++i) word &= (*rng)();
  return word;
}

}  // namespace

SyntheticCodes::SyntheticCodes(uint32_t bits, size_t clusters,
                               uint32_t flip_log2, uint64_t seed)
    : words_(bits / 64),
      clusters_(clusters),
      flip_log2_(flip_log2),
      rng_(seed),
      centres_(clusters * words_) {
  for (auto& word : centres_) word = rng_();
}

std::vector<uint8_t> SyntheticCodes::Make(size_t n) {
  std::vector<uint64_t> codes(n * words_);
  for (size_t i = 0; i < n; ++i) {
    uint64_t* code = &codes[i * words_];
    if (clusters_ == 0) {
      for (size_t w = 0; w < words_; ++w) code[w] = rng_();
      continue;
    }
    const uint64_t* centre = &centres_[(rng_() % clusters_) * words_];
    for (size_t w = 0; w < words_; ++w) {
      code[w] = centre[w] ^ SparseWord(&rng_, flip_log2_);
    }
  }
  // Little-endian words are the packed bytes in order.
  const auto* bytes = reinterpret_cast<const uint8_t*>(codes.data());
  return std::vector<uint8_t>(bytes, bytes + codes.size() * 8);
}

}  // namespace semhash::cli

// HammingTopK and HammingSearchBatch (see engine/db/hamming_top_k.h).
#include "engine/db/hamming_top_k.h"

#include <algorithm>
#include <limits>

namespace semhash {
namespace {

constexpr size_t kBlockDistances = 16 << 10;
constexpr size_t kMinBlock = 256;

bool Better(const Neighbor& a, const Neighbor& b) {
  return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
}

// Codes per block: the m x block distances (64 KiB) stay in L2 between the
// kernel writing and the selector reading them. Measured on Zen 5 with 32
// queries: 128-code blocks (16 KiB, L1) were slower, the per-call overhead
// outweighing the L1 hits.
size_t BlockSize(size_t m) {
  const size_t block = kBlockDistances / std::max<size_t>(m, 1);
  return std::clamp<size_t>(block & ~size_t{15}, kMinBlock, 4096);
}

}  // namespace

HammingTopK::HammingTopK(size_t k)
    : k_(k), threshold_(std::numeric_limits<uint32_t>::max()) {
  kept_.reserve(2 * k + 64);
}

void HammingTopK::Offer(const HammingKernels& kernels,
                        const uint32_t* distances, size_t n,
                        uint64_t first_index) {
  if (k_ == 0 || n == 0) return;
  if (passed_.size() < n) passed_.resize(n);
  const size_t count = kernels.below(distances, n, threshold_, passed_.data());
  for (size_t j = 0; j < count; ++j) {
    const uint32_t i = passed_[j];
    kept_.push_back({first_index + i, distances[i]});
  }
  // Pruning costs O(kept): doing it when kept has doubled keeps it O(1) per
  // kept distance, and the threshold tightens as soon as k are known.
  if (kept_.size() >= 2 * k_ + 64 ||
      (kept_.size() >= k_ &&
       threshold_ == std::numeric_limits<uint32_t>::max())) {
    Prune();
  }
}

void HammingTopK::Prune() {
  if (kept_.size() < k_) return;
  std::nth_element(kept_.begin(), kept_.begin() + (k_ - 1), kept_.end(),
                   Better);
  kept_.resize(k_);
  // Later indices tie-break worse, so an equal distance can no longer enter.
  threshold_ = kept_[k_ - 1].distance;
}

std::vector<Neighbor> HammingTopK::Take() {
  if (k_ > 0) Prune();
  std::sort(kept_.begin(), kept_.end(), Better);
  std::vector<Neighbor> best = std::move(kept_);
  kept_.clear();
  threshold_ = std::numeric_limits<uint32_t>::max();
  return best;
}

std::vector<std::vector<Neighbor>> HammingSearchBatch(
    const HammingKernels& kernels, const uint8_t* queries, size_t m,
    const uint8_t* codes, size_t n, size_t code_bytes, size_t k) {
  // More than n cannot be found; a larger k would only size the buffers.
  std::vector<HammingTopK> tops(m, HammingTopK(std::min(k, n)));
  const size_t block = BlockSize(m);
  std::vector<uint32_t> distances(m * block);
  for (size_t begin = 0; begin < n; begin += block) {
    const size_t count = std::min(block, n - begin);
    kernels.distances_batch(queries, m, codes + begin * code_bytes, count,
                            code_bytes, distances.data(), block);
    for (size_t q = 0; q < m; ++q) {
      tops[q].Offer(kernels, distances.data() + q * block, count, begin);
    }
  }
  std::vector<std::vector<Neighbor>> results(m);
  for (size_t q = 0; q < m; ++q) results[q] = tops[q].Take();
  return results;
}

}  // namespace semhash

// TopK: keeps the k best (distance, id) pairs seen, ties broken by id.
#ifndef SEMHASH_ENGINE_TOP_K_H_
#define SEMHASH_ENGINE_TOP_K_H_

#include <algorithm>
#include <cstddef>
#include <vector>

#include "semhash/search.h"

namespace semhash {

class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }

  void Push(uint64_t id, uint32_t distance) {
    const Neighbor candidate{id, distance};
    if (heap_.size() < k_) {
      heap_.push_back(candidate);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (k_ > 0 && Better(candidate, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = candidate;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }

  // Best first; the collector is empty afterwards.
  std::vector<Neighbor> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  // The heap's front is the worst kept neighbour.
  static bool Better(const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  }

  size_t k_;
  std::vector<Neighbor> heap_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_TOP_K_H_

// TopK: keeps the k best (distance, id) pairs seen, ties broken by id.
#ifndef SEMHASH_ENGINE_DB_TOP_K_H_
#define SEMHASH_ENGINE_DB_TOP_K_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/search.h"

namespace semhash {

// The result order: ascending distance, ties by ascending id.
inline bool NeighborBefore(const Neighbor& a, const Neighbor& b) {
  return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
}

class TopK {
 public:
  // k is the caller's number and may be far past the images there are (a
  // search for "all of them", up to SIZE_MAX): room is reserved for at most
  // kReserved, and the heap grows past that only as candidates arrive, so
  // it never holds more than were pushed.
  explicit TopK(size_t k) : k_(k) { heap_.reserve(std::min(k, kReserved)); }

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

  // Whether a candidate at `distance` or farther could still enter (at the
  // k-th distance, with a lower id): searches that find candidates nearest
  // first stop once this is false for everything they have not seen.
  bool Admits(uint32_t distance) const {
    if (k_ == 0) return false;
    return heap_.size() < k_ || heap_.front().distance >= distance;
  }

  // Only a distance below the bound can still enter (ties with the worst
  // kept neighbour included: the id decides those).
  uint32_t Bound() const {
    if (k_ == 0) return 0;
    if (heap_.size() < k_) return UINT32_MAX;
    return heap_.front().distance + 1;
  }
  size_t size() const { return heap_.size(); }
  bool full() const { return heap_.size() == k_; }

  // Best first; the collector is empty afterwards.
  std::vector<Neighbor> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  // The heap's front is the worst kept neighbour.
  static bool Better(const Neighbor& a, const Neighbor& b) {
    return NeighborBefore(a, b);
  }

  // Enough for the k of a typical search (one allocation per search).
  static constexpr size_t kReserved = 1024;

  size_t k_;
  std::vector<Neighbor> heap_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_TOP_K_H_

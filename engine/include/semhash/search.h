// Search results: what DB::Search and DB::SearchExact return.
//
// Thread safety: plain values.
#ifndef SEMHASH_SEARCH_H_
#define SEMHASH_SEARCH_H_

#include <cstdint>
#include <vector>

namespace semhash {

struct Neighbor {
  uint64_t id = 0;
  // Hamming distance between the query's long code and this image's.
  uint32_t distance = 0;

  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

// What one search did. Counters are per call, never process-global.
struct SearchStats {
  // The last Hamming radius around the query address that was probed in
  // full (SearchExact: 0).
  uint32_t radius_reached = 0;
  // Addresses looked up (SearchExact: 0).
  uint64_t addresses_probed = 0;
  // Of those, addresses that held at least one image.
  uint64_t addresses_occupied = 0;
  // Images whose long codes were compared with the query's.
  uint64_t candidates_reranked = 0;
};

struct SearchResult {
  // Best first: ascending distance, ties broken by ascending id.
  std::vector<Neighbor> neighbors;
  SearchStats stats;
};

}  // namespace semhash

#endif  // SEMHASH_SEARCH_H_

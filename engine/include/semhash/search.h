// Search results: what DB::Search and DB::SearchExact return.
//
// Thread safety: plain values.
#ifndef SEMHASH_SEARCH_H_
#define SEMHASH_SEARCH_H_

#include <cstdint>
#include <vector>

#include "semhash/export.h"

namespace semhash {

struct Neighbor {
  uint64_t id = 0;
  // Hamming distance between the query's long code and this image's.
  uint32_t distance = 0;

  // Written out, not defaulted: the public headers compile as C++17.
  friend bool operator==(const Neighbor& a, const Neighbor& b) {
    return a.id == b.id && a.distance == b.distance;
  }
  friend bool operator!=(const Neighbor& a, const Neighbor& b) {
    return !(a == b);
  }
};

// How a search found its candidates.
enum class SearchPath : uint8_t {
  // Search: one RocksDB prefix seek per address of the Hamming ball.
  kDiskProbe,
  // Every posting chunk read from RocksDB.
  kDiskScan,
  // Search: the ball probed in the in-memory address table, by point
  // lookups or by range scans over a shorter prefix (range_bits).
  kMemoryProbe,
  // Every code of the in-memory index compared.
  kMemoryScan,
  // The multi-index hashing tables probed.
  kMultiIndex,
};

SEMHASH_EXPORT const char* SearchPathName(SearchPath path);

// Which plan DB::Search ran (SearchOptions).
enum class SearchPlan : uint8_t {
  // The caller's knobs (SearchOptions::HasExplicitKnobs).
  kExplicit,
  // DB::SearchExact: a scan, or the multi-index tables where they prove
  // the answer for less.
  kExact,
  // The multi-index tables probed up to a candidate budget.
  kTableProbe,
  // The address ball probed up to a candidate budget.
  kAddressProbe,
};

SEMHASH_EXPORT const char* SearchPlanName(SearchPlan plan);

// What one search did. Counters are per call, never process-global.
struct SearchStats {
  SearchPath path = SearchPath::kDiskProbe;
  // The last Hamming radius probed in full: around the query address, or
  // around each substring with kMultiIndex (scans: 0).
  uint32_t radius_reached = 0;
  // Addresses of the Hamming ball covered (scans: 0).
  uint64_t addresses_probed = 0;
  // Of those, addresses that held at least one image.
  uint64_t addresses_occupied = 0;
  // kMemoryProbe: the low address bits the last shell covered by range
  // scans; 0 means one point lookup per address. The planner picks it from
  // the number of images, so that it looks up few empty ranges.
  uint32_t range_bits = 0;
  // Lookups in an in-memory table (address ranges, or substring keys with
  // kMultiIndex), and how many of them found nothing. A kMemoryScan with
  // lookups is an exact search that tried the multi-index tables first and
  // gave up for the scan, estimated cheaper (docs/memory.md).
  uint64_t lookups = 0;
  uint64_t lookups_empty = 0;
  // Images whose long codes were compared with the query's (a scan after
  // the tables gave up adds the tables' candidates).
  uint64_t candidates_reranked = 0;
  // The plan that ran, its candidate budget (0: none, as for kExact and
  // kExplicit) and the recall@k the database's calibration expects of it
  // (1 for kExact; 0: unknown, as for kExplicit).
  SearchPlan plan = SearchPlan::kExplicit;
  uint64_t plan_budget = 0;
  double expected_recall = 0;
  // The calibration that chose the plan is stale: the database has grown
  // or shrunk by more than a fifth since (DB::Calibrate).
  bool calibration_stale = false;
};

struct SearchResult {
  // Best first: ascending distance, ties broken by ascending id.
  std::vector<Neighbor> neighbors;
  SearchStats stats;
};

}  // namespace semhash

#endif  // SEMHASH_SEARCH_H_

// What `semhash inspect` reports about how a database's images spread over
// its addresses, computed from the address of every image: posting-list
// lengths, the balance and correlation of the address bits, and the cost a
// query can expect at each probe radius. Pure computation, so it can be
// checked on addresses chosen by hand.
//
// Bit b of an address is its b-th most significant used bit, as in
// semhash/codes.h: bit 0 of a code is bit 0 of its address.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_ADDRESS_STATS_H_
#define SEMHASH_TOOLS_ADDRESS_STATS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/codes.h"

namespace semhash::cli {

inline constexpr size_t kLargestListsShown = 10;
inline constexpr size_t kCorrelatedPairsShown = 5;
inline constexpr uint32_t kMaxProbeRadius = 3;
// Up to this many occupied addresses the probe cost is computed exactly, by
// comparing every occupied address with every other; above it, it is
// estimated from kProbeCostSample images drawn with kProbeCostSeed.
inline constexpr size_t kExactProbeCostAddresses = 20000;
inline constexpr size_t kProbeCostSample = 2000;
inline constexpr uint64_t kProbeCostSeed = 42;

struct PostingList {
  Address address = 0;
  uint64_t length = 0;  // Images stored at the address.
};

// Occupied addresses whose lists have min_length..max_length images.
struct LengthBucket {
  uint64_t min_length = 0;  // A power of two.
  uint64_t max_length = 0;  // 2 * min_length - 1.
  uint64_t addresses = 0;
};

// Pearson correlation of two address bits over the images (0 when one of
// them is constant).
struct BitPair {
  uint32_t first = 0;
  uint32_t second = 0;
  double correlation = 0;
};

// A query at the address of a stored image, drawn as the images are.
struct ProbeCost {
  uint32_t radius = 0;
  // Addresses within `radius`: sum over r <= radius of C(address_bits, r).
  uint64_t addresses_probed = 0;
  // Mean number of images stored within `radius` of the query's address,
  // the query's own image included.
  double expected_candidates = 0;
};

struct AddressStats {
  uint64_t images = 0;
  uint64_t occupied_addresses = 0;
  // Buckets 1, 2-3, 4-7, ... up to the one of the longest list; empty
  // buckets in between are kept.
  std::vector<LengthBucket> length_histogram;
  // Longest first, ties by ascending address; at most kLargestListsShown.
  std::vector<PostingList> largest_lists;
  // Per address bit, bit 0 first: the fraction of images whose bit is 1.
  std::vector<double> fraction_of_ones;
  // Largest |correlation| first, ties by ascending bits; at most
  // kCorrelatedPairsShown.
  std::vector<BitPair> most_correlated_pairs;
  // Radii 0..kMaxProbeRadius.
  std::vector<ProbeCost> probe_cost;
  // True when probe_cost is exact; false when it is a sample's estimate.
  bool probe_cost_exact = true;
  // Images the expected candidates are averaged over.
  uint64_t probe_cost_images = 0;
};

// REQUIRES: 1 <= address_bits <= 32 and every address fits in address_bits.
AddressStats ComputeAddressStats(std::vector<Address> addresses,
                                 uint32_t address_bits);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_ADDRESS_STATS_H_

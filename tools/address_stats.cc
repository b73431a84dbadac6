// ComputeAddressStats (see address_stats.h). The images' addresses are
// sorted once and counted per address; every statistic is then a pass over
// the occupied addresses weighted by their list lengths, so the work grows
// with the number of occupied addresses, not of images.
#include "tools/address_stats.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <random>

namespace semhash::cli {
namespace {

// REQUIRES: `addresses` sorted.
std::vector<PostingList> CountPerAddress(
    const std::vector<Address>& addresses) {
  std::vector<PostingList> lists;
  for (const Address address : addresses) {
    if (lists.empty() || lists.back().address != address) {
      lists.push_back({address, 0});
    }
    ++lists.back().length;
  }
  return lists;
}

std::vector<LengthBucket> LengthHistogram(
    const std::vector<PostingList>& lists) {
  std::vector<LengthBucket> buckets;
  for (const PostingList& list : lists) {
    const size_t bucket = std::bit_width(list.length) - 1;
    while (buckets.size() <= bucket) {
      const uint64_t min_length = uint64_t{1} << buckets.size();
      buckets.push_back({min_length, 2 * min_length - 1, 0});
    }
    ++buckets[bucket].addresses;
  }
  return buckets;
}

std::vector<PostingList> LargestLists(std::vector<PostingList> lists) {
  const size_t shown = std::min(lists.size(), kLargestListsShown);
  std::partial_sort(lists.begin(), lists.begin() + shown, lists.end(),
                    [](const PostingList& a, const PostingList& b) {
                      return a.length != b.length ? a.length > b.length
                                                  : a.address < b.address;
                    });
  lists.resize(shown);
  return lists;
}

// Fills fraction_of_ones and most_correlated_pairs from the number of
// images with each bit set and with each pair of bits set.
void BitBalance(const std::vector<PostingList>& lists, uint32_t address_bits,
                AddressStats* stats) {
  std::vector<uint64_t> ones(address_bits, 0);
  std::vector<uint64_t> both(address_bits * address_bits, 0);
  std::vector<uint32_t> set_bits;
  for (const PostingList& list : lists) {
    set_bits.clear();
    for (uint32_t bit = 0; bit < address_bits; ++bit) {
      if ((list.address >> (address_bits - 1 - bit)) & 1) {
        set_bits.push_back(bit);
      }
    }
    for (size_t i = 0; i < set_bits.size(); ++i) {
      ones[set_bits[i]] += list.length;
      for (size_t j = i + 1; j < set_bits.size(); ++j) {
        both[set_bits[i] * address_bits + set_bits[j]] += list.length;
      }
    }
  }
  if (stats->images == 0) return;
  const double n = static_cast<double>(stats->images);
  for (uint32_t bit = 0; bit < address_bits; ++bit) {
    stats->fraction_of_ones.push_back(static_cast<double>(ones[bit]) / n);
  }
  std::vector<BitPair> pairs;
  for (uint32_t i = 0; i < address_bits; ++i) {
    for (uint32_t j = i + 1; j < address_bits; ++j) {
      const double pi = stats->fraction_of_ones[i];
      const double pj = stats->fraction_of_ones[j];
      const double spread = std::sqrt(pi * (1 - pi) * pj * (1 - pj));
      const double covariance =
          static_cast<double>(both[i * address_bits + j]) / n - pi * pj;
      pairs.push_back({i, j, spread > 0 ? covariance / spread : 0.0});
    }
  }
  const size_t shown = std::min(pairs.size(), kCorrelatedPairsShown);
  std::partial_sort(pairs.begin(), pairs.begin() + shown, pairs.end(),
                    [](const BitPair& a, const BitPair& b) {
                      const double ma = std::abs(a.correlation);
                      const double mb = std::abs(b.correlation);
                      if (ma != mb) return ma > mb;
                      return a.first != b.first ? a.first < b.first
                                                : a.second < b.second;
                    });
  pairs.resize(shown);
  stats->most_correlated_pairs = std::move(pairs);
}

uint64_t Binomial(uint64_t n, uint64_t k) {
  uint64_t result = 1;
  for (uint64_t i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// Images within each distance 0..kMaxProbeRadius of a query.
using DistanceCounts = std::array<double, kMaxProbeRadius + 1>;

// Every occupied address against every other, each weighted by its length;
// a pair counts for both of its addresses.
DistanceCounts CountPairsExactly(const std::vector<PostingList>& lists) {
  DistanceCounts counts{};
  for (size_t i = 0; i < lists.size(); ++i) {
    const double length = double(lists[i].length);
    counts[0] += length * length;
    for (size_t j = i + 1; j < lists.size(); ++j) {
      const int distance = std::popcount(lists[i].address ^ lists[j].address);
      if (distance <= int{kMaxProbeRadius}) {
        counts[distance] += 2 * length * double(lists[j].length);
      }
    }
  }
  return counts;
}

// Looks up every address of the Hamming ball of radius kMaxProbeRadius
// around each sampled image's address.
DistanceCounts CountAroundSample(const std::vector<Address>& sample,
                                 const std::vector<PostingList>& lists,
                                 uint32_t address_bits) {
  DistanceCounts counts{};
  const auto add = [&](Address address, int distance) {
    const auto it = std::lower_bound(
        lists.begin(), lists.end(), address,
        [](const PostingList& list, Address a) { return list.address < a; });
    if (it != lists.end() && it->address == address) {
      counts[distance] += double(it->length);
    }
  };
  for (const Address center : sample) {
    add(center, 0);
    for (uint32_t i = 0; i < address_bits; ++i) {
      const Address one = center ^ (Address{1} << i);
      add(one, 1);
      for (uint32_t j = i + 1; j < address_bits; ++j) {
        const Address two = one ^ (Address{1} << j);
        add(two, 2);
        for (uint32_t k = j + 1; k < address_bits; ++k) {
          add(two ^ (Address{1} << k), 3);
        }
      }
    }
  }
  return counts;
}

// REQUIRES: `addresses` sorted (the sample then depends on the multiset of
// addresses only, not on the order the images were read in).
void ProbeCosts(const std::vector<Address>& addresses,
                const std::vector<PostingList>& lists, uint32_t address_bits,
                AddressStats* stats) {
  DistanceCounts counts;
  stats->probe_cost_exact = lists.size() <= kExactProbeCostAddresses;
  if (stats->probe_cost_exact) {
    counts = CountPairsExactly(lists);
    stats->probe_cost_images = stats->images;
  } else {
    std::vector<Address> sample;
    std::mt19937_64 rng(kProbeCostSeed);
    std::sample(addresses.begin(), addresses.end(), std::back_inserter(sample),
                kProbeCostSample, rng);
    counts = CountAroundSample(sample, lists, address_bits);
    stats->probe_cost_images = sample.size();
  }
  uint64_t probed = 0;
  double candidates = 0;
  for (uint32_t radius = 0; radius <= kMaxProbeRadius; ++radius) {
    probed += Binomial(address_bits, radius);
    candidates += counts[radius];
    const double per_query =
        stats->probe_cost_images == 0
            ? 0.0
            : candidates / double(stats->probe_cost_images);
    stats->probe_cost.push_back({radius, probed, per_query});
  }
}

}  // namespace

AddressStats ComputeAddressStats(std::vector<Address> addresses,
                                 uint32_t address_bits) {
  std::sort(addresses.begin(), addresses.end());
  const std::vector<PostingList> lists = CountPerAddress(addresses);
  AddressStats stats;
  stats.images = addresses.size();
  stats.occupied_addresses = lists.size();
  stats.length_histogram = LengthHistogram(lists);
  stats.largest_lists = LargestLists(lists);
  BitBalance(lists, address_bits, &stats);
  ProbeCosts(addresses, lists, address_bits, &stats);
  return stats;
}

}  // namespace semhash::cli

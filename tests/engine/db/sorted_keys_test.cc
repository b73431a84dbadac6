#include "engine/db/sorted_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace semhash {
namespace {

// The brute-force answer: positions of keys whose top prefix_bits bits are
// `prefix`.
SortedKeys::Range Oracle(const std::vector<uint32_t>& keys, uint32_t key_bits,
                         uint32_t prefix, uint32_t prefix_bits) {
  const uint32_t shift = key_bits - prefix_bits;
  SortedKeys::Range range{uint32_t(keys.size()), uint32_t(keys.size())};
  bool seen = false;
  for (uint32_t i = 0; i < keys.size(); ++i) {
    if ((uint64_t{keys[i]} >> shift) != prefix) continue;
    if (!seen) range.begin = i;
    seen = true;
    range.end = i + 1;
  }
  if (!seen) {
    // An empty range sits where the prefix would be inserted.
    const uint64_t low = uint64_t{prefix} << shift;
    range.begin = range.end = static_cast<uint32_t>(
        std::lower_bound(keys.begin(), keys.end(), low) - keys.begin());
  }
  return range;
}

std::vector<uint32_t> RandomKeys(size_t n, uint32_t key_bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> keys(n);
  const uint64_t limit = uint64_t{1} << key_bits;
  // Few distinct keys when n is large next to the key space: duplicates.
  for (auto& key : keys) key = static_cast<uint32_t>(rng() % limit);
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(SortedKeys, FindMatchesBruteForce) {
  for (uint32_t key_bits : {1u, 5u, 16u, 30u, 32u}) {
    for (size_t n : {0u, 1u, 2u, 100u, 5000u}) {
      const std::vector<uint32_t> keys = RandomKeys(n, key_bits, 7 + n);
      const SortedKeys sorted(keys, key_bits);
      std::mt19937 rng(11);
      for (int probe = 0; probe < 300; ++probe) {
        const uint32_t key =
            probe % 2 == 0 && n > 0
                ? keys[rng() % n]
                : static_cast<uint32_t>(rng() % (uint64_t{1} << key_bits));
        const SortedKeys::Range got = sorted.Find(key);
        const SortedKeys::Range want = Oracle(keys, key_bits, key, key_bits);
        ASSERT_EQ(got.size(), want.size()) << key_bits << " " << n;
        if (!want.empty()) {
          ASSERT_EQ(got.begin, want.begin);
        }
        for (uint32_t i = got.begin; i < got.end; ++i) {
          ASSERT_EQ(sorted.key(i), key);
        }
      }
    }
  }
}

TEST(SortedKeys, FindPrefixMatchesBruteForceAtEveryLength) {
  const uint32_t key_bits = 20;
  const std::vector<uint32_t> keys = RandomKeys(3000, key_bits, 3);
  const SortedKeys sorted(keys, key_bits);
  ASSERT_EQ(sorted.directory_bits(), 11u);  // floor(log2(3000)).
  std::mt19937 rng(5);
  for (uint32_t prefix_bits = 0; prefix_bits <= key_bits; ++prefix_bits) {
    for (int probe = 0; probe < 50; ++probe) {
      const uint32_t prefix =
          (keys[rng() % keys.size()] + probe % 3) >> (key_bits - prefix_bits);
      const uint32_t bounded = prefix_bits == 0 ? 0 : prefix;
      const SortedKeys::Range got = sorted.FindPrefix(bounded, prefix_bits);
      const SortedKeys::Range want =
          Oracle(keys, key_bits, bounded, prefix_bits);
      ASSERT_EQ(got.size(), want.size()) << prefix_bits;
      if (!want.empty()) {
        ASSERT_EQ(got.begin, want.begin);
      }
    }
  }
}

TEST(SortedKeys, AbsentKeyInEmptySlotIsEmpty) {
  const SortedKeys sorted({4, 4, 9, 1000}, 10);
  EXPECT_TRUE(sorted.Find(5).empty());
  EXPECT_TRUE(sorted.Find(1023).empty());
  EXPECT_EQ(sorted.Find(4).size(), 2u);
  EXPECT_EQ(sorted.FindPrefix(0, 1).size(), 3u);  // 4, 4, 9 < 512.
  EXPECT_EQ(sorted.FindPrefix(1, 1).size(), 1u);
  EXPECT_EQ(sorted.FindPrefix(0, 0).size(), 4u);
}

}  // namespace
}  // namespace semhash

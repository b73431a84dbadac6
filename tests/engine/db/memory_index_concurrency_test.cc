// The in-memory index under one writer and several readers, through the
// rebuilds that merge its delta into a new base (engine/db/memory_index.h).
// Part of the concurrency_test binary, which the TSan build runs.
//
// The writer adds ids 0, 1, 2, ... in order, and between additions replaces
// (same code) or deletes and re-adds earlier ids, so that deleted base rows
// and delta rows pile up and the index is rebuilt several times. Every
// search sees one consistent state: after the i-th addition, exactly ids
// 0..i-1, each once. A later search of the same reader never sees fewer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "engine/db/memory_index.h"

namespace semhash {
namespace {

constexpr uint32_t kAddressBits = 12;
constexpr uint32_t kCodeBits = 64;
constexpr uint64_t kImages = 12000;

std::vector<uint8_t> CodeOf(uint64_t id) {
  std::vector<uint8_t> code(kCodeBits / 8);
  uint64_t x = id * 0x9E3779B97F4A7C15ull;
  for (auto& byte : code) {
    byte = static_cast<uint8_t>(x);
    x = (x >> 8) | (x << 56);
  }
  return code;
}

Address AddressOf(uint64_t id) { return static_cast<Address>(id % 4096); }

MemoryIndex::Change Put(uint64_t id, bool stored) {
  return {id, stored, AddressOf(id), true, AddressOf(id), CodeOf(id)};
}

// Whether `result` holds exactly ids 0..n-1 for some n, each once; *n gets n.
bool IsPrefix(const SearchResult& result, size_t* n) {
  std::vector<uint64_t> ids;
  for (const Neighbor& neighbor : result.neighbors) ids.push_back(neighbor.id);
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] != i) return false;
  }
  *n = ids.size();
  return true;
}

TEST(MemoryIndexConcurrency, ReadersSeePrefixesThroughRebuilds) {
  MemoryIndex index(kAddressBits, kCodeBits, /*mih_tables=*/4);
  index.Install(index.BeginLoad(), MemoryRows());
  std::atomic<bool> done{false}, failed{false};
  std::thread writer([&] {
    std::mt19937_64 rng(7);
    for (uint64_t id = 0; id < kImages; ++id) {
      index.Apply({Put(id, false)}, [] {});
      if (id == 0) continue;
      const uint64_t old = rng() % id;
      if (rng() % 2 == 0) {
        index.Apply({Put(old, true)}, [] {});  // Replaced in place.
      } else {
        // Deleted and put back in one batch: no state lacks it.
        index.Apply(
            {{old, true, AddressOf(old), false, 0, {}}, Put(old, false)},
            [] {});
      }
    }
    done = true;
  });
  std::vector<std::thread> readers;
  std::atomic<uint64_t> searches{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      size_t seen = 0;
      const std::vector<uint8_t> query = CodeOf(r);
      while (!done.load() && !failed.load()) {
        SearchResult result;
        Status status;
        bool answered = false;
        switch ((searches++) % 3) {
          case 0:
            answered = index.Knn(query.data(), kImages, &result, &status);
            break;
          case 1:
            answered = index.Radius(query.data(), kCodeBits, &result, &status);
            break;
          default: {
            SearchOptions options;
            options.use_tables = false;
            options.max_radius = kAddressBits;
            options.min_candidates = SIZE_MAX;
            answered = index.Probe(options, 0, query.data(), kImages, &result,
                                   &status);
          }
        }
        size_t n = 0;
        if (!answered || !status.ok() || !IsPrefix(result, &n) || n < seen) {
          ADD_FAILURE() << "reader " << r << ": answered " << answered << ", "
                        << result.neighbors.size()
                        << " ids, not a prefix of the additions or fewer than "
                        << seen;
          failed = true;
        }
        seen = n;
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(searches.load(), 10u);
  EXPECT_EQ(index.rows(), kImages);
  SearchResult all;
  Status status;
  ASSERT_TRUE(index.Knn(CodeOf(1).data(), kImages + 1, &all, &status));
  ASSERT_TRUE(status.ok());
  size_t n = 0;
  EXPECT_TRUE(IsPrefix(all, &n));
  EXPECT_EQ(n, kImages);
}

}  // namespace
}  // namespace semhash

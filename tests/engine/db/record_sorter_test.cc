// RecordSorter: key order with stable ties, in memory and through spilled
// runs, and damaged runs reported instead of loaded.
#include "engine/db/record_sorter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::TempDir;

struct Item {
  uint64_t key;
  uint32_t order;  // Insertion order: the payload.
};

// Adds `count` random keys (many equal) and reads them back.
std::vector<Item> SortThrough(RecordSorter* sorter, size_t count,
                              std::vector<Item>* added) {
  std::mt19937_64 rng(5);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t key = rng() % 97 * 0x0101010101ull;
    added->push_back({key, i});
    EXPECT_TRUE(sorter->Add(key, reinterpret_cast<uint8_t*>(&i)).ok());
  }
  EXPECT_TRUE(sorter->Finish().ok());
  std::vector<Item> out;
  uint64_t key = 0;
  const uint8_t* payload = nullptr;
  while (sorter->Next(&key, &payload)) {
    uint32_t order = 0;
    std::memcpy(&order, payload, 4);
    out.push_back({key, order});
  }
  EXPECT_TRUE(sorter->status().ok()) << sorter->status().ToString();
  return out;
}

void ExpectStableSorted(std::vector<Item> added, const std::vector<Item>& out) {
  std::stable_sort(added.begin(), added.end(),
                   [](const Item& a, const Item& b) { return a.key < b.key; });
  ASSERT_EQ(out.size(), added.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].key, added[i].key) << i;
    EXPECT_EQ(out[i].order, added[i].order) << i;
  }
}

TEST(RecordSorter, SortsInMemoryWithStableTies) {
  TempDir dir;
  RecordSorter sorter(4, 1 << 20, dir.Sub("run-"));
  std::vector<Item> added;
  const auto out = SortThrough(&sorter, 5000, &added);
  EXPECT_EQ(sorter.runs(), 0u);
  ExpectStableSorted(added, out);
}

TEST(RecordSorter, MergesSpilledRunsWithStableTies) {
  TempDir dir;
  // Room for 300 records: 5000 make 17 runs.
  RecordSorter sorter(4, 300 * RecordSorter::BytesPerRecord(4),
                      dir.Sub("run-"));
  std::vector<Item> added;
  const auto out = SortThrough(&sorter, 5000, &added);
  EXPECT_EQ(sorter.runs(), 17u);
  ExpectStableSorted(added, out);
}

TEST(RecordSorter, EmptyInputYieldsNothing) {
  TempDir dir;
  RecordSorter sorter(4, 1 << 20, dir.Sub("run-"));
  ASSERT_TRUE(sorter.Finish().ok());
  uint64_t key = 0;
  const uint8_t* payload = nullptr;
  EXPECT_FALSE(sorter.Next(&key, &payload));
  EXPECT_TRUE(sorter.status().ok());
}

TEST(RecordSorter, DamagedRunIsCorruption) {
  TempDir dir;
  RecordSorter sorter(4, 10 * RecordSorter::BytesPerRecord(4), dir.Sub("run-"));
  for (uint32_t i = 0; i < 25; ++i) {
    ASSERT_TRUE(sorter.Add(i, reinterpret_cast<uint8_t*>(&i)).ok());
  }
  ASSERT_EQ(sorter.runs(), 2u);
  {
    std::fstream run(dir.Sub("run-0"),
                     std::ios::in | std::ios::out | std::ios::binary);
    run.seekp(13);
    run.put('\x7f');
  }
  Status s = sorter.Finish();
  uint64_t key = 0;
  const uint8_t* payload = nullptr;
  while (s.ok() && sorter.Next(&key, &payload)) {
  }
  if (s.ok()) s = sorter.status();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace semhash

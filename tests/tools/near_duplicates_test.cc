// The near-duplicate groups of `semhash dedup` against a brute-force
// oracle: every pair of stored codes compared, components by union-find.
// Planted clusters and chains (members that join only through others), at
// every radius up to 8, with and without multi-index tables and the
// in-memory index.
#include "tools/near_duplicates.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>

#include "../engine/test_util.h"
#include "semhash/db.h"

namespace semhash::cli {
namespace {

using testing::TempDir;

constexpr size_t kCodeBytes = 8;

struct Stored {
  std::vector<uint64_t> ids;
  std::vector<std::vector<uint8_t>> codes;
};

// Clusters of noisy copies around random centres, chains whose links are 3
// bits apart (so the ends lie 9 apart), and lone random codes.
Stored PlantedCodes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Stored s;
  auto add = [&](std::vector<uint8_t> code) {
    s.ids.push_back(rng() >> 20);  // Ids not in insertion order.
    s.codes.push_back(std::move(code));
  };
  for (int c = 0; c < 30; ++c) {
    const auto centre = testing::RandomCode(&rng, kCodeBytes);
    add(centre);
    for (int k = 0; k < c % 5; ++k) add(testing::NoisyCopy(centre, 0.03, &rng));
  }
  for (int c = 0; c < 8; ++c) {
    auto link = testing::RandomCode(&rng, kCodeBytes);
    for (int k = 0; k < 4; ++k) {
      add(link);
      for (int bit = 0; bit < 3; ++bit) link[(k * 3 + bit) % 8] ^= 1 << bit;
    }
  }
  for (int c = 0; c < 40; ++c) add(testing::RandomCode(&rng, kCodeBytes));
  return s;
}

uint32_t Distance(const std::vector<uint8_t>& a,
                  const std::vector<uint8_t>& b) {
  uint32_t d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += __builtin_popcount(a[i] ^ b[i]);
  return d;
}

// Groups of two or more by union-find over every pair, as member id lists
// (ascending), ordered by first id; with each member's distance to the
// first.
std::vector<std::vector<std::pair<uint64_t, uint32_t>>> Oracle(
    const Stored& s, uint32_t radius) {
  const size_t n = s.ids.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::function<size_t(size_t)> root = [&](size_t i) {
    return parent[i] == i ? i : parent[i] = root(parent[i]);
  };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (Distance(s.codes[i], s.codes[j]) <= radius) parent[root(i)] = root(j);
    }
  }
  std::map<size_t, std::vector<size_t>> components;
  for (size_t i = 0; i < n; ++i) components[root(i)].push_back(i);
  std::map<uint64_t, std::vector<std::pair<uint64_t, uint32_t>>> by_first;
  for (auto& [r, members] : components) {
    if (members.size() < 2) continue;
    std::sort(members.begin(), members.end(),
              [&](size_t a, size_t b) { return s.ids[a] < s.ids[b]; });
    std::vector<std::pair<uint64_t, uint32_t>> group;
    for (size_t m : members) {
      group.emplace_back(s.ids[m], Distance(s.codes[members[0]], s.codes[m]));
    }
    by_first[group[0].first] = group;
  }
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> groups;
  for (auto& [first, group] : by_first) groups.push_back(group);
  return groups;
}

void ExpectOracleGroups(const std::string& path, const Stored& stored,
                        Options options) {
  std::unique_ptr<DB> db = testing::OpenOrDie(path, options);
  ASSERT_NE(db, nullptr);
  for (uint32_t radius = 0; radius <= 8; ++radius) {
    std::vector<std::vector<std::pair<uint64_t, uint32_t>>> found;
    uint64_t last_done = 0, total = 0;
    const Status s = FindNearDuplicates(
        db.get(), radius,
        [&](const DuplicateGroup& g) {
          std::vector<std::pair<uint64_t, uint32_t>> ids;
          for (const auto& m : g.members) {
            ids.emplace_back(m.id, m.distance);
            EXPECT_EQ(m.payload, "p" + std::to_string(m.id));
          }
          found.push_back(ids);
          return Status::OK();
        },
        [&](uint64_t done, uint64_t all) {
          EXPECT_GE(done, last_done);
          last_done = done;
          total = all;
        });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(found, Oracle(stored, radius)) << "radius " << radius;
    EXPECT_EQ(last_done, stored.ids.size());
    EXPECT_EQ(total, stored.ids.size());
  }
}

TEST(NearDuplicates, GroupsAreTheRadiusJoinsComponents) {
  const Stored stored = PlantedCodes(7);
  for (uint32_t tables : {0u, 4u}) {
    TempDir dir;
    Options options;
    options.create_if_missing = true;
    options.code_bits = kCodeBytes * 8;
    options.address_bits = 12;
    options.mih_tables = tables;
    {
      std::unique_ptr<DB> db = testing::OpenOrDie(dir.Sub("db"), options);
      ASSERT_NE(db, nullptr);
      for (size_t i = 0; i < stored.ids.size(); ++i) {
        const Address address =
            (stored.codes[i][0] << 4) | (stored.codes[i][1] >> 4);
        ASSERT_TRUE(db->Put(WriteOptions(), stored.ids[i], address,
                            CodeView(stored.codes[i].data(), kCodeBytes),
                            "p" + std::to_string(stored.ids[i]))
                        .ok());
      }
    }
    Options read;
    read.read_only = true;
    ExpectOracleGroups(dir.Sub("db"), stored, read);
    read.memory_index = Options::MemoryIndex::kOff;
    ExpectOracleGroups(dir.Sub("db"), stored, read);
  }
}

TEST(NearDuplicates, ChainsJoinBeyondTheRadius) {
  // The oracle check above covers chains; this pins that a chain's ends,
  // 9 bits apart, are one group at radius 3 (and apart at radius 2).
  const Stored stored = PlantedCodes(7);
  const auto groups = Oracle(stored, 3);
  size_t wide = 0;
  for (const auto& g : groups) {
    for (const auto& [id, d] : g) wide += d > 3;
  }
  EXPECT_GT(wide, 0u);
}

}  // namespace
}  // namespace semhash::cli

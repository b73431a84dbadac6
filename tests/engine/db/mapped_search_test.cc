// Searches over a mapped segment (MemoryIndex::Install of a MappedSegment,
// MultiIndex::View): every path equals the brute-force oracle and the same
// rows as an in-memory base, stats included; a damaged block fails the
// search that reads it with Corruption naming file, section and offset, and
// a search that does not read it still answers exactly; writes and
// rebuilds over a mapped base keep matching the oracle.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/db/mapped_segment.h"
#include "engine/db/memory_index.h"
#include "engine/db/multi_index.h"
#include "engine/db/segment_writer.h"
#include "engine/db/top_k.h"
#include "tests/engine/segment_rows.h"

namespace semhash {
namespace {

using format::SegmentSection;
using testing::BallOracle;
using testing::MakeTestRows;
using testing::TempDir;
using testing::TestRows;
using testing::WithinOracle;

constexpr size_t kK = 10;

struct Config {
  uint32_t address_bits;
  uint32_t code_bits;
  int centres;  // 0: uniform random codes.
  uint32_t tables;
};

const Config kConfigs[] = {
    {8, 64, 0, 0}, {16, 256, 25, 8}, {32, 128, 40, 4}, {20, 64, 0, 2}};

std::string Name(const Config& c) {
  return std::to_string(c.address_bits) + "-bit addresses, " +
         std::to_string(c.code_bits) + "-bit codes, " +
         std::to_string(c.centres) + " centres, " + std::to_string(c.tables) +
         " tables";
}

std::shared_ptr<const MappedSegment> WriteAndMap(const std::string& path,
                                                 const TestRows& rows,
                                                 uint32_t m) {
  std::unique_ptr<MultiIndex> tables;
  if (m > 0) {
    tables = std::make_unique<MultiIndex>(rows.codes.data(), rows.size(),
                                          rows.code_bits, m);
  }
  Status s = WriteSegment(path, rows.address_bits, rows.code_bits, rows.view(),
                          tables.get(), 4096);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::shared_ptr<const MappedSegment> segment;
  s = MappedSegment::Open(path, &segment);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return segment;
}

std::unique_ptr<MemoryIndex> MappedIndex(
    const Config& c, std::shared_ptr<const MappedSegment> segment) {
  auto index =
      std::make_unique<MemoryIndex>(c.address_bits, c.code_bits, c.tables);
  const Status s = index->Install(index->BeginLoad(), std::move(segment));
  EXPECT_TRUE(s.ok()) << s.ToString();
  return index;
}

std::unique_ptr<MemoryIndex> OwnedIndex(const Config& c, const TestRows& rows) {
  auto index =
      std::make_unique<MemoryIndex>(c.address_bits, c.code_bits, c.tables);
  index->Install(index->BeginLoad(), {rows.ids, rows.addresses, rows.codes});
  return index;
}

std::vector<std::vector<uint8_t>> Queries(const TestRows& rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint8_t>> queries;
  for (int q = 0; q < 12; ++q) {
    const size_t row = rng() % rows.size();
    const uint8_t* code = rows.codes.data() + row * rows.code_bytes();
    std::vector<uint8_t> query(code, code + rows.code_bytes());
    queries.push_back(q % 3 == 2 ? testing::RandomCode(&rng, query.size())
                                 : testing::NoisyCopy(query, 0.02 * q, &rng));
  }
  return queries;
}

void ExpectSameStats(const SearchStats& a, const SearchStats& b,
                     const std::string& what) {
  EXPECT_EQ(a.path, b.path) << what;
  EXPECT_EQ(a.radius_reached, b.radius_reached) << what;
  EXPECT_EQ(a.addresses_probed, b.addresses_probed) << what;
  EXPECT_EQ(a.addresses_occupied, b.addresses_occupied) << what;
  EXPECT_EQ(a.range_bits, b.range_bits) << what;
  EXPECT_EQ(a.lookups, b.lookups) << what;
  EXPECT_EQ(a.lookups_empty, b.lookups_empty) << what;
  EXPECT_EQ(a.candidates_reranked, b.candidates_reranked) << what;
}

// Runs one search on both indexes: both answer OK, identically.
template <typename Search>
SearchResult Same(const MemoryIndex& mapped, const MemoryIndex& owned,
                  Search search, const std::string& what) {
  SearchResult a, b;
  Status sa, sb;
  EXPECT_TRUE(search(mapped, &a, &sa)) << what;
  EXPECT_TRUE(search(owned, &b, &sb)) << what;
  EXPECT_TRUE(sa.ok()) << what << ": " << sa.ToString();
  EXPECT_TRUE(sb.ok()) << what << ": " << sb.ToString();
  EXPECT_EQ(a.neighbors, b.neighbors) << what;
  ExpectSameStats(a.stats, b.stats, what);
  return a;
}

std::vector<Neighbor> TopOf(std::vector<Neighbor> all, size_t k) {
  all.resize(std::min(all.size(), k));
  return all;
}

TEST(MappedSearch, EveryPathEqualsTheOracleAndTheInMemoryBase) {
  TempDir tmp;
  for (const Config& c : kConfigs) {
    SCOPED_TRACE(Name(c));
    const TestRows rows =
        MakeTestRows(3000, c.address_bits, c.code_bits, c.centres, 31);
    auto segment = WriteAndMap(tmp.Sub(Name(c)), rows, c.tables);
    ASSERT_NE(segment, nullptr);
    const auto mapped = MappedIndex(c, segment);
    const auto owned = OwnedIndex(c, rows);
    const std::vector<testing::StoredImage> images = rows.images();
    const auto queries = Queries(rows, 37);
    for (size_t q = 0; q < queries.size(); ++q) {
      const uint8_t* query = queries[q].data();
      const std::string what = "query " + std::to_string(q);
      const SearchResult knn = Same(
          *mapped, *owned,
          [&](const MemoryIndex& index, SearchResult* r, Status* s) {
            return index.Knn(query, kK, r, s);
          },
          what + " Knn");
      EXPECT_EQ(knn.neighbors,
                TopOf(WithinOracle(images, queries[q], UINT32_MAX), kK))
          << what;
      for (uint32_t radius : {0u, 6u, c.code_bits / 4}) {
        const SearchResult within = Same(
            *mapped, *owned,
            [&](const MemoryIndex& index, SearchResult* r, Status* s) {
              return index.Radius(query, radius, r, s);
            },
            what + " Radius " + std::to_string(radius));
        EXPECT_EQ(within.neighbors, WithinOracle(images, queries[q], radius))
            << what << " radius " << radius;
      }
      const Address address = AddressFromCode(queries[q], c.address_bits);
      SearchOptions full;
      full.use_tables = false;
      full.max_radius = 3;
      full.min_candidates = SIZE_MAX;
      const SearchResult ball = Same(
          *mapped, *owned,
          [&](const MemoryIndex& index, SearchResult* r, Status* s) {
            return index.Probe(full, address, query, kK, r, s);
          },
          what + " Probe to radius 3");
      size_t candidates = 0;
      EXPECT_EQ(ball.neighbors,
                BallOracle(images, address, 3, queries[q], kK, &candidates))
          << what;
      EXPECT_EQ(ball.stats.candidates_reranked, candidates) << what;
      for (bool use_tables : {false, true}) {
        SearchOptions options;
        options.use_tables = use_tables;
        const SearchResult probe = Same(
            *mapped, *owned,
            [&](const MemoryIndex& index, SearchResult* r, Status* s) {
              return index.Probe(options, address, query, kK, r, s);
            },
            what + " Probe, tables " + std::to_string(use_tables));
        if (use_tables && c.tables > 0) {
          EXPECT_EQ(probe.stats.path, SearchPath::kMultiIndex);
        }
      }
    }
    // The batch scan, all queries at once.
    std::vector<uint8_t> all;
    for (const auto& query : queries) {
      all.insert(all.end(), query.begin(), query.end());
    }
    std::vector<SearchResult> a(queries.size()), b(queries.size());
    Status sa, sb;
    ASSERT_TRUE(
        mapped->KnnBatch(all.data(), queries.size(), kK, a.data(), &sa));
    ASSERT_TRUE(owned->KnnBatch(all.data(), queries.size(), kK, b.data(), &sb));
    ASSERT_TRUE(sa.ok() && sb.ok()) << sa.ToString() << sb.ToString();
    for (size_t q = 0; q < queries.size(); ++q) {
      EXPECT_EQ(a[q].neighbors, b[q].neighbors) << q;
      EXPECT_EQ(a[q].neighbors,
                TopOf(WithinOracle(images, queries[q], UINT32_MAX), kK));
    }
  }
}

// MultiIndex::View's exact k-NN (which MemoryIndex reaches only past
// 131,072 rows), radius and probe equal the owned tables', ties included.
TEST(MappedSearch, TableViewSearchesEqualTheOwnedTables) {
  TempDir tmp;
  for (const Config& c : kConfigs) {
    if (c.tables == 0) continue;
    SCOPED_TRACE(Name(c));
    const TestRows rows =
        MakeTestRows(3000, c.address_bits, c.code_bits, c.centres, 41);
    auto segment = WriteAndMap(tmp.Sub("t.seg"), rows, c.tables);
    ASSERT_NE(segment, nullptr);
    const std::unique_ptr<MultiIndex> view = MultiIndex::View(*segment);
    const MultiIndex owned(rows.codes.data(), rows.size(), c.code_bits,
                           c.tables);
    const std::vector<uint64_t> dead = {0x8421084210842108};  // Rows 3, 8...
    for (const auto& query : Queries(rows, 43)) {
      TopK a(kK), b(kK);
      MultiIndexStats sa, sb;
      Status status;
      EXPECT_TRUE(view->SearchKnn(query.data(), rows.ids.data(), &dead,
                                  SIZE_MAX, &a, &sa, &status));
      EXPECT_TRUE(owned.SearchKnn(query.data(), rows.ids.data(), &dead,
                                  SIZE_MAX, &b, &sb));
      EXPECT_TRUE(status.ok()) << status.ToString();
      EXPECT_EQ(a.Take(), b.Take());
      EXPECT_EQ(sa.candidates, sb.candidates);
      EXPECT_EQ(sa.lookups, sb.lookups);
      std::vector<Neighbor> ra, rb;
      view->SearchRadius(query.data(), c.code_bits / 4, rows.ids.data(), &dead,
                         &ra, &sa, &status);
      owned.SearchRadius(query.data(), c.code_bits / 4, rows.ids.data(), &dead,
                         &rb, &sb);
      EXPECT_TRUE(status.ok()) << status.ToString();
      EXPECT_EQ(ra, rb);
      TopK pa(kK), pb(kK);
      view->SearchProbe(query.data(), 2, 200, rows.ids.data(), &dead, &pa, &sa,
                        &status);
      owned.SearchProbe(query.data(), 2, 200, rows.ids.data(), &dead, &pb, &sb);
      EXPECT_TRUE(status.ok()) << status.ToString();
      EXPECT_EQ(pa.Take(), pb.Take());
      EXPECT_EQ(sa.candidates, sb.candidates);
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A byte flipped where a search must read: that search fails with the
// Corruption naming file, section and the damaged block's offset; every
// search answering OK answers what the undamaged base does.
TEST(MappedSearch, DamagedBlockFailsTheSearchThatReadsItAndNoOther) {
  TempDir tmp;
  const Config c = {16, 256, 25, 8};
  const TestRows rows = MakeTestRows(3000, 16, 256, 25, 47);
  const std::string clean = tmp.Sub("clean.seg");
  auto original = WriteAndMap(clean, rows, c.tables);
  ASSERT_NE(original, nullptr);
  const auto reference = OwnedIndex(c, rows);
  const std::string bytes = ReadFile(clean);
  const size_t row = 1234;
  const uint8_t* code = rows.codes.data() + row * rows.code_bytes();
  const std::vector<uint8_t> query(code, code + rows.code_bytes());
  const Address address = rows.addresses[row];
  const uint32_t slot =
      address >> (16 - SortedKeys::DirectoryBits(rows.size(), 16));
  // The searches: which of them must read each damaged byte is below.
  enum Search { kKnn, kRadius, kProbe, kTableProbe, kBatch };
  auto run = [&](const MemoryIndex& index, Search search, SearchResult* r,
                 Status* s) {
    SearchOptions options;
    options.use_tables = search == kTableProbe;
    options.max_table_radius = 0;
    options.min_candidates = SIZE_MAX;
    options.max_radius = 0;
    switch (search) {
      case kKnn:
        return index.Knn(query.data(), kK, r, s);
      case kRadius:
        return index.Radius(query.data(), 3, r, s);
      case kProbe:
      case kTableProbe:
        return index.Probe(options, address, query.data(), kK, r, s);
      case kBatch:
        return index.KnnBatch(query.data(), 1, kK, r, s);
    }
    return false;
  };
  struct Damage {
    SegmentSection kind;
    uint32_t table;
    uint64_t byte;  // In the section.
    Search must_fail;
  };
  std::vector<Damage> damages = {
      {SegmentSection::kCodes, 0, row * 32 + 5, kKnn},
      {SegmentSection::kCodes, 0, row * 32 + 5, kBatch},
      {SegmentSection::kCodes, 0, row * 32 + 5, kProbe},
      {SegmentSection::kIds, 0, row * 8 + 1, kKnn},
      {SegmentSection::kIds, 0, row * 8 + 1, kProbe},
      {SegmentSection::kAddressKeys, 0, row * 4, kProbe},
      {SegmentSection::kAddressDirectory, 0, slot * 4 + 1, kProbe},
  };
  for (uint32_t t = 0; t < c.tables; ++t) {
    const std::span<const uint32_t> table_rows = original->table_rows(t);
    const uint64_t i = std::find(table_rows.begin(), table_rows.end(), row) -
                       table_rows.begin();
    const uint32_t bits = original->header().tables[t].bits;
    const uint32_t key_slot =
        original->table_keys(t)[i] >>
        (bits - SortedKeys::DirectoryBits(rows.size(), bits));
    damages.push_back({SegmentSection::kTableKeys, t, i * 4 + 2, kTableProbe});
    damages.push_back({SegmentSection::kTableRows, t, i * 4, kTableProbe});
    damages.push_back(
        {SegmentSection::kTableDirectory, t, key_slot * 4, kTableProbe});
  }
  const std::string path = tmp.Sub("damaged.seg");
  for (const Damage& damage : damages) {
    const std::string name =
        format::SegmentSectionName(damage.kind, damage.table);
    SCOPED_TRACE(name + " byte " + std::to_string(damage.byte));
    const format::SegmentSectionEntry& entry =
        original->header()
            .sections[MappedSegment::SectionOf(damage.kind, damage.table)];
    std::string file = bytes;
    file[entry.offset + damage.byte] ^= 0x40;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(file.data(), file.size());
    }
    std::shared_ptr<const MappedSegment> segment;
    ASSERT_TRUE(MappedSegment::Open(path, &segment).ok());
    for (Search search : {kKnn, kRadius, kProbe, kTableProbe, kBatch}) {
      const auto index = MappedIndex(c, segment);
      SearchResult got, want;
      Status s, clean_status;
      ASSERT_TRUE(run(*index, search, &got, &s));
      ASSERT_TRUE(run(*reference, search, &want, &clean_status));
      if (s.ok()) {
        EXPECT_NE(search, damage.must_fail) << "search " << search;
        EXPECT_EQ(got.neighbors, want.neighbors) << "search " << search;
        continue;
      }
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      const uint64_t block = entry.offset + damage.byte / 4096 * 4096;
      EXPECT_NE(s.message().find(path + ": " + name + " at byte " +
                                 std::to_string(block)),
                std::string::npos)
          << "search " << search << ": " << s.ToString();
    }
  }
}

// Writes over a mapped base: deletes mark its rows, puts go to the delta,
// and once the delta is large the rebuild reads the mapped rows into a new
// in-memory base; every search keeps matching the oracle.
TEST(MappedSearch, WritesAndRebuildOverAMappedBaseMatchTheOracle) {
  TempDir tmp;
  const Config c = {12, 64, 0, 2};
  const TestRows rows = MakeTestRows(3000, 12, 64, 0, 53);
  auto segment = WriteAndMap(tmp.Sub("w.seg"), rows, c.tables);
  ASSERT_NE(segment, nullptr);
  const auto index = MappedIndex(c, segment);
  testing::StoredModel model;
  for (const auto& image : rows.images()) {
    model.Put(image.id, image.address, image.code);
  }
  std::mt19937_64 rng(59);
  auto check = [&](const std::string& when) {
    const auto images = model.All();
    for (const auto& query : Queries(rows, rng())) {
      SearchResult result;
      Status s;
      ASSERT_TRUE(index->Knn(query.data(), kK, &result, &s));
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(result.neighbors,
                TopOf(WithinOracle(images, query, UINT32_MAX), kK))
          << when;
      ASSERT_TRUE(index->Radius(query.data(), 12, &result, &s));
      EXPECT_EQ(result.neighbors, WithinOracle(images, query, 12)) << when;
    }
  };
  std::vector<MemoryIndex::Change> changes;
  for (size_t r = 0; r < 600; r += 3) {  // Delete some base rows.
    changes.push_back({rows.ids[r], true, rows.addresses[r], false, 0, {}});
    model.Delete(rows.ids[r]);
  }
  for (uint64_t id = 1; id <= 200; ++id) {  // New images.
    const auto code = testing::RandomCode(&rng, 8);
    const Address address = AddressFromCode(code, 12);
    changes.push_back({id, false, 0, true, address, code});
    model.Put(id, address, code);
  }
  index->Apply(changes, [] {});
  check("deletes and puts");
  EXPECT_EQ(index->rows(), model.size());
  changes.clear();
  for (uint64_t id = 1000; id < 6000; ++id) {  // Enough to rebuild.
    const auto code = testing::RandomCode(&rng, 8);
    const Address address = AddressFromCode(code, 12);
    changes.push_back({id, false, 0, true, address, code});
    model.Put(id, address, code);
  }
  EXPECT_GT(segment.use_count(), 1);  // The base is the mapped segment ...
  index->Apply(changes, [] {});
  EXPECT_EQ(segment.use_count(), 1);  // ... and no longer: it was rebuilt.
  check("after the rebuild");
  EXPECT_EQ(index->rows(), model.size());
}

TEST(MappedSearch, InstallRefusesASegmentOfOtherWidths) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(100, 12, 64, 0, 61);
  auto segment = WriteAndMap(tmp.Sub("x.seg"), rows, 0);
  ASSERT_NE(segment, nullptr);
  MemoryIndex wider(13, 64, 0), longer(12, 128, 0), tables(12, 64, 2);
  EXPECT_TRUE(wider.Install(wider.BeginLoad(), segment).IsInvalidArgument());
  EXPECT_TRUE(longer.Install(longer.BeginLoad(), segment).IsInvalidArgument());
  EXPECT_TRUE(tables.Install(tables.BeginLoad(), segment).IsInvalidArgument());
  EXPECT_FALSE(wider.ready());
}

}  // namespace
}  // namespace semhash

// The in-memory index (engine/db/memory_index.h): the probe planner's range
// scans, writes, deletes and rebuilds, multi-index hashing, SearchRadius,
// loads in the background and after bulk loads, each against a brute-force
// model of what was stored.
#include "engine/db/memory_index.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "semhash/db.h"
#include "tests/engine/oracle.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::BallOracle;
using testing::BallSize;
using testing::CreateOptions;
using testing::NoisyCopy;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::StoredModel;
using testing::TempDir;
using testing::WithinOracle;

constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;
constexpr size_t kK = 20;

// Clustered codes: noisy copies of a few centres, so that near queries have
// many close images and ties.
class Codes {
 public:
  explicit Codes(uint64_t seed, int centres = 30) : rng_(seed) {
    for (int c = 0; c < centres; ++c) {
      centres_.push_back(RandomCode(&rng_, kCodeBytes));
    }
  }
  std::vector<uint8_t> Next(double noise = 0.05) {
    return NoisyCopy(centres_[rng_() % centres_.size()], noise, &rng_);
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::vector<std::vector<uint8_t>> centres_;
};

// Bulk-loads ids [first, last) with fresh codes, recording them in *model.
void BulkLoad(DB* db, Codes* codes, uint64_t first, uint64_t last,
              uint32_t address_bits, StoredModel* model) {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> all;
  for (uint64_t id = first; id < last; ++id) {
    const auto code = codes->Next();
    ids.push_back(id);
    addresses.push_back(AddressFromCode(code, address_bits));
    all.insert(all.end(), code.begin(), code.end());
    model->Put(id, addresses.back(), code);
  }
  std::unique_ptr<BulkLoader> loader;
  ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
  ASSERT_TRUE(
      loader->Add(ids.size(), ids.data(), addresses.data(), all.data()).ok());
  ASSERT_TRUE(loader->Finish().ok());
}

// Checks every search of `db` against `model` for `queries`.
void ExpectMatchesModel(DB* db, const StoredModel& model,
                        const std::vector<std::vector<uint8_t>>& queries,
                        uint32_t address_bits, const std::string& when) {
  const std::vector<testing::StoredImage> images = model.All();
  for (const auto& query : queries) {
    SearchResult exact;
    ASSERT_TRUE(db->SearchExact(query, kK, &exact).ok());
    size_t all = 0;
    EXPECT_EQ(exact.neighbors,
              BallOracle(images, 0, address_bits, query, kK, &all))
        << when;
    const Address address = AddressFromCode(query, address_bits);
    SearchOptions options;
    options.max_radius = 2;
    options.min_candidates = SIZE_MAX;
    options.use_tables = false;
    SearchResult probe;
    ASSERT_TRUE(db->Search(options, address, query, kK, &probe).ok());
    size_t candidates = 0;
    EXPECT_EQ(probe.neighbors,
              BallOracle(images, address, 2, query, kK, &candidates))
        << when;
    EXPECT_EQ(probe.stats.candidates_reranked, candidates) << when;
    for (uint32_t radius : {0u, 8u, 30u}) {
      SearchResult within;
      ASSERT_TRUE(db->SearchRadius(query, radius, &within).ok());
      EXPECT_EQ(within.neighbors, WithinOracle(images, query, radius))
          << when << ", radius " << radius;
    }
  }
}

TEST(MemoryIndex, PlannerRangeScansGatherTheBallExactly) {
  std::set<uint32_t> range_bits_seen;
  for (uint32_t address_bits : {8u, 16u, 30u}) {
    TempDir dir;
    Codes codes(address_bits);
    std::vector<testing::StoredImage> images;
    {
      auto db =
          OpenOrDie(dir.Sub("db"), CreateOptions(address_bits, kCodeBits));
      WriteBatch batch;
      for (uint64_t id = 0; id < 3000; ++id) {
        const auto code = codes.Next();
        images.push_back({id, AddressFromCode(code, address_bits), code});
        batch.Put(id, images.back().address, code);
      }
      ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
    }
    auto db = OpenOrDie(dir.Sub("db"));  // The images are in the base now.
    for (int q = 0; q < 10; ++q) {
      const auto query = codes.Next(0.03);
      const Address address = AddressFromCode(query, address_bits);
      for (uint32_t radius = 0; radius <= 4; ++radius) {
        SearchOptions options;
        options.max_radius = radius;
        options.min_candidates = SIZE_MAX;
        SearchResult result;
        ASSERT_TRUE(db->Search(options, address, query, kK, &result).ok());
        size_t candidates = 0;
        EXPECT_EQ(result.neighbors,
                  BallOracle(images, address, radius, query, kK, &candidates))
            << address_bits << "-bit addresses, radius " << radius;
        EXPECT_EQ(result.stats.candidates_reranked, candidates);
        EXPECT_EQ(result.stats.addresses_probed,
                  BallSize(address_bits, radius));
        EXPECT_EQ(result.stats.path, SearchPath::kMemoryProbe);
        EXPECT_LE(result.stats.lookups_empty, result.stats.lookups);
        range_bits_seen.insert(result.stats.range_bits);
      }
    }
  }
  // Both point lookups and range scans over shorter prefixes were planned.
  EXPECT_TRUE(range_bits_seen.count(0));
  EXPECT_GT(*range_bits_seen.rbegin(), 8u);
}

// Puts, replaces (often to another address) and deletes in batches, some
// naming an id twice, enough that the delta is merged into a new base more
// than once; the answers match the model throughout, after a reopen, and on
// RocksDB alone.
TEST(MemoryIndex, WritesDeletesAndRebuildsMatchTheModel) {
  constexpr uint32_t kAddressBits = 12;
  TempDir dir;
  Codes codes(3);
  StoredModel model;
  std::vector<std::vector<uint8_t>> queries;
  for (int q = 0; q < 4; ++q) queries.push_back(codes.Next(0.03));
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  std::uniform_int_distribution<uint64_t> any_id(0, 2999);
  for (int round = 0; round < 12; ++round) {
    for (int b = 0; b < 100; ++b) {
      WriteBatch batch;
      const int size = 1 + int(codes.rng()() % 12);
      for (int i = 0; i < size; ++i) {
        const uint64_t id = any_id(codes.rng());
        if (codes.rng()() % 5 == 0) {
          batch.Delete(id);
          model.Delete(id);
        } else {
          const auto code = codes.Next();
          const Address address = AddressFromCode(code, kAddressBits);
          batch.Put(id, address, code);
          model.Put(id, address, code);
        }
      }
      ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
    }
    ExpectMatchesModel(db.get(), model, queries, kAddressBits,
                       "round " + std::to_string(round));
    if (round == 5) {
      db.reset();
      db = OpenOrDie(dir.Sub("db"));
    }
  }
  SpaceUsage usage;
  ASSERT_TRUE(db->GetSpaceUsage(&usage).ok());
  EXPECT_EQ(usage.memory_index_images, model.size());
  EXPECT_GT(usage.memory_index_bytes, model.size() * (kCodeBytes + 8));
  db.reset();
  db = OpenOrDie(dir.Sub("db"));
  ExpectMatchesModel(db.get(), model, queries, kAddressBits, "reopened");
  db.reset();
  db = OpenOrDie(dir.Sub("db"), testing::DiskOnly());
  ExpectMatchesModel(db.get(), model, queries, kAddressBits, "on disk");
}

class MultiIndexDbTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kAddressBits = 16;
  static constexpr uint32_t kTables = 8;  // 16-bit substrings.
  // Many small clusters: a query near one has a few close images, which
  // the tables find for less than a scan costs. Below about 130,000 images
  // a scan is always cheaper, so there are more.
  static constexpr uint64_t kImages = 140000;

  void SetUp() override {
    Options options = CreateOptions(kAddressBits, kCodeBits);
    options.mih_tables = kTables;
    {
      auto db = OpenOrDie(dir_.Sub("db"), options);
      BulkLoad(db.get(), &codes_, 0, kImages, kAddressBits, &model_);
    }
    db_ = OpenOrDie(dir_.Sub("db"));
    ASSERT_EQ(db_->info().mih_tables, kTables);
    for (int q = 0; q < 6; ++q) queries_.push_back(codes_.Next(0.02));
    for (int q = 0; q < 2; ++q) {
      queries_.push_back(RandomCode(&codes_.rng(), kCodeBytes));
    }
  }

  void Put(uint64_t id, WriteBatch* batch) {
    const auto code = codes_.Next(0.04);
    const Address address = AddressFromCode(code, kAddressBits);
    batch->Put(id, address, code);
    model_.Put(id, address, code);
  }

  TempDir dir_;
  Codes codes_{11, 14000};
  StoredModel model_;
  std::unique_ptr<DB> db_;
  std::vector<std::vector<uint8_t>> queries_;
};

TEST_F(MultiIndexDbTest, ExactAndRadiusSearchesMatchTheModel) {
  // The tables answer near queries and small radii; a far query or a
  // large radius is scanned, as it costs less.
  auto expect_paths = [&](const std::string& when) {
    const std::vector<testing::StoredImage> images = model_.All();
    SearchResult near;
    ASSERT_TRUE(db_->SearchExact(queries_[0], 5, &near).ok());
    EXPECT_EQ(near.stats.path, SearchPath::kMultiIndex) << when;
    EXPECT_LT(near.stats.candidates_reranked, model_.size() / 10) << when;
    size_t all = 0;
    EXPECT_EQ(near.neighbors,
              BallOracle(images, 0, kAddressBits, queries_[0], 5, &all))
        << when;
    SearchResult within;
    ASSERT_TRUE(db_->SearchRadius(queries_[0], 10, &within).ok());
    EXPECT_EQ(within.stats.path, SearchPath::kMultiIndex) << when;
    EXPECT_EQ(within.neighbors, WithinOracle(images, queries_[0], 10)) << when;
    ASSERT_TRUE(db_->SearchRadius(queries_[0], 40, &within).ok());
    EXPECT_EQ(within.stats.path, SearchPath::kMemoryScan) << when;
  };
  ExpectMatchesModel(db_.get(), model_, queries_, kAddressBits, "base");
  expect_paths("base");
  // Deleted and replaced base rows, and new rows in the delta.
  WriteBatch batch;
  for (uint64_t id = 0; id < kImages; id += 29) {
    batch.Delete(id);
    model_.Delete(id);
  }
  for (uint64_t id = 1; id < kImages; id += 31) Put(id, &batch);
  for (uint64_t id = kImages; id < kImages + 300; ++id) Put(id, &batch);
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  ExpectMatchesModel(db_.get(), model_, queries_, kAddressBits, "changed");
  expect_paths("changed");
}

TEST_F(MultiIndexDbTest, TableProbeRecallNeverFallsAndEndsExact) {
  for (const auto& query : queries_) {
    SearchResult exact;
    ASSERT_TRUE(db_->SearchExact(query, kK, &exact).ok());
    std::set<uint64_t> truth;
    for (const Neighbor& n : exact.neighbors) truth.insert(n.id);
    size_t previous = 0;
    for (uint32_t radius = 0; radius <= 16; ++radius) {
      SearchOptions options;
      options.max_table_radius = radius;
      options.min_candidates = SIZE_MAX;
      SearchResult result;
      ASSERT_TRUE(db_->Search(options, 0, query, kK, &result).ok());
      EXPECT_EQ(result.stats.path, SearchPath::kMultiIndex);
      std::set<uint64_t> ids;
      size_t found = 0;
      for (const Neighbor& n : result.neighbors) {
        EXPECT_TRUE(ids.insert(n.id).second) << "duplicate " << n.id;
        found += truth.count(n.id);
      }
      EXPECT_GE(found, previous) << "table radius " << radius;
      previous = found;
    }
    // At the substrings' full width every image is a candidate.
    EXPECT_EQ(previous, truth.size());
  }
}

// Issue 16, findings 4 and 5 with multi-index tables: a k past the number
// of images (the table probe, the exact search and its batch) and a radius
// at or past the code's width (UINT32_MAX returned nothing) answer with
// every live image, base rows and delta rows alike.
TEST(MemoryIndex, HugeKAndFullRadiusWithTablesAreEveryImage) {
  constexpr uint32_t kAddressBits = 10;
  TempDir dir;
  Codes codes(21);
  StoredModel model;
  Options options = CreateOptions(kAddressBits, kCodeBits);
  options.mih_tables = 8;
  {
    auto db = OpenOrDie(dir.Sub("db"), options);
    BulkLoad(db.get(), &codes, 0, 1500, kAddressBits, &model);
  }
  auto db = OpenOrDie(dir.Sub("db"));
  WriteBatch batch;
  for (uint64_t id = 0; id < 1500; id += 7) {
    batch.Delete(id);
    model.Delete(id);
  }
  for (uint64_t id = 1500; id < 1600; ++id) {
    const auto code = codes.Next();
    const Address address = AddressFromCode(code, kAddressBits);
    batch.Put(id, address, code);
    model.Put(id, address, code);
  }
  ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
  const std::vector<testing::StoredImage> images = model.All();
  std::vector<uint8_t> queries;
  for (int q = 0; q < 3; ++q) {
    const auto query = codes.Next(0.03);
    queries.insert(queries.end(), query.begin(), query.end());
  }
  std::vector<SearchResult> exact_batch;
  ASSERT_TRUE(
      db->SearchExactBatch(3, queries.data(), SIZE_MAX, 2, &exact_batch).ok());
  for (int q = 0; q < 3; ++q) {
    const CodeView query(&queries[q * kCodeBytes], kCodeBytes);
    size_t all = 0;
    const auto every =
        BallOracle(images, 0, kAddressBits, query, SIZE_MAX, &all);
    ASSERT_EQ(every.size(), model.size());
    SearchOptions table_probe;
    table_probe.max_table_radius = UINT32_MAX;
    SearchResult probe, exact;
    ASSERT_TRUE(db->Search(table_probe, 0, query, SIZE_MAX, &probe).ok());
    EXPECT_EQ(probe.stats.path, SearchPath::kMultiIndex);
    EXPECT_EQ(probe.neighbors, every);
    ASSERT_TRUE(db->SearchExact(query, SIZE_MAX, &exact).ok());
    EXPECT_EQ(exact.neighbors, every);
    EXPECT_EQ(exact_batch[q].neighbors, every);
    for (uint32_t radius : {kCodeBits, kCodeBits + 1, UINT32_MAX}) {
      SearchResult within;
      ASSERT_TRUE(db->SearchRadius(query, radius, &within).ok());
      EXPECT_EQ(within.neighbors, every) << "radius " << radius;
    }
  }
}

TEST(MemoryIndexOptions, TablesArePersistedAndChecked) {
  TempDir dir;
  Options options = CreateOptions(16, kCodeBits);
  options.mih_tables = 3;  // 128 bits need at least 4 substrings of 32.
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dir.Sub("db"), &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("4..32"), std::string::npos) << s.ToString();
  options.mih_tables = 6;
  db = OpenOrDie(dir.Sub("db"), options);
  db.reset();
  Options other;
  other.mih_tables = 8;
  s = DB::Open(other, dir.Sub("db"), &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("mih_tables: the database has 6"),
            std::string::npos)
      << s.ToString();
  db = OpenOrDie(dir.Sub("db"));
  EXPECT_EQ(db->info().mih_tables, 6u);
}

// A load in the background: searches read RocksDB until it is in, and the
// writes made meanwhile are all there afterwards.
TEST(MemoryIndex, BackgroundLoadKeepsTheWritesMadeWhileLoading) {
  constexpr uint32_t kAddressBits = 14;
  TempDir dir;
  Codes codes(5);
  StoredModel model;
  {
    auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
    BulkLoad(db.get(), &codes, 0, 40000, kAddressBits, &model);
  }
  Options options;
  options.memory_index = Options::MemoryIndex::kLoadInBackground;
  auto db = OpenOrDie(dir.Sub("db"), options);
  for (uint64_t id = 0; id < 300; ++id) {
    if (id % 3 == 0) {
      ASSERT_TRUE(db->Delete(WriteOptions(), id * 101).ok());
      model.Delete(id * 101);
    } else {
      const auto code = codes.Next();
      const Address address = AddressFromCode(code, kAddressBits);
      ASSERT_TRUE(db->Put(WriteOptions(), id * 101, address, code).ok());
      model.Put(id * 101, address, code);
    }
  }
  const auto query = codes.Next(0.03);
  SearchResult result;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    ASSERT_TRUE(db->SearchExact(query, kK, &result).ok());
    if (result.stats.path == SearchPath::kMemoryScan) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(result.stats.path, SearchPath::kMemoryScan);
  ExpectMatchesModel(db.get(), model, {query}, kAddressBits, "loaded");
}

TEST(MemoryIndex, BulkLoadsAreSearchedInMemory) {
  constexpr uint32_t kAddressBits = 10;
  TempDir dir;
  Codes codes(9);
  StoredModel model;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  for (uint64_t id = 0; id < 200; ++id) {
    const auto code = codes.Next();
    ASSERT_TRUE(
        db->Put(WriteOptions(), id, AddressFromCode(code, kAddressBits), code)
            .ok());
    model.Put(id, AddressFromCode(code, kAddressBits), code);
  }
  BulkLoad(db.get(), &codes, 150, 3000, kAddressBits, &model);  // 50 replace.
  const auto query = codes.Next(0.03);
  SearchResult result;
  ASSERT_TRUE(db->SearchExact(query, kK, &result).ok());
  EXPECT_EQ(result.stats.path, SearchPath::kMemoryScan);
  ExpectMatchesModel(db.get(), model, {query}, kAddressBits, "bulk loaded");
}

// The loading protocol itself: changes queued while loading are replayed,
// a superseded load installs nothing, an abandoned one serves nothing.
TEST(MemoryIndexUnit, QueuedChangesAreReplayedAndStaleLoadsIgnored) {
  MemoryIndex index(8, 64, 0);
  const std::vector<uint8_t> zero(8, 0), ones(8, 0xFF);
  auto row = [](uint64_t id, Address address, const std::vector<uint8_t>& c) {
    MemoryRows rows;
    rows.ids.push_back(id);
    rows.addresses.push_back(address);
    rows.codes = c;
    return rows;
  };
  SearchResult result;
  Status status;
  const uint64_t stale = index.BeginLoad();
  const uint64_t ticket = index.BeginLoad();
  EXPECT_FALSE(index.Knn(zero.data(), 5, &result, &status));  // Not loaded yet.
  MemoryIndex::Change put{2, false, 0, true, 7, ones};
  MemoryIndex::Change move{1, true, 3, true, 4, zero};
  int published = 0;
  index.Apply({put, move}, [&] { ++published; });
  EXPECT_EQ(published, 1);
  index.Install(stale, row(9, 9, zero));  // Superseded: ignored.
  EXPECT_FALSE(index.ready());
  index.Install(ticket, row(1, 3, ones));
  ASSERT_TRUE(index.Knn(zero.data(), 5, &result, &status));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(result.neighbors,
            (std::vector<Neighbor>{{1, 0}, {2, 64}}));  // Id 9 never came.
  EXPECT_EQ(index.rows(), 2u);
  index.Abandon(index.BeginLoad());
  EXPECT_FALSE(index.Knn(zero.data(), 5, &result, &status));
  EXPECT_EQ(index.rows(), 0u);
}

}  // namespace
}  // namespace semhash

// The live segment (engine/db/db_segment.cc): an open maps it and replays
// the delta, answering as the brute-force oracle does; a power cut at each
// step of its publication leaves the acknowledged state; a damaged or
// swapped segment is Corruption, never a wrong answer; searches and
// read-only opens go on while the writer publishes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/db_open.h"
#include "engine/db/mapped_segment.h"
#include "semhash/bulk_load.h"
#include "semhash/db.h"
#include "semhash/maintenance.h"
#include "tests/engine/fault_injection_fs.h"
#include "tests/engine/oracle.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;
using testing::FaultInjectionFS;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 8;
constexpr uint32_t kCodeBits = 64;
constexpr size_t kCodeBytes = kCodeBits / 8;
// Past the index's smallest merge (4096 changed rows): writes that many
// publish a segment.
constexpr uint64_t kPublishingWrites = 5000;

using State = std::map<uint64_t, Record>;

Options Create() {
  Options options = testing::CreateOptions(kAddressBits, kCodeBits);
  options.mih_tables = 2;
  return options;
}

std::vector<fs::path> SegmentFiles(const std::string& db) {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::directory_iterator it(fs::path(db) / "segments", error), end;
       !error && it != end; it.increment(error)) {
    files.push_back(it->path());
  }
  return files;
}

// Writes `images` in sync batches of 100; *state gets each batch that was
// acknowledged. Returns the first failure.
Status PutAll(DB* db, const State& images, State* state) {
  WriteOptions sync;
  sync.sync = true;
  WriteBatch batch;
  State pending;
  auto commit = [&] {
    const Status s = db->Write(sync, batch);
    if (s.ok()) {
      for (auto& [id, image] : pending) (*state)[id] = image;
    }
    batch = WriteBatch();
    pending.clear();
    return s;
  };
  for (const auto& [id, image] : images) {
    batch.Put(id, image.address, image.code);
    pending[id] = image;
    if (pending.size() == 100) {
      Status s = commit();
      if (!s.ok()) return s;
    }
  }
  return pending.empty() ? Status::OK() : commit();
}

class DBSegmentTest : public ::testing::Test {
 protected:
  Record NewImage() {
    return {Address(rng_() % (1u << kAddressBits)),
            RandomCode(&rng_, kCodeBytes), ""};
  }
  State NewImages(uint64_t first, uint64_t end) {
    State images;
    for (uint64_t id = first; id < end; ++id) images[id] = NewImage();
    return images;
  }

  // Every search path of `db` against the oracle over `state`: the address
  // probe over the whole ball (address table and multi-index tables), the
  // exact k-NN, the radius search and their batches.
  void ExpectOracleAnswers(DB* db, const State& state) {
    std::vector<testing::StoredImage> images;
    for (const auto& [id, image] : state) {
      images.push_back({id, image.address, image.code});
    }
    std::vector<uint8_t> queries;
    std::vector<Address> addresses;
    for (int q = 0; q < 12; ++q) {
      const Record query =
          q % 2 == 0 && !state.empty()
              ? std::next(state.begin(), rng_() % state.size())->second
              : NewImage();
      queries.insert(queries.end(), query.code.begin(), query.code.end());
      addresses.push_back(query.address);
    }
    for (size_t q = 0; q < addresses.size(); ++q) {
      const CodeView code(&queries[q * kCodeBytes], kCodeBytes);
      std::vector<Neighbor> all = testing::WithinOracle(images, code, 64);
      std::vector<Neighbor> top(all.begin(),
                                all.begin() + std::min<size_t>(10, all.size()));
      SearchResult got;
      ASSERT_TRUE(db->SearchExact(code, 10, &got).ok());
      EXPECT_EQ(got.neighbors, top) << "exact " << q;
      ASSERT_TRUE(db->SearchRadius(code, 20, &got).ok());
      EXPECT_EQ(got.neighbors, testing::WithinOracle(images, code, 20))
          << "radius " << q;
      for (bool tables : {false, true}) {
        SearchOptions options;
        options.max_radius = kAddressBits;
        options.min_candidates = state.size() + 1;
        options.use_tables = tables;
        options.max_table_radius = 32;
        size_t candidates = 0;
        ASSERT_TRUE(db->Search(options, addresses[q], code, 10, &got).ok());
        EXPECT_EQ(got.neighbors,
                  testing::BallOracle(images, addresses[q], kAddressBits, code,
                                      10, &candidates))
            << "probe " << q << " tables " << tables;
      }
    }
    std::vector<SearchResult> batch;
    ASSERT_TRUE(
        db->SearchExactBatch(addresses.size(), queries.data(), 5, 2, &batch)
            .ok());
    for (size_t q = 0; q < batch.size(); ++q) {
      SearchResult one;
      ASSERT_TRUE(db->SearchExact(
                        CodeView(&queries[q * kCodeBytes], kCodeBytes), 5, &one)
                      .ok());
      EXPECT_EQ(batch[q].neighbors, one.neighbors) << "batch " << q;
    }
  }

  std::mt19937_64 rng_{31};
  TempDir dir_;
};

// Puts past a merge publish a segment; replaces, deletes and a bulk load
// after it live in the delta (or, for the load, in the next segment), and a
// reopen maps the segment and replays them.
TEST_F(DBSegmentTest, ReopenMapsTheSegmentAndReplaysTheDelta) {
  const std::string path = dir_.Sub("db");
  State state;
  {
    auto db = OpenOrDie(path, Create());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(PutAll(db.get(), NewImages(0, kPublishingWrites), &state).ok());
    ASSERT_EQ(SegmentFiles(path).size(), 1u);
    // A bulk load replacing some and adding others: a new segment.
    State load = NewImages(4800, 5300);
    std::unique_ptr<BulkLoader> loader;
    ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
    for (const auto& [id, image] : load) {
      ASSERT_TRUE(loader->Add(1, &id, &image.address, image.code.data()).ok());
      state[id] = image;
    }
    ASSERT_TRUE(loader->Finish().ok());
    loader.reset();
    // The delta: replaces, deletes, new images.
    ASSERT_TRUE(PutAll(db.get(), NewImages(100, 200), &state).ok());
    ASSERT_TRUE(PutAll(db.get(), NewImages(6000, 6100), &state).ok());
    for (uint64_t id = 300; id < 400; id += 3) {
      ASSERT_TRUE(db->Delete(WriteOptions(), id).ok());
      state.erase(id);
    }
    ASSERT_TRUE(db->Delete(WriteOptions(), 6050).ok());
    state.erase(6050);
    ExpectOracleAnswers(db.get(), state);
  }
  ASSERT_EQ(SegmentFiles(path).size(), 1u);
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(testing::StoredImages(db.get()) == state);
  ExpectOracleAnswers(db.get(), state);
  uint64_t count = 0;
  ASSERT_TRUE(db->CountImages(&count).ok());
  EXPECT_EQ(count, state.size());
  // inspect's figures: the one file, its rows (the delta is not in them).
  SpaceUsage usage;
  ASSERT_TRUE(db->GetSpaceUsage(&usage).ok());
  const std::vector<fs::path> files = SegmentFiles(path);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(db->info().format_version, 3u);
  EXPECT_EQ(files[0].filename().string(),
            std::string(6 - std::to_string(usage.segment).size(), '0') +
                std::to_string(usage.segment) + ".seg");
  EXPECT_EQ(usage.segment_bytes, fs::file_size(files[0]));
  EXPECT_GT(usage.segment_rows, 5000u);
  // Compact publishes the delta: reopened, the same answers.
  CompactReport report;
  ASSERT_TRUE(db->Compact(nullptr, &report).ok());
  db.reset();
  db = OpenOrDie(path);
  ExpectOracleAnswers(db.get(), state);
}

// `semhash build` loads with the index off: the load still leaves a
// segment, which the next open maps.
TEST_F(DBSegmentTest, BulkLoadWithoutAnIndexPublishesASegment) {
  const std::string path = dir_.Sub("db");
  State state = NewImages(0, 2000);
  {
    auto db = OpenOrDie(path, testing::DiskOnly(Create()));
    ASSERT_NE(db, nullptr);
    std::unique_ptr<BulkLoader> loader;
    ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
    for (const auto& [id, image] : state) {
      ASSERT_TRUE(loader->Add(1, &id, &image.address, image.code.data()).ok());
    }
    ASSERT_TRUE(loader->Finish().ok());
  }
  ASSERT_EQ(SegmentFiles(path).size(), 1u);
  Options read_only;
  read_only.read_only = true;
  auto db = OpenOrDie(path, read_only);
  SpaceUsage usage;
  ASSERT_TRUE(db->GetSpaceUsage(&usage).ok());
  EXPECT_EQ(usage.segment_rows, state.size());
  ExpectOracleAnswers(db.get(), state);
}

// A power cut at each step of a publication: reopened, the database holds
// every acknowledged write, its index answers as the oracle, and the one
// segment file left is the one the manifest names.
class DBSegmentCrashTest
    : public DBSegmentTest,
      public ::testing::WithParamInterface<DBImpl::PublishStage> {};

TEST_P(DBSegmentCrashTest, PowerCutLeavesTheAcknowledgedState) {
  const std::string path = dir_.Sub("db");
  State state;
  {
    auto db = OpenOrDie(path, Create());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(PutAll(db.get(), NewImages(0, kPublishingWrites), &state).ok());
  }
  auto fault_fs = std::make_shared<FaultInjectionFS>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fault_fs);
  std::unique_ptr<DB> db;
  ASSERT_TRUE(TEST_OpenDB(Options(), path, env.get(), &db).ok());
  int cuts = 0;
  static_cast<DBImpl*>(db.get())->TEST_SetPublishHook(
      [&](DBImpl::PublishStage stage) {
        if (stage == GetParam()) {
          fault_fs->SetActive(false);
          ++cuts;
        }
        return Status::OK();
      });
  // Writes until the power is cut (by the publication they cause).
  const Status s =
      PutAll(db.get(), NewImages(10000, 10000 + kPublishingWrites), &state);
  EXPECT_EQ(cuts, 1);
  EXPECT_FALSE(s.ok());
  db.reset();
  ASSERT_TRUE(fault_fs->DropUnsyncedData().ok());
  fault_fs->SetActive(true);
  // Both files are on disk: the new one (synced before the manifest was
  // written) and the old one (whose removal the cut stopped).
  EXPECT_EQ(SegmentFiles(path).size(), 2u);

  db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(testing::StoredImages(db.get()) == state);
  ExpectOracleAnswers(db.get(), state);
  const std::vector<fs::path> left = SegmentFiles(path);
  ASSERT_EQ(left.size(), 1u) << "the orphan is removed";
  VerifyReport report;
  EXPECT_TRUE(db->Verify(VerifyOptions(), &report).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Stages, DBSegmentCrashTest,
    ::testing::Values(DBImpl::PublishStage::kSegmentWritten,
                      DBImpl::PublishStage::kManifestWritten),
    [](const auto& info) {
      return info.param == DBImpl::PublishStage::kSegmentWritten
                 ? "AfterTheSegment"
                 : "AfterTheManifest";
    });

// Searches in threads, and a read-only open, while the writer publishes
// segment after segment (removing the files the readers mapped).
TEST_F(DBSegmentTest, ReadersGoOnWhileTheWriterPublishes) {
  const std::string path = dir_.Sub("db");
  auto db = OpenOrDie(path, Create());
  ASSERT_NE(db, nullptr);
  State fixed;  // Never rewritten: each finds itself at distance 0.
  ASSERT_TRUE(PutAll(db.get(), NewImages(0, 500), &fixed).ok());
  CompactReport report;
  ASSERT_TRUE(db->Compact(nullptr, &report).ok());  // A first segment.
  Options read_only;
  read_only.read_only = true;
  auto reader = OpenOrDie(path, read_only);
  ASSERT_NE(reader, nullptr);
  const fs::path mapped = SegmentFiles(path).at(0);

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (DB* searched : {db.get(), db.get(), reader.get()}) {
    threads.emplace_back([&, searched] {
      while (!stop) {
        for (const auto& [id, image] : fixed) {
          SearchResult result;
          const Status s = searched->SearchExact(image.code, 1, &result);
          if (!s.ok() || result.neighbors.empty() ||
              result.neighbors[0].distance != 0) {
            ++failures;
          }
          if (id % 50 == 0 && stop) break;
        }
      }
    });
  }
  State written;
  ASSERT_TRUE(
      PutAll(db.get(), NewImages(1000, 1000 + 3 * kPublishingWrites), &written)
          .ok());
  stop = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_FALSE(fs::exists(mapped)) << "the writer removed the first segment";
  // The read-only DB still reads its mapping of the removed file.
  State all = fixed;
  all.insert(written.begin(), written.end());
  ExpectOracleAnswers(reader.get(), fixed);
  // A read-only open now maps the writer's latest segment and delta.
  auto later = OpenOrDie(path, read_only);
  ASSERT_NE(later, nullptr);
  ExpectOracleAnswers(later.get(), all);
}

// Damage to the segment: an open that maps it, a search that reads a
// damaged block, and verify each report Corruption naming the file; no
// search returns a wrong answer.
TEST_F(DBSegmentTest, DamagedSegmentIsCorruptionNeverAWrongAnswer) {
  const std::string pristine = dir_.Sub("pristine");
  State state;
  {
    auto db = OpenOrDie(pristine, Create());
    ASSERT_TRUE(PutAll(db.get(), NewImages(0, 3000), &state).ok());
    CompactReport report;
    ASSERT_TRUE(db->Compact(nullptr, &report).ok());
  }
  const std::string name =
      "segments/" + SegmentFiles(pristine).at(0).filename().string();
  std::shared_ptr<const MappedSegment> segment;
  ASSERT_TRUE(MappedSegment::Open(pristine + "/" + name, &segment).ok());
  const format::SegmentHeader header = segment->header();
  segment.reset();
  const std::string copy = dir_.Sub("copy");
  auto fresh = [&] {
    fs::remove_all(copy);
    fs::copy(pristine, copy, fs::copy_options::recursive);
    return copy + "/" + name;
  };
  auto names_file = [&](const Status& s) {
    return s.IsCorruption() && s.message().find(name) != std::string::npos;
  };
  // A byte flipped in the middle of each section, and in the header.
  std::vector<uint64_t> offsets = {100};
  for (const auto& section : header.sections) {
    if (section.length > 0)
      offsets.push_back(section.offset + section.length / 2);
  }
  for (uint64_t offset : offsets) {
    const std::string file = fresh();
    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(offset);
      const char byte = static_cast<char>(f.get());
      f.seekp(offset);
      f.put(static_cast<char>(byte ^ 0x10));
    }
    std::unique_ptr<DB> db;
    const Status open = DB::Open(Options(), copy, &db);
    if (!open.ok()) {
      EXPECT_TRUE(names_file(open)) << offset << ": " << open.ToString();
      continue;
    }
    VerifyReport report;
    const Status verified = db->Verify(VerifyOptions(), &report);
    EXPECT_TRUE(names_file(verified)) << offset << ": " << verified.ToString();
    // Every search is the oracle's answer or the Corruption.
    std::vector<testing::StoredImage> images;
    for (const auto& [id, image] : state) {
      images.push_back({id, image.address, image.code});
    }
    for (uint64_t id = 0; id < 3000; id += 97) {
      const Record& query = state.at(id);
      SearchResult got;
      Status s = db->SearchRadius(query.code, 64, &got);
      if (s.ok()) {
        EXPECT_EQ(got.neighbors, testing::WithinOracle(images, query.code, 64))
            << offset;
      } else {
        EXPECT_TRUE(names_file(s)) << offset << ": " << s.ToString();
      }
      for (bool tables : {false, true}) {
        SearchOptions options;
        options.max_radius = 1;
        options.use_tables = tables;
        s = db->Search(options, query.address, query.code, 5, &got);
        if (!s.ok()) {
          EXPECT_TRUE(names_file(s)) << offset << ": " << s.ToString();
        } else {
          // The image itself is found at distance 0, first.
          ASSERT_FALSE(got.neighbors.empty()) << offset;
          EXPECT_EQ(got.neighbors[0].distance, 0u) << offset;
        }
      }
    }
  }
  // Truncated.
  fs::resize_file(fresh(), fs::file_size(pristine + "/" + name) - 4096);
  std::unique_ptr<DB> db;
  Status s = DB::Open(Options(), copy, &db);
  EXPECT_TRUE(names_file(s)) << s.ToString();
  // Swapped for another database's segment of the same shape.
  const std::string other = dir_.Sub("other");
  {
    auto db2 = OpenOrDie(other, Create());
    State other_state;
    ASSERT_TRUE(PutAll(db2.get(), NewImages(0, 3000), &other_state).ok());
    CompactReport report;
    ASSERT_TRUE(db2->Compact(nullptr, &report).ok());
  }
  fs::copy_file(SegmentFiles(other).at(0), fresh(),
                fs::copy_options::overwrite_existing);
  s = DB::Open(Options(), copy, &db);
  EXPECT_TRUE(names_file(s)) << s.ToString();
  EXPECT_NE(s.message().find("not the segment the manifest names"),
            std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace semhash

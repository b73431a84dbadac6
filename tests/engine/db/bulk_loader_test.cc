// Bulk loads: the same database as writing the images one batch at a time,
// through the in-memory sort and through spilled runs, with replaces, and
// nothing changed when the input is refused.
#include "engine/db/bulk_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::NoisyCopy;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 12;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;

// Clustered images: a few hot addresses (over one chunk of 1024) and many
// single ones, ids not in address order.
struct Images {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;

  void Add(uint64_t id, Address address, const std::vector<uint8_t>& code) {
    ids.push_back(id);
    addresses.push_back(address);
    codes.insert(codes.end(), code.begin(), code.end());
  }
  size_t size() const { return ids.size(); }
};

Images MakeImages(size_t n, uint64_t seed, uint64_t first_id) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint8_t>> centres;
  for (int c = 0; c < 4; ++c) centres.push_back(RandomCode(&rng, kCodeBytes));
  Images images;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t id = first_id + (i * 7919) % n;  // A permutation.
    if (i % 3 == 0) {
      images.Add(id, Address(rng() % (1 << kAddressBits)),
                 RandomCode(&rng, kCodeBytes));
    } else {
      const size_t c = rng() % centres.size();
      images.Add(id, Address(c * 5), NoisyCopy(centres[c], 0.05, &rng));
    }
  }
  return images;
}

Status BulkLoad(DB* db, const Images& images, size_t memory_bytes) {
  BulkLoadOptions options;
  options.memory_bytes = memory_bytes;
  std::unique_ptr<BulkLoader> loader;
  Status s = db->NewBulkLoader(options, &loader);
  // Two Add calls, as a tool reading a file in slices would.
  const size_t half = images.size() / 2;
  if (s.ok()) {
    s = loader->Add(half, images.ids.data(), images.addresses.data(),
                    images.codes.data());
  }
  if (s.ok()) {
    s = loader->Add(images.size() - half, images.ids.data() + half,
                    images.addresses.data() + half,
                    images.codes.data() + half * kCodeBytes);
  }
  return s.ok() ? loader->Finish() : s;
}

void WriteInBatches(DB* db, const Images& images) {
  WriteBatch batch;
  for (size_t i = 0; i < images.size(); ++i) {
    batch.Put(images.ids[i], images.addresses[i],
              CodeView(&images.codes[i * kCodeBytes], kCodeBytes));
    if (batch.operations().size() == 500 || i + 1 == images.size()) {
      ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
      batch = WriteBatch();
    }
  }
}

void ExpectVerified(DB* db) {
  VerifyReport report;
  const Status s = db->Verify(VerifyOptions(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.problem_count, 0u);
}

// Every search on `a` and `b` gives the same neighbours.
void ExpectSameAnswers(DB* a, DB* b, const Images& queries) {
  for (size_t q = 0; q < queries.size(); q += 37) {
    const CodeView code(&queries.codes[q * kCodeBytes], kCodeBytes);
    SearchResult ra, rb;
    SearchOptions options;
    options.max_radius = 2;
    ASSERT_TRUE(a->Search(options, queries.addresses[q], code, 20, &ra).ok());
    ASSERT_TRUE(b->Search(options, queries.addresses[q], code, 20, &rb).ok());
    EXPECT_EQ(ra.neighbors, rb.neighbors) << "query " << q;
    EXPECT_EQ(ra.stats.candidates_reranked, rb.stats.candidates_reranked);
    ASSERT_TRUE(a->SearchExact(code, 20, &ra).ok());
    ASSERT_TRUE(b->SearchExact(code, 20, &rb).ok());
    EXPECT_EQ(ra.neighbors, rb.neighbors) << "query " << q;
  }
}

class BulkLoaderTest : public ::testing::TestWithParam<size_t> {
 protected:
  size_t memory() const { return GetParam(); }
  TempDir dir_;
};

TEST_P(BulkLoaderTest, MatchesBatchedWrites) {
  const Images images = MakeImages(3000, 1, 100);
  auto bulk =
      OpenOrDie(dir_.Sub("bulk"), CreateOptions(kAddressBits, kCodeBits));
  auto written =
      OpenOrDie(dir_.Sub("written"), CreateOptions(kAddressBits, kCodeBits));
  ASSERT_TRUE(BulkLoad(bulk.get(), images, memory()).ok());
  WriteInBatches(written.get(), images);
  ExpectVerified(bulk.get());
  ExpectSameAnswers(bulk.get(), written.get(), images);
  for (size_t i = 0; i < images.size(); i += 101) {
    Record record;
    ASSERT_TRUE(bulk->Get(images.ids[i], &record).ok());
    EXPECT_EQ(record.address, images.addresses[i]);
  }
  // Nothing of the staging directory is left behind.
  EXPECT_FALSE(std::filesystem::exists(
      dir_.Sub("bulk") + "/" + BulkLoaderImpl::kStagingDirectory + "/0"));
}

TEST_P(BulkLoaderTest, AddsToAndReplacesInAnExistingDatabase) {
  const Images first = MakeImages(2000, 2, 0);
  // Ids 1000..2999: half replace images of `first`, half are new.
  const Images second = MakeImages(2000, 3, 1000);
  auto bulk =
      OpenOrDie(dir_.Sub("bulk"), CreateOptions(kAddressBits, kCodeBits));
  auto written =
      OpenOrDie(dir_.Sub("written"), CreateOptions(kAddressBits, kCodeBits));
  WriteInBatches(bulk.get(), first);
  ASSERT_TRUE(bulk->Delete(WriteOptions(), 5).ok());
  ASSERT_TRUE(BulkLoad(bulk.get(), second, memory()).ok());
  WriteInBatches(written.get(), first);
  ASSERT_TRUE(written->Delete(WriteOptions(), 5).ok());
  WriteInBatches(written.get(), second);
  ExpectVerified(bulk.get());
  ExpectSameAnswers(bulk.get(), written.get(), first);
  ExpectSameAnswers(bulk.get(), written.get(), second);
  // Answers survive a reopen, and writes after a bulk load work.
  bulk.reset();
  bulk = OpenOrDie(dir_.Sub("bulk"));
  ExpectSameAnswers(bulk.get(), written.get(), second);
  WriteInBatches(bulk.get(), first);
  WriteInBatches(written.get(), first);
  ExpectVerified(bulk.get());
  ExpectSameAnswers(bulk.get(), written.get(), first);
}

INSTANTIATE_TEST_SUITE_P(Memory, BulkLoaderTest,
                         ::testing::Values(size_t{64} << 20,   // In memory.
                                           size_t{64} << 10),  // Spilled.
                         [](const auto& info) {
                           return info.param > (1 << 20) ? "InMemory"
                                                         : "Spilled";
                         });

TEST(BulkLoader, DuplicateIdLeavesDatabaseUnchanged) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  Images first = MakeImages(100, 4, 0);
  WriteInBatches(db.get(), first);
  Images bad = MakeImages(50, 5, 1000);
  bad.ids[30] = bad.ids[10];
  const Status s = BulkLoad(db.get(), bad, 1 << 20);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("added twice"), std::string::npos);
  Record record;
  EXPECT_TRUE(db->Get(bad.ids[0], &record).IsNotFound());
  ExpectVerified(db.get());
}

TEST(BulkLoader, RefusesWideAddressAndReadOnlyDatabase) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
    std::unique_ptr<BulkLoader> loader;
    ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
    const uint64_t id = 1;
    const Address wide = 1 << kAddressBits;
    const std::vector<uint8_t> code(kCodeBytes);
    const Status s = loader->Add(1, &id, &wide, code.data());
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(loader->queued(), 0u);
    EXPECT_TRUE(loader->Finish().ok());  // An empty load changes nothing.
    EXPECT_TRUE(loader->Finish().IsInvalidArgument());
  }
  Options read_only;
  read_only.read_only = true;
  auto db = OpenOrDie(dir.Sub("db"), read_only);
  std::unique_ptr<BulkLoader> loader;
  EXPECT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).IsNotSupported());
  EXPECT_EQ(loader, nullptr);
}

TEST(BulkLoader, ReportsEveryPhase) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  const Images images = MakeImages(500, 6, 0);
  std::vector<std::string> phases;
  BulkLoadOptions options;
  options.progress = [&](const BulkLoadProgress& p) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  };
  std::unique_ptr<BulkLoader> loader;
  ASSERT_TRUE(db->NewBulkLoader(options, &loader).ok());
  ASSERT_TRUE(loader
                  ->Add(images.size(), images.ids.data(),
                        images.addresses.data(), images.codes.data())
                  .ok());
  ASSERT_TRUE(loader->Finish().ok());
  EXPECT_EQ(phases, (std::vector<std::string>{"sort", "segment"}));
}

}  // namespace
}  // namespace semhash

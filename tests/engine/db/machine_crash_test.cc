// A machine crash at every step of the operations that make many files at
// once: the migration of a format version 2 database to version 3,
// BulkLoader::Finish (table files written, synced, linked into the
// database and recorded in its MANIFEST) and the creation of a database by
// DB::Open (a staging directory renamed into place, then the parent
// directory fsynced), at once or staged until DB::Publish. FaultInjectionFS
// cuts the power after the n-th call that changes the disk, for every n, and
// the crash drops every byte and every directory entry not made durable. After
// each, the database must be the state before or the state after the operation,
// never a mix; an operation that returned OK must be there whole; and
// DB::Verify must find nothing wrong.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/db/db_open.h"
#include "semhash/db.h"
#include "tests/engine/fault_injection_fs.h"
#include "tests/engine/golden_database.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::FaultInjectionFS;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 8;
constexpr uint32_t kCodeBits = 64;
constexpr size_t kCodeBytes = kCodeBits / 8;

using State = std::map<uint64_t, Record>;

// A database opened through its own FaultInjectionFS.
struct FaultyDB {
  std::shared_ptr<FaultInjectionFS> fs = std::make_shared<FaultInjectionFS>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<DB> db;

  // The power cut: nothing more reaches the disk, the process's objects go
  // away, and what was not durable is dropped.
  void Crash(std::unique_ptr<BulkLoader>* loader = nullptr) {
    fs->SetActive(false);
    if (loader != nullptr) loader->reset();
    db.reset();
    const rocksdb::IOStatus s = fs->DropUnsyncedData();
    ASSERT_TRUE(s.ok()) << s.ToString();
    fs->SetActive(true);
  }
};

// Every image `db` holds; fails the test unless Verify finds it sound.
State ReadVerified(DB* db) {
  VerifyReport report;
  const Status s = db->Verify(VerifyOptions(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.problem_count, 0u);
  State state;
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    state[it->id()] = {
        it->address(), {it->code().begin(), it->code().end()}, ""};
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return state;
}

class MachineCrashTest : public ::testing::Test {
 protected:
  // The state before the load: 400 bulk-loaded images in table files and
  // 30 sync writes still in the write-ahead log, which the load's ingestion
  // must flush first (it replaces some of them).
  void SetUp() override {
    auto db = OpenOrDie(original(), CreateOptions(kAddressBits, kCodeBits));
    ASSERT_NE(db, nullptr);
    before_ = RandomImages(0, 400);
    ASSERT_TRUE(Load(db.get(), before_).ok());
    WriteOptions sync;
    sync.sync = true;
    for (uint64_t id = 400; id < 430; ++id) {
      const Record image = NewImage();
      ASSERT_TRUE(db->Put(sync, id, image.address, image.code).ok());
      before_[id] = image;
    }
    // The load replaces ids 300..429 (in table files and in the log alike)
    // and adds 430..799.
    load_ = RandomImages(300, 800);
    after_ = before_;
    for (const auto& [id, image] : load_) after_[id] = image;
  }

  State RandomImages(uint64_t first, uint64_t last) {
    State images;
    for (uint64_t id = first; id < last; ++id) images[id] = NewImage();
    return images;
  }

  Record NewImage() {
    // Few addresses: posting lists of several images each, rewritten by
    // the replaces.
    return {Address(rng_() % 16), RandomCode(&rng_, kCodeBytes), ""};
  }

  static Status Load(DB* db, const State& images,
                     std::unique_ptr<BulkLoader>* kept = nullptr) {
    std::vector<uint64_t> ids;
    std::vector<Address> addresses;
    std::vector<uint8_t> codes;
    for (const auto& [id, image] : images) {
      ids.push_back(id);
      addresses.push_back(image.address);
      codes.insert(codes.end(), image.code.begin(), image.code.end());
    }
    std::unique_ptr<BulkLoader> local;
    std::unique_ptr<BulkLoader>& loader = kept != nullptr ? *kept : local;
    Status s = db->NewBulkLoader(BulkLoadOptions(), &loader);
    if (s.ok()) {
      s = loader->Add(ids.size(), ids.data(), addresses.data(), codes.data());
    }
    return s.ok() ? loader->Finish() : s;
  }

  std::string original() const { return dir_.Sub("original"); }
  std::string work() const { return dir_.Sub("work"); }

  // A fresh copy of the database before the load, opened through `faulty`.
  void OpenCopy(FaultyDB* faulty) {
    std::filesystem::remove_all(work());
    std::filesystem::copy(original(), work(),
                          std::filesystem::copy_options::recursive);
    const Status s =
        TEST_OpenDB(Options(), work(), faulty->env.get(), &faulty->db);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  TempDir dir_;
  std::mt19937_64 rng_{23};
  State before_, load_, after_;
};

TEST_F(MachineCrashTest, BulkLoadIsOldOrWholeAfterACrashAtEveryStep) {
  // A run without a crash counts the steps of Finish.
  uint64_t steps = 0;
  {
    FaultyDB faulty;
    OpenCopy(&faulty);
    std::unique_ptr<BulkLoader> loader;
    const uint64_t start = faulty.fs->mutations();
    ASSERT_TRUE(Load(faulty.db.get(), load_, &loader).ok());
    steps = faulty.fs->mutations() - start;
    EXPECT_EQ(ReadVerified(faulty.db.get()), after_);
  }
  ASSERT_GT(steps, 2u);
  int old_states = 0, whole_loads = 0, ok_finishes = 0;
  // Step n: the first n calls of Finish reach the disk, then the power is
  // cut; at n = steps, Finish returned OK just before.
  for (uint64_t n = 0; n <= steps; ++n) {
    FaultyDB faulty;
    OpenCopy(&faulty);
    std::unique_ptr<BulkLoader> loader;
    // NewBulkLoader and Add write nothing through the file system (the
    // staging directory and sort runs are made around it), so the calls
    // counted are those of Finish.
    faulty.fs->CrashAfter(n);
    const Status finished = Load(faulty.db.get(), load_, &loader);
    faulty.Crash(&loader);
    auto db = OpenOrDie(work());
    ASSERT_NE(db, nullptr) << "step " << n;
    const State recovered = ReadVerified(db.get());
    if (finished.ok()) {
      ++ok_finishes;
      ASSERT_EQ(recovered, after_) << "step " << n << ": an OK Finish lost";
    }
    if (recovered == before_) {
      ++old_states;
    } else {
      ASSERT_EQ(recovered, after_) << "step " << n << ": neither state";
      ++whole_loads;
    }
  }
  // The crashes fell before, inside and after the load's commit.
  EXPECT_GT(old_states, 0);
  EXPECT_GT(whole_loads, 0);
  EXPECT_GT(ok_finishes, 0);
  EXPECT_LT(ok_finishes, int(steps));
  std::cout << steps + 1 << " crash points: " << old_states << " old state, "
            << whole_loads << " whole load (" << ok_finishes
            << " after an OK Finish)\n";
}

// The first read-write open of the golden format version 2 database
// migrates it: at every crash point it is still version 2 (refused
// read-only; the next read-write open migrates it) or wholly version 3,
// and either way the next read-write open holds every golden image.
TEST(MachineCrash, MigrationIsOldOrWholeAfterACrashAtEveryStep) {
  TempDir dir;
  const std::string work = dir.Sub("work");
  const State expected = testing::GoldenContents();
  auto copy = [&] {
    std::filesystem::remove_all(work);
    std::filesystem::copy(SEMHASH_GOLDEN_DB_V2, work,
                          std::filesystem::copy_options::recursive);
  };
  uint64_t steps = 0;
  {
    copy();
    FaultyDB faulty;
    const uint64_t start = faulty.fs->mutations();
    ASSERT_TRUE(
        TEST_OpenDB(Options(), work, faulty.env.get(), &faulty.db).ok());
    steps = faulty.fs->mutations() - start;
    EXPECT_EQ(faulty.db->info().format_version, 3u);
  }
  ASSERT_GT(steps, 3u);
  int old_versions = 0, migrated = 0;
  Options read_only;
  read_only.read_only = true;
  for (uint64_t n = 0; n < steps; ++n) {
    copy();
    FaultyDB faulty;
    faulty.fs->CrashAfter(n);
    (void)TEST_OpenDB(Options(), work, faulty.env.get(), &faulty.db);
    faulty.Crash();
    std::unique_ptr<DB> db;
    const Status s = DB::Open(read_only, work, &db);
    if (s.IsNotSupported()) {
      ++old_versions;
    } else {
      ASSERT_TRUE(s.ok()) << "step " << n << ": " << s.ToString();
      EXPECT_TRUE(testing::StoredImages(db.get()) == expected) << "step " << n;
      ++migrated;
    }
    db.reset();
    db = OpenOrDie(work);
    ASSERT_NE(db, nullptr) << "step " << n;
    EXPECT_EQ(db->info().format_version, 3u);
    EXPECT_TRUE(testing::StoredImages(db.get()) == expected) << "step " << n;
    VerifyReport report;
    EXPECT_TRUE(db->Verify(VerifyOptions(), &report).ok()) << "step " << n;
  }
  EXPECT_GT(old_versions, 0);
  EXPECT_GT(migrated, 0);
  std::cout << steps << " crash points: " << old_versions
            << " still version 2, " << migrated << " migrated\n";
}

// A new database staged (Options::stage_new_database), bulk-loaded and
// given writes that are not synced, then published: a crash at any step of
// DB::Publish leaves nothing at the path or the whole database, and an OK
// Publish is never lost, unsynced writes included. (The steps before it are
// those of a creation and a bulk load, crashed in the tests around this.)
TEST_F(MachineCrashTest, StagedCreationIsNothingOrWholeAfterACrashInPublish) {
  const std::string path = work();
  Options create = CreateOptions(kAddressBits, kCodeBits);
  create.stage_new_database = true;
  State whole = load_;
  const Record late = NewImage();
  whole[1] = late;
  // Returns the calls that changed the disk before Publish.
  auto stage = [&](FaultyDB* faulty, uint64_t* mutations) {
    Status s = TEST_OpenDB(create, path, faulty->env.get(), &faulty->db);
    if (s.ok()) s = Load(faulty->db.get(), load_);
    if (s.ok()) s = faulty->db->Put(WriteOptions(), 1, late.address, late.code);
    *mutations = faulty->fs->mutations();
    return s;
  };
  uint64_t first = 0;
  {
    FaultyDB faulty;
    ASSERT_TRUE(stage(&faulty, &first).ok());
  }
  // RocksDB's calls before Publish vary by a few from run to run; crash
  // from a little earlier on, up to the first Publish that is not crashed.
  first = first > 5 ? first - 5 : 0;
  int nothing = 0, complete = 0, ok_publishes = 0;
  for (uint64_t n = first; ok_publishes == 0; ++n) {
    ASSERT_LT(n, first + 100) << "Publish never completed";
    FaultyDB faulty;
    faulty.fs->CrashAfter(n);
    uint64_t staged = 0;
    Status published = stage(&faulty, &staged);
    if (published.ok()) published = DB::Publish(&faulty.db);
    faulty.Crash();
    std::unique_ptr<DB> db;
    const Status s = DB::Open(Options(), path, &db);
    if (published.ok()) {
      ++ok_publishes;
      ASSERT_TRUE(s.ok()) << "step " << n
                          << ": an OK Publish lost: " << s.ToString();
    }
    if (s.IsNotFound()) {
      ++nothing;
      continue;
    }
    ASSERT_TRUE(s.ok()) << "step " << n << ": " << s.ToString();
    ASSERT_EQ(ReadVerified(db.get()), whole) << "step " << n;
    ++complete;
    db.reset();
    std::filesystem::remove_all(path);
  }
  EXPECT_GT(nothing, 0);
  EXPECT_GT(complete, 0);
  std::cout << nothing + complete << " crash points from step " << first << ": "
            << nothing << " nothing, " << complete << " complete\n";
}

TEST(MachineCrash, DatabaseCreationIsNothingOrCompleteAfterACrashAtEveryStep) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  const Options create = CreateOptions(kAddressBits, kCodeBits);
  uint64_t steps = 0;
  {
    FaultyDB faulty;
    ASSERT_TRUE(TEST_OpenDB(create, path, faulty.env.get(), &faulty.db).ok());
    steps = faulty.fs->mutations();
  }
  ASSERT_GT(steps, 2u);
  int nothing = 0, complete = 0, ok_opens = 0;
  for (uint64_t n = 0; n <= steps; ++n) {
    std::filesystem::remove_all(dir.path());
    std::filesystem::create_directories(dir.path());
    FaultyDB faulty;
    faulty.fs->CrashAfter(n);
    const Status opened =
        TEST_OpenDB(create, path, faulty.env.get(), &faulty.db);
    faulty.Crash();
    std::unique_ptr<DB> db;
    const Status s = DB::Open(Options(), path, &db);
    if (opened.ok()) {
      ++ok_opens;
      ASSERT_TRUE(s.ok()) << "step " << n
                          << ": an OK Open lost: " << s.ToString();
    }
    if (s.IsNotFound()) {
      ++nothing;
      continue;
    }
    ASSERT_TRUE(s.ok()) << "step " << n << ": " << s.ToString();
    EXPECT_EQ(db->info().address_bits, kAddressBits) << "step " << n;
    EXPECT_EQ(db->info().code_bits, kCodeBits) << "step " << n;
    EXPECT_TRUE(ReadVerified(db.get()).empty()) << "step " << n;
    ++complete;
  }
  EXPECT_GT(nothing, 0);
  EXPECT_GT(complete, 0);
  EXPECT_GT(ok_opens, 0);
  std::cout << steps + 1 << " crash points: " << nothing << " nothing, "
            << complete << " complete (" << ok_opens << " after an OK Open)\n";
}

}  // namespace
}  // namespace semhash

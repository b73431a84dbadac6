// I/O failures and machine crashes under a real DB (FaultInjectionFS): the
// right Status, nothing acknowledged lost, no write half applied, and no
// damaged read returned as data. docs/durability.md states what these pin.
#include <rocksdb/env.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "engine/db/db_open.h"
#include "semhash/db.h"
#include "tests/engine/fault_injection_fs.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::FaultInjectionFS;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;
using Fault = FaultInjectionFS::Fault;

constexpr uint32_t kAddressBits = 8;
constexpr uint32_t kCodeBits = 64;
constexpr size_t kCodeBytes = kCodeBits / 8;
// Writes go to this many ids over this many (hot) addresses, so that they
// replace and delete often and share posting lists.
constexpr uint64_t kIds = 40;
constexpr Address kAddresses = 6;

// What the database should hold: id -> image.
using Model = std::map<uint64_t, Record>;

struct Op {
  uint64_t id;
  std::optional<Record> image;  // empty: delete
};

WriteOptions Sync(bool sync) {
  WriteOptions options;
  options.sync = sync;
  return options;
}

int Popcount(const std::vector<uint8_t>& code) {
  int bits = 0;
  for (uint8_t b : code) bits += __builtin_popcount(b);
  return bits;
}

class FaultInjectionTest : public ::testing::Test {
 protected:
  // The database is created through the real file system: only what the
  // test does afterwards goes through fs_.
  void SetUp() override {
    ASSERT_NE(OpenOrDie(path(), CreateOptions(kAddressBits, kCodeBits)),
              nullptr);
  }

  std::string path() const { return dir_.Sub("db"); }

  Status Open() {
    db_.reset();
    return TEST_OpenDB(open_options_, path(), env_.get(), &db_);
  }

  // A machine crash: nothing more reaches the disk, the DB goes away, and
  // every file loses what was not synced.
  void Crash() {
    fs_->SetActive(false);
    db_.reset();
    const rocksdb::IOStatus s = fs_->DropUnsyncedData();
    ASSERT_TRUE(s.ok()) << s.ToString();
    fs_->SetActive(true);
  }

  std::vector<Op> RandomBatch() {
    std::vector<Op> ops(1 + rng_() % 3);
    for (Op& op : ops) {
      op.id = rng_() % kIds;
      if (rng_() % 4 != 0) {
        op.image = Record{static_cast<Address>(rng_() % kAddresses),
                          RandomCode(&rng_, kCodeBytes), ""};
      }
    }
    return ops;
  }

  Status Write(const std::vector<Op>& ops, bool sync) {
    WriteBatch batch;
    for (const Op& op : ops) {
      if (op.image) {
        batch.Put(op.id, op.image->address, op.image->code);
      } else {
        batch.Delete(op.id);
      }
    }
    return db_->Write(Sync(sync), batch);
  }

  // The ids listed at `address`, each with its code's distance to zero.
  std::map<uint64_t, int> Listed(Address address) {
    SearchOptions options;
    options.max_radius = 0;
    SearchResult result;
    const Status s =
        db_->Search(options, address, std::vector<uint8_t>(kCodeBytes, 0),
                    1 << 20, &result);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::map<uint64_t, int> listed;
    for (const Neighbor& n : result.neighbors) {
      EXPECT_TRUE(listed.emplace(n.id, n.distance).second) << "duplicate";
    }
    return listed;
  }

  // Reads the whole database, checking that the iterator and the searches
  // agree: each stored id is found at its address with its code, and
  // nothing else is found anywhere.
  Model ReadConsistentState() {
    Model stored;
    std::unique_ptr<Iterator> it = db_->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      stored[it->id()] = Record{
          it->address(),
          std::vector<uint8_t>(it->code().begin(), it->code().end()), ""};
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    for (const auto& [id, image] : stored) {
      Record record;
      EXPECT_TRUE(db_->Get(id, &record).ok()) << id;
      EXPECT_EQ(record, image) << id;
      SearchOptions options;
      options.max_radius = 0;
      SearchResult result;
      EXPECT_TRUE(
          db_->Search(options, image.address, image.code, 1 << 20, &result)
              .ok());
      bool found = false;
      for (const Neighbor& n : result.neighbors) {
        found |= n.id == id && n.distance == 0;
      }
      EXPECT_TRUE(found) << "id " << id << " not listed at its address";
    }
    for (Address a = 0; a < kAddresses; ++a) {
      std::map<uint64_t, int> expected;
      for (const auto& [id, image] : stored) {
        if (image.address == a) expected[id] = Popcount(image.code);
      }
      EXPECT_EQ(Listed(a), expected) << "address " << a;
    }
    return stored;
  }

  TempDir dir_;
  std::shared_ptr<FaultInjectionFS> fs_ = std::make_shared<FaultInjectionFS>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
  Options open_options_;
  std::unique_ptr<DB> db_;
  std::mt19937_64 rng_{5};
};

void Apply(const std::vector<Op>& ops, Model* model) {
  for (const Op& op : ops) {
    if (op.image) {
      (*model)[op.id] = *op.image;
    } else {
      model->erase(op.id);
    }
  }
}

// Random batches, a sync one now and then, and a machine crash after each
// round: the database comes back as it was after some whole batch no earlier
// than the last sync one, so every sync-acknowledged write is there and no
// batch is half applied.
TEST_F(FaultInjectionTest, CrashKeepsEverySyncedWriteAndNoHalfBatch) {
  Model model;
  size_t rounds_losing_writes = 0;
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(Open().ok());
    // states[i]: the model after the first i batches of this round.
    std::vector<Model> states = {model};
    size_t last_synced = 0;
    for (int i = 0; i < 60; ++i) {
      const std::vector<Op> ops = RandomBatch();
      const bool sync = rng_() % 3 == 0;
      ASSERT_TRUE(Write(ops, sync).ok());
      Apply(ops, &model);
      states.push_back(model);
      if (sync) last_synced = states.size() - 1;
    }
    Crash();
    ASSERT_TRUE(Open().ok());
    const Model recovered = ReadConsistentState();
    size_t match = states.size();
    for (size_t i = last_synced; i < states.size(); ++i) {
      if (states[i] == recovered) match = i;
    }
    ASSERT_LT(match, states.size())
        << "round " << round << ": not the state after any whole batch since "
        << "the last sync one (batch " << last_synced << ")";
    if (match + 1 < states.size()) ++rounds_losing_writes;
    model = recovered;
  }
  // The crash really dropped unsynced writes (or the test proves nothing).
  EXPECT_GT(rounds_losing_writes, 0u);
}

// A failed write-ahead-log append is an IOError; RocksDB then holds a
// background error and refuses every write until the DB is reopened, while
// reads go on. The failed write is not applied.
TEST_F(FaultInjectionTest, FailedLogAppendIsIOErrorAndStopsWrites) {
  ASSERT_TRUE(Open().ok());
  const auto code = RandomCode(&rng_, kCodeBytes);
  ASSERT_TRUE(db_->Put(Sync(true), 1, 1, code).ok());
  fs_->Inject(Fault::kFailAppend, ".log");
  Status s = db_->Put(Sync(true), 2, 1, code);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(fs_->faults_injected(), 1u);
  fs_->ClearFault();
  s = db_->Put(Sync(true), 3, 1, code);
  EXPECT_TRUE(s.IsIOError()) << "a later write: " << s.ToString();
  Record record;
  EXPECT_TRUE(db_->Get(1, &record).ok());
  EXPECT_TRUE(db_->Get(2, &record).IsNotFound());

  ASSERT_TRUE(Open().ok());
  EXPECT_TRUE(db_->Put(Sync(true), 3, 1, code).ok());
  EXPECT_TRUE(db_->Get(2, &record).IsNotFound());
  EXPECT_EQ(ReadConsistentState().size(), 2u);
}

// A failed log sync is an IOError and stops writes the same way. Its bytes
// reached the file, so after reopening the write may be there: wholly.
TEST_F(FaultInjectionTest, FailedLogSyncIsIOErrorAndStopsWrites) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(
      Write({{1, Record{1, RandomCode(&rng_, kCodeBytes), ""}}}, true).ok());
  fs_->Inject(Fault::kFailSync, ".log");
  const std::vector<Op> failed = {
      {2, Record{1, RandomCode(&rng_, kCodeBytes), ""}},
      {1, Record{2, RandomCode(&rng_, kCodeBytes), ""}},
      {3, Record{1, RandomCode(&rng_, kCodeBytes), ""}}};
  Status s = Write(failed, true);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(fs_->faults_injected(), 1u);
  fs_->ClearFault();
  s = Write({{4, Record{1, RandomCode(&rng_, kCodeBytes), ""}}}, false);
  EXPECT_TRUE(s.IsIOError()) << "a later write: " << s.ToString();

  ASSERT_TRUE(Open().ok());
  const Model recovered = ReadConsistentState();
  EXPECT_EQ(recovered.count(4), 0u);
  const bool applied = recovered.count(2) == 1;
  EXPECT_EQ(recovered.count(3) == 1, applied) << "batch half applied";
  EXPECT_EQ(recovered.at(1).address, applied ? 2u : 1u);
}

// RocksDB moves a log's writes to an SST file when it reopens the log (not
// at close). If that fails, so does the open, and the log keeps the writes.
TEST_F(FaultInjectionTest, FailedFlushLosesNothing) {
  ASSERT_TRUE(Open().ok());
  Model model;
  for (int i = 0; i < 50; ++i) {
    const std::vector<Op> ops = RandomBatch();
    ASSERT_TRUE(Write(ops, false).ok());
    Apply(ops, &model);
  }
  fs_->Inject(Fault::kFailAppend, ".sst");
  const Status s = Open();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(db_, nullptr);
  EXPECT_GT(fs_->faults_injected(), 0u);
  fs_->ClearFault();
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(ReadConsistentState(), model);
}

// The simulator itself: a crash undoes the directory changes that no fsync
// of their directory made durable (a new file, a link, a new directory, a
// rename and the file it replaced), newest first, and keeps the synced ones.
TEST(FaultInjectionFS, CrashDropsDirectoryEntriesNotSynced) {
  namespace fs = std::filesystem;
  TempDir dir;
  FaultInjectionFS files;
  const rocksdb::IOOptions io;
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    ASSERT_TRUE(files
                    .NewWritableFile(dir.Sub(name), rocksdb::FileOptions(),
                                     &file, nullptr)
                    .ok());
    ASSERT_TRUE(file->Append(bytes, io, nullptr).ok());
    ASSERT_TRUE(file->Sync(io, nullptr).ok());
    ASSERT_TRUE(file->Close(io, nullptr).ok());
  };
  auto sync_dir = [&](const std::string& path) {
    std::unique_ptr<rocksdb::FSDirectory> handle;
    ASSERT_TRUE(files.NewDirectory(path, io, &handle, nullptr).ok());
    ASSERT_TRUE(handle->Fsync(io, nullptr).ok());
  };
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  write("durable", "old");
  write("current", "v1");
  sync_dir(dir.path());
  write("new", "synced bytes, unsynced entry");
  write("tmp", "v2");
  ASSERT_TRUE(
      files.RenameFile(dir.Sub("tmp"), dir.Sub("current"), io, nullptr).ok());
  ASSERT_TRUE(
      files.LinkFile(dir.Sub("durable"), dir.Sub("link"), io, nullptr).ok());
  ASSERT_TRUE(files.CreateDir(dir.Sub("sub"), io, nullptr).ok());
  write("sub/inner", "x");
  sync_dir(dir.Sub("sub"));  // Not its parent: "sub" itself is still new.
  EXPECT_EQ(read(dir.Sub("current")), "v2");
  files.SetActive(false);
  ASSERT_TRUE(files.DropUnsyncedData().ok());
  files.SetActive(true);
  EXPECT_EQ(read(dir.Sub("durable")), "old");
  EXPECT_EQ(read(dir.Sub("current")), "v1");
  for (const char* gone : {"new", "tmp", "link", "sub"}) {
    EXPECT_FALSE(fs::exists(dir.Sub(gone))) << gone;
  }
  // Once the directory is fsynced, the same changes survive.
  write("new", "n");
  write("tmp", "v2");
  ASSERT_TRUE(
      files.RenameFile(dir.Sub("tmp"), dir.Sub("current"), io, nullptr).ok());
  sync_dir(dir.path());
  ASSERT_TRUE(files.DropUnsyncedData().ok());
  EXPECT_EQ(read(dir.Sub("new")), "n");
  EXPECT_EQ(read(dir.Sub("current")), "v2");
  EXPECT_FALSE(fs::exists(dir.Sub("tmp")));
}

// CrashAfter(n) lets n calls that change the disk through, then none.
TEST(FaultInjectionFS, CrashAfterCutsThePowerAtTheNthCall) {
  TempDir dir;
  FaultInjectionFS files;
  const rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(
      files
          .NewWritableFile(dir.Sub("f"), rocksdb::FileOptions(), &file, nullptr)
          .ok());
  const uint64_t start = files.mutations();
  files.CrashAfter(2);
  EXPECT_TRUE(file->Append("a", io, nullptr).ok());
  EXPECT_TRUE(file->Sync(io, nullptr).ok());
  EXPECT_TRUE(file->Append("b", io, nullptr).IsIOError());
  EXPECT_TRUE(file->Sync(io, nullptr).IsIOError());
  EXPECT_EQ(files.mutations() - start, 2u);
  ASSERT_TRUE(files.DropUnsyncedData().ok());
  // The file's entry was never synced: gone with its synced byte.
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("f")));
}

class FaultyReadTest : public FaultInjectionTest {
 protected:
  // Stores kImages images, flushed to SST files by closing, and opens the
  // database again through fs_ with a cold block cache (the open reads the
  // change records without caching them). Get and the iterator read the
  // change records from RocksDB, which is what these tests fail.
  void SetUp() override {
    FaultInjectionTest::SetUp();
    ASSERT_TRUE(Open().ok());
    for (uint64_t id = 0; id < kImages; ++id) {
      ASSERT_TRUE(db_->Put(Sync(false), id, id % kAddresses,
                           RandomCode(&rng_, kCodeBytes))
                      .ok());
    }
    ASSERT_TRUE(Open().ok());
  }

  // Every read of stored data fails with a Status `is_expected` accepts;
  // none returns data.
  template <typename IsExpected>
  void ExpectEveryReadFails(IsExpected is_expected) {
    for (uint64_t id = 0; id < kImages; id += 7) {
      Record record;
      const Status s = db_->Get(id, &record);
      EXPECT_TRUE(is_expected(s)) << "Get " << id << ": " << s.ToString();
    }
    // The searches read the index in memory (and the mapped segment), not
    // RocksDB: they answer in full.
    const std::vector<uint8_t> query(kCodeBytes, 0);
    SearchResult result;
    Status s = db_->Search(SearchOptions(), 0, query, 10, &result);
    EXPECT_TRUE(s.ok()) << "Search: " << s.ToString();
    s = db_->SearchExact(query, 10, &result);
    EXPECT_TRUE(s.ok()) << "SearchExact: " << s.ToString();
    EXPECT_EQ(result.neighbors.size(), 10u);
    std::unique_ptr<Iterator> it = db_->NewIterator();
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(is_expected(it->status())) << it->status().ToString();
  }

  static constexpr uint64_t kImages = 300;
};

TEST_F(FaultyReadTest, FailedReadsAreIOErrorsNotData) {
  fs_->Inject(Fault::kFailRead, ".sst");
  ExpectEveryReadFails([](const Status& s) { return s.IsIOError(); });
  EXPECT_GT(fs_->faults_injected(), 0u);
  // A failed read harms nothing: once the disk reads again, so does the DB.
  fs_->ClearFault();
  Record record;
  EXPECT_TRUE(db_->Get(1, &record).ok());
  EXPECT_EQ(ReadConsistentState().size(), kImages);
}

// RocksDB knows each block's length, so a read that comes back short is a
// "truncated block read": Corruption.
TEST_F(FaultyReadTest, ShortReadsAreCorruptionNotData) {
  fs_->Inject(Fault::kShortRead, ".sst");
  ExpectEveryReadFails([](const Status& s) { return s.IsCorruption(); });
  EXPECT_GT(fs_->faults_injected(), 0u);
  fs_->ClearFault();
  EXPECT_EQ(ReadConsistentState().size(), kImages);
}

// The open replays the change records into the index: a failed read there
// fails the open, rather than leaving an index that lacks images. The n-th
// table-file read fails, for n = 0, 1, ... until an open gets through;
// some of those fall in the replay.
TEST_F(FaultyReadTest, ReplayingTheChangesWithFailingReadsIsIOError) {
  open_options_ = Options();
  int load_failures = 0;
  Status s;
  for (uint64_t after = 0; after < 1000; ++after) {
    fs_->Inject(Fault::kFailRead, ".sst", after);
    s = Open();
    fs_->ClearFault();
    if (s.ok()) break;
    ASSERT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_EQ(db_, nullptr);
    if (s.message().find("in-memory index") != std::string::npos) {
      ++load_failures;
    }
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(load_failures, 0);
  SearchResult result;
  ASSERT_TRUE(
      db_->SearchExact(RandomCode(&rng_, kCodeBytes), kImages, &result).ok());
  EXPECT_EQ(result.neighbors.size(), kImages);
  EXPECT_EQ(result.stats.path, SearchPath::kMemoryScan);
}

TEST_F(FaultyReadTest, OpenWithFailingReadsIsIOError) {
  db_.reset();
  fs_->Inject(Fault::kFailRead, "");
  const Status s = Open();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(db_, nullptr);
}

}  // namespace
}  // namespace semhash

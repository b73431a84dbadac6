// DB::Backup: a copy taken while another thread writes and compacts, or
// while another open of the database (read-only here, as `semhash backup`
// opens it) keeps writing, must be the database at one moment of its write
// history: it opens, verifies, holds exactly the images of some prefix of
// the writes and answers every search as a database built from that prefix.
// A read-only copy the writer has flushed or compacted under is refused;
// the copy shares table files with the source and does not change after.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;
using testing::CreateOptions;
using testing::DiskOnly;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 8;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;

using Image = Record;

// Write i is a bulk load of image i alone when i % 1000 == 925 (bulk loads
// store no payload), else a batch that puts image i and, every fourth
// write, deletes the odd id i / 2 put earlier.
bool IsBulkLoad(uint64_t i) { return i % 1000 == 925; }

// Image `id`: one of 16 addresses, so posting lists are long.
Image ImageOf(uint64_t id) {
  std::mt19937_64 rng(id);
  Image image;
  image.address = static_cast<Address>(rng() % 16);
  image.code = RandomCode(&rng, kCodeBytes);
  if (!IsBulkLoad(id)) image.payload = "image " + std::to_string(id);
  return image;
}

Status ApplyWrite(DB* db, uint64_t i) {
  const Image image = ImageOf(i);
  if (IsBulkLoad(i)) {
    std::unique_ptr<BulkLoader> loader;
    Status s = db->NewBulkLoader(BulkLoadOptions(), &loader);
    if (s.ok()) s = loader->Add(1, &i, &image.address, image.code.data());
    return s.ok() ? loader->Finish() : s;
  }
  WriteBatch batch;
  batch.Put(i, image.address, image.code, image.payload);
  if (i % 4 == 3) batch.Delete(i / 2);
  return db->Write(WriteOptions(), batch);
}

// The images stored after writes [0, n).
std::map<uint64_t, Image> State(uint64_t n) {
  std::map<uint64_t, Image> images;
  for (uint64_t i = 0; i < n; ++i) {
    images[i] = ImageOf(i);
    if (i % 4 == 3) images.erase(i / 2);
  }
  return images;
}

void WriteRange(DB* db, uint64_t first, uint64_t end) {
  for (uint64_t i = first; i < end; ++i) {
    const Status s = ApplyWrite(db, i);
    ASSERT_TRUE(s.ok()) << "write " << i << ": " << s.ToString();
  }
}

// Every search, exact, radius and address-probing, as a database holding
// `images` and nothing else answers it.
void ExpectSameAnswers(DB* db, const std::map<uint64_t, Image>& images) {
  TempDir dir;
  auto reference = OpenOrDie(dir.Sub("reference"),
                             DiskOnly(CreateOptions(kAddressBits, kCodeBits)));
  ASSERT_NE(reference, nullptr);
  for (const auto& [id, image] : images) {
    ASSERT_TRUE(
        reference
            ->Put(WriteOptions(), id, image.address, image.code, image.payload)
            .ok());
  }
  std::mt19937_64 rng(7);
  for (int q = 0; q < 16; ++q) {
    const std::vector<uint8_t> code = RandomCode(&rng, kCodeBytes);
    SearchResult got, want;
    SearchOptions probe;
    probe.max_radius = 1;
    ASSERT_TRUE(db->Search(probe, Address(q), code, 10, &got).ok());
    ASSERT_TRUE(reference->Search(probe, Address(q), code, 10, &want).ok());
    EXPECT_EQ(got.neighbors, want.neighbors) << "Search, query " << q;
    ASSERT_TRUE(db->SearchExact(code, 10, &got).ok());
    ASSERT_TRUE(reference->SearchExact(code, 10, &want).ok());
    EXPECT_EQ(got.neighbors, want.neighbors) << "SearchExact, query " << q;
    ASSERT_TRUE(db->SearchRadius(code, 52, &got).ok());
    ASSERT_TRUE(reference->SearchRadius(code, 52, &want).ok());
    EXPECT_EQ(got.neighbors, want.neighbors) << "SearchRadius, query " << q;
  }
}

// The backup at `dir` opens, verifies and is the state after n writes for
// some n in [min_writes, max_writes]; returns n.
uint64_t ExpectOneMoment(const std::string& dir, uint64_t min_writes,
                         uint64_t max_writes) {
  Options read_only = DiskOnly();
  read_only.read_only = true;
  auto db = OpenOrDie(dir, read_only);
  if (db == nullptr) return 0;
  VerifyReport report;
  const Status verified = db->Verify(VerifyOptions(), &report);
  EXPECT_TRUE(verified.ok()) << dir << ": " << verified.ToString();
  const std::map<uint64_t, Image> images = testing::StoredImages(db.get());
  // Image n - 1 is the last put and is deleted only by write 2n - 1.
  const uint64_t n = images.empty() ? 0 : images.rbegin()->first + 1;
  EXPECT_GE(n, min_writes) << dir;
  EXPECT_LE(n, max_writes) << dir;
  EXPECT_TRUE(images == State(n)) << dir << " is no prefix of the writes";
  ExpectSameAnswers(db.get(), images);
  // With the in-memory index: the backup's segment and delta.
  read_only.memory_index = Options::MemoryIndex::kLoadAtOpen;
  db = OpenOrDie(dir, read_only);
  if (db != nullptr) ExpectSameAnswers(db.get(), images);
  return n;
}

// Every file of `dir` with its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[fs::relative(entry.path(), dir)] = std::string(
        std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

// Whether `dir`'s parent holds a staging directory of a backup to `dir`.
bool StagingLeft(const std::string& dir) {
  const fs::path path(dir);
  const std::string prefix = path.filename().string() + ".backup.";
  for (const auto& entry : fs::directory_iterator(path.parent_path())) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// A new database opened for writing with no background work pending, so
// that table files stay put until the test writes: no in-memory index (whose
// snapshot, once released, lets RocksDB recompact the bottommost tables to
// clear their sequence numbers) and every table compacted once already.
std::unique_ptr<DB> OpenQuiescent(const std::string& path) {
  auto db = OpenOrDie(path, DiskOnly(CreateOptions(kAddressBits, kCodeBits)));
  CompactReport report;
  if (db != nullptr) {
    EXPECT_TRUE(db->Compact(nullptr, &report).ok());
  }
  return db;
}

TEST(DbBackup, CopiesTakenWhileAnotherThreadWritesAreMomentsOfTheHistory) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  ASSERT_NE(db, nullptr);
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t i = 0; !stop && i < 50000; ++i) {
      const Status s = ApplyWrite(db.get(), i);
      if (!s.ok()) {
        ADD_FAILURE() << "write " << i << ": " << s.ToString();
        break;
      }
      done = i + 1;
      // Bulk loads ingest tables every 100 writes; a compaction rewrites every
      // table and the manifest mid-way.
      if (i == 1500) {
        CompactReport report;
        EXPECT_TRUE(db->Compact(nullptr, &report).ok());
      }
    }
  });
  constexpr int kBackups = 5;
  std::vector<uint64_t> before(kBackups), after(kBackups);
  for (int b = 0; b < kBackups; ++b) {
    while (done < 600u * (b + 1)) std::this_thread::yield();
    before[b] = done;
    const Status s = db->Backup(dir.Sub("backup" + std::to_string(b)));
    after[b] = done;
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  stop = true;
  writer.join();
  uint64_t moved = 0;  // Backups during which the writer went on.
  for (int b = 0; b < kBackups; ++b) {
    // A write that finished inside Backup may not be counted yet.
    ExpectOneMoment(dir.Sub("backup" + std::to_string(b)), before[b],
                    after[b] + 1);
    moved += after[b] > before[b];
  }
  std::cout << moved << " of " << kBackups
            << " backups ran while the writer wrote\n";
  // Once the writer stopped, the copy is the whole history.
  ASSERT_TRUE(db->Backup(dir.Sub("final")).ok());
  EXPECT_EQ(ExpectOneMoment(dir.Sub("final"), done, done), done.load());
}

// A read-only open racing the writer's background work (right after an
// open RocksDB compacts and deletes table files) can fail, and a copy taken
// meanwhile is refused: both are retried, as `semhash backup` does. Each
// attempt opens the reader, lets the writer log 100 more writes and copies.
TEST(DbBackup, ReadOnlyCopyKeepsLaterLoggedWritesAndIsRefusedAfterACompaction) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  auto writer = OpenOrDie(path, CreateOptions(kAddressBits, kCodeBits));
  ASSERT_NE(writer, nullptr);
  Options read_only = DiskOnly();
  read_only.read_only = true;
  std::unique_ptr<DB> reader;
  uint64_t written = 0;
  Status s = Status::IOError("not tried");
  int attempt = 0;
  for (; attempt < 20 && !s.ok(); ++attempt) {
    WriteRange(writer.get(), written, written + 100);
    written += 100;
    s = DB::Open(read_only, path, &reader);
    if (!s.ok()) continue;
    WriteRange(writer.get(), written, written + 100);  // Logged only.
    written += 100;
    s = reader->Backup(dir.Sub("logged"));
    EXPECT_TRUE(s.ok() || s.IsIOError()) << s.ToString();
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::cout << "copied at attempt " << attempt << "\n";
  ExpectOneMoment(dir.Sub("logged"), written, written);

  CompactReport report;
  ASSERT_TRUE(writer->Compact(nullptr, &report).ok());
  WriteRange(writer.get(), written, written + 50);
  written += 50;
  writer.reset();  // Closed: its background work is over.
  s = reader->Backup(dir.Sub("compacted"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(fs::exists(dir.Sub("compacted")));
  EXPECT_FALSE(StagingLeft(dir.Sub("compacted")));

  reader = OpenOrDie(path, read_only);  // Opened again, it sees the tables.
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Backup(dir.Sub("compacted")).ok());
  ExpectOneMoment(dir.Sub("compacted"), written, written);
}

// Write 925 is a bulk load: a table the reader's manifest does not name,
// ingested between logged writes. A copy of the reader's tables with the
// logs as they are now would hold the writes after it but not the load.
TEST(DbBackup, ReadOnlyCopyIsRefusedOnceTheWriterBulkLoaded) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  auto writer = OpenQuiescent(path);
  ASSERT_NE(writer, nullptr);
  Options read_only = DiskOnly();
  read_only.read_only = true;
  auto reader = OpenOrDie(path, read_only);
  ASSERT_NE(reader, nullptr);
  WriteRange(writer.get(), 0, 930);
  const Status s = reader->Backup(dir.Sub("loaded"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("another process changed the database"),
            std::string::npos)
      << s.ToString();
  EXPECT_FALSE(fs::exists(dir.Sub("loaded")));
  EXPECT_FALSE(StagingLeft(dir.Sub("loaded")));
  reader = OpenOrDie(path, read_only);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Backup(dir.Sub("loaded")).ok());
  ExpectOneMoment(dir.Sub("loaded"), 930, 930);
}

TEST(DbBackup, SharesTableFilesAndStaysAsItWasWhileTheSourceChanges) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  auto db = OpenQuiescent(path);
  ASSERT_NE(db, nullptr);
  WriteRange(db.get(), 0, 300);
  CompactReport report;
  ASSERT_TRUE(db->Compact(nullptr, &report).ok());  // Table files.
  WriteRange(db.get(), 300, 400);                   // And a log.
  ASSERT_TRUE(db->Backup(dir.Sub("backup")).ok());
  EXPECT_FALSE(StagingLeft(dir.Sub("backup")));
  size_t tables = 0;
  for (const auto& entry : fs::directory_iterator(dir.Sub("backup"))) {
    if (entry.path().extension() != ".sst") continue;
    struct stat copy, source;
    ASSERT_EQ(::stat(entry.path().c_str(), &copy), 0);
    ASSERT_EQ(::stat((path + "/" + entry.path().filename().string()).c_str(),
                     &source),
              0);
    EXPECT_EQ(copy.st_ino, source.st_ino) << entry.path() << " not linked";
    ++tables;
  }
  EXPECT_GT(tables, 0u);
  const auto files = Snapshot(dir.Sub("backup"));
  WriteRange(db.get(), 400, 800);
  ASSERT_TRUE(db->Compact(nullptr, &report).ok());
  db.reset();  // Closing flushes and deletes the old files.
  EXPECT_TRUE(Snapshot(dir.Sub("backup")) == files);
  ExpectOneMoment(dir.Sub("backup"), 400, 400);
}

TEST(DbBackup, RefusesAnExistingTargetAndAMissingParent) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  ASSERT_NE(db, nullptr);
  WriteRange(db.get(), 0, 10);
  fs::create_directory(dir.Sub("empty"));
  std::ofstream(dir.Sub("file")) << "x";
  for (const char* name : {"empty", "file", "db"}) {
    const Status s = db->Backup(dir.Sub(name));
    EXPECT_TRUE(s.IsInvalidArgument()) << name << ": " << s.ToString();
    EXPECT_NE(s.message().find("exists"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(fs::is_empty(dir.Sub("empty")));
  const Status s = db->Backup(dir.Sub("missing/backup"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("does not exist"), std::string::npos);
  ASSERT_TRUE(db->Backup(dir.Sub("slash/")).ok());  // The directory "slash".
  EXPECT_TRUE(fs::is_directory(dir.Sub("slash")));
}

// A pid no process has now.
pid_t DeadPid() {
  for (pid_t pid = 4194303; pid > 1; --pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return pid;
  }
  return 0;
}

TEST(DbBackup, ClearsTheStagingOfABackupWhoseProcessIsGone) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  ASSERT_NE(db, nullptr);
  WriteRange(db.get(), 0, 10);
  const std::string dead =
      dir.Sub("backup.backup." + std::to_string(DeadPid()) + "-0");
  const std::string live =
      dir.Sub("backup.backup." + std::to_string(::getppid()) + "-0");
  for (const std::string& staging : {dead, live}) {
    fs::create_directory(staging);
    std::ofstream(staging + "/000001.sst") << "half a table";
  }
  ASSERT_TRUE(db->Backup(dir.Sub("backup")).ok());
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));  // Its process may still be copying.
  ExpectOneMoment(dir.Sub("backup"), 10, 10);
}

}  // namespace
}  // namespace semhash

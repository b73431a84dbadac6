// The administrator's safety tools end to end (get, delete, backup) on a
// database made through the library: what they print, that `get` changes no
// byte, that `delete` counts and removes atomically and refuses a database
// another process holds, and that `backup` copies a database another
// process keeps writing as one moment of its writes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "semhash/db.h"
#include "tests/engine/test_util.h"
#include "tests/tools/cli_runner.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Outcome;
using testing::Semhash;
using testing::Snapshot;
using testing::TempDir;

constexpr size_t kImages = 300;
constexpr size_t kCodeBytes = 8;
// Valid UTF-8 with a newline and quotes, and bytes that are not UTF-8.
const std::string kTextPayload = "h\xc3\xa9llo\n\"x\"";
const std::string kBinaryPayload("\x00\xff\x7f", 3);

uint64_t IdOf(size_t row) { return 10 * row + 3; }

std::string Hex(const std::vector<uint8_t>& bytes) {
  std::string text;
  char byte[3];
  for (const uint8_t b : bytes) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    text += byte;
  }
  return text;
}

bool Has(const Outcome& run, const std::string& text) {
  return run.output.find(text) != std::string::npos;
}

// Every image of the database at `path`, opened read-only.
std::map<uint64_t, Record> Contents(const std::string& path) {
  Options options = testing::DiskOnly();
  options.read_only = true;
  auto db = testing::OpenOrDie(path, options);
  if (db == nullptr) return {};
  return testing::StoredImages(db.get());
}

// 300 images at 32 addresses (8-bit), ids 10 * row + 3; row 0 has a text
// payload, row 1 a binary one.
class SafetyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(5);
    auto db = testing::OpenOrDie(Db(), testing::CreateOptions(8, 64));
    ASSERT_NE(db, nullptr);
    for (size_t row = 0; row < kImages; ++row) {
      codes_.push_back(testing::RandomCode(&rng, kCodeBytes));
      const std::string payload = row == 0   ? kTextPayload
                                  : row == 1 ? kBinaryPayload
                                             : "";
      ASSERT_TRUE(db->Put(WriteOptions(), IdOf(row), Address(row % 32),
                          codes_[row], payload)
                      .ok());
    }
  }

  std::string Path(const std::string& name) const { return dir_.Sub(name); }
  std::string Db() const { return Path("db"); }

  TempDir dir_;
  std::vector<std::vector<uint8_t>> codes_;
};

TEST_F(SafetyCliTest, GetPrintsTheImageAndChangesNoByte) {
  const auto before = Snapshot(Db());
  const std::string db = " --db " + Db();
  Outcome run = Semhash("get --json --id 1003" + db);  // Row 100.
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output,
            "{\"id\": 1003, \"address\": 4, \"address_binary\": "
            "\"00000100\", \"code\": \"" +
                Hex(codes_[100]) +
                "\", \"payload_bytes\": 0, \"payload_encoding\": "
                "\"utf-8\", \"payload\": \"\"}\n");
  run = Semhash("get --json --id 3" + db);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "\"payload_bytes\": 10, \"payload_encoding\": \"utf-8\", "
                  "\"payload\": \"h\xc3\xa9llo\\n\\\"x\\\"\"}"))
      << run.output;
  run = Semhash("get --json --id 13" + db);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "\"payload_bytes\": 3, \"payload_encoding\": \"hex\", "
                  "\"payload\": \"00ff7f\"}"))
      << run.output;
  run = Semhash("get --id 13" + db);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "id 13\n  address 1 (00000001)\n  code " +
                            Hex(codes_[1]) +
                            "\n  payload 3 bytes (hex): 00ff7f\n");
  run = Semhash("get --id 5" + db);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(Has(run, "NotFound: id 5")) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);
}

TEST_F(SafetyCliTest, DeleteCountsTheIdsAndTheImagesLeaveEverySearch) {
  // Rows 10, 11 and 12 are stored; 5 and 6 never were; row 10 comes twice.
  const std::vector<uint64_t> ids = {IdOf(10), 5, IdOf(11),
                                     IdOf(12), 6, IdOf(10)};
  ASSERT_TRUE(io::WriteNpy(Path("ids.npy"), io::NpyType::kUint64, {ids.size()},
                           ids.data())
                  .ok());
  Outcome run =
      Semhash("delete --json --db " + Db() + " --ids " + Path("ids.npy"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "{\"db\": \"" + Db() +
                            "\", \"ids\": 5, \"deleted\": 3, \"absent\": 2}\n");
  for (size_t row : {10, 11, 12}) {
    run = Semhash("get --id " + std::to_string(IdOf(row)) + " --db " + Db());
    EXPECT_EQ(run.exit_code, 1) << run.output;
  }
  {
    Options read_only = testing::DiskOnly();
    read_only.read_only = true;
    auto db = testing::OpenOrDie(Db(), read_only);
    ASSERT_NE(db, nullptr);
    for (size_t row : {10, 11, 12}) {
      SearchResult exact, probed;
      ASSERT_TRUE(db->SearchExact(codes_[row], kImages, &exact).ok());
      SearchOptions whole_ball;
      whole_ball.max_radius = 8;
      ASSERT_TRUE(db->Search(whole_ball, Address(row % 32), codes_[row],
                             kImages, &probed)
                      .ok());
      EXPECT_EQ(exact.neighbors.size(), kImages - 3);
      for (const Neighbor& n : exact.neighbors) {
        EXPECT_TRUE(n.id != IdOf(10) && n.id != IdOf(11) && n.id != IdOf(12));
      }
      EXPECT_EQ(probed.neighbors, exact.neighbors);
    }
    VerifyReport report;
    EXPECT_TRUE(db->Verify(VerifyOptions(), &report).ok());
    EXPECT_EQ(report.images, kImages - 3);
  }
  run = Semhash("delete --db " + Db() + " --id " + std::to_string(IdOf(10)) +
                " " + std::to_string(IdOf(20)) + " 7");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output,
            "deleted 1 of 3 ids from " + Db() + "; 2 were not stored\n");
  EXPECT_EQ(Contents(Db()).size(), kImages - 4);
}

// RocksDB's lock is per process and per open: a database held by another
// process (here the test's, which has it open for writing) is refused by
// the commands that write, with a message that says so; the read-only ones
// still work.
TEST_F(SafetyCliTest, WritersRefuseADatabaseAnotherProcessHolds) {
  const auto images = Contents(Db());
  auto held = testing::OpenOrDie(Db());
  ASSERT_NE(held, nullptr);
  const std::string in_use = Db() + ": the database is in use: another process";
  // No Snapshot of the directory while it is held: closing any descriptor
  // of the LOCK file would drop this process's fcntl lock on it.
  ExpectRefused({{"delete --id 3 --db " + Db(), 1, in_use},
                 {"compact --db " + Db(), 1, in_use}},
                "");
  EXPECT_EQ(Semhash("get --id 3 --db " + Db()).exit_code, 0);
  const Outcome run = Semhash("backup --db " + Db() + " --out " + Path("copy"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  held.reset();
  EXPECT_TRUE(Contents(Path("copy")) == images);
  EXPECT_TRUE(Contents(Db()) == images);
}

TEST_F(SafetyCliTest, BackupAnswersAsTheSourceAndRefusesAnExistingTarget) {
  const auto before = Snapshot(Db());
  Outcome run =
      Semhash("backup --json --db " + Db() + " --out " + Path("copy"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "{\"db\": \"" + Db() + "\", \"out\": \"" + Path("copy") +
                           "\", \"files\": "))
      << run.output;
  EXPECT_TRUE(Has(run, "\"attempts\": 1}")) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before) << "backup changed the source";
  EXPECT_EQ(Semhash("verify --db " + Path("copy")).exit_code, 0);
  EXPECT_TRUE(Contents(Path("copy")) == Contents(Db()));
  for (size_t row = 0; row < kImages; row += 37) {
    const Outcome source = Semhash("get --json --id " +
                                   std::to_string(IdOf(row)) + " --db " + Db());
    const Outcome copy =
        Semhash("get --json --id " + std::to_string(IdOf(row)) + " --db " +
                Path("copy"));
    EXPECT_EQ(copy.output, source.output);
  }
  run = Semhash("backup --db " + Db() + " --out " + Path("copy"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(Has(run, Path("copy") + " exists")) << run.output;
  run = Semhash("backup --db " + Db() + " --out " + Path("copy2"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "backed up " + Db() + " to " + Path("copy2")))
      << run.output;
}

// The writer's image i (ids from kFirstLiveId on).
constexpr uint64_t kFirstLiveId = 1'000'000;
std::vector<uint8_t> LiveCode(uint64_t i) {
  std::mt19937_64 rng(1000 + i);
  return testing::RandomCode(&rng, kCodeBytes);
}

// A child process that opens `path` for writing, writes one byte to
// `ready`, then puts image after image until it is killed.
pid_t StartWriter(const std::string& path, int ready) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  std::unique_ptr<DB> db;
  if (!DB::Open(testing::DiskOnly(), path, &db).ok()) ::_exit(3);
  if (::write(ready, "r", 1) != 1) ::_exit(4);
  for (uint64_t i = 0;; ++i) {
    // About 16,000 writes a second: enough to race every copy, few enough
    // to keep the copies and their checks quick.
    if (i % 16 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!db->Put(WriteOptions(), kFirstLiveId + i, Address(i % 256),
                 LiveCode(i))
             .ok()) {
      ::_exit(5);
    }
  }
}

TEST_F(SafetyCliTest, BackupWhileAnotherProcessWritesIsOneMoment) {
  const auto original = Contents(Db());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t writer = StartWriter(Db(), ready[1]);
  ASSERT_GT(writer, 0);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the writer did not open";
  uint64_t last = 0;
  for (int b = 0; b < 3; ++b) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string copy = Path("copy" + std::to_string(b));
    const Outcome run = Semhash("backup --db " + Db() + " --out " + copy);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(Semhash("verify --db " + copy).exit_code, 0);
    // The original images, and the writer's first n for some n.
    std::map<uint64_t, Record> images = Contents(copy);
    std::map<uint64_t, Record> written(images.lower_bound(kFirstLiveId),
                                       images.end());
    images.erase(images.lower_bound(kFirstLiveId), images.end());
    EXPECT_TRUE(images == original) << copy;
    const uint64_t n = written.size();
    EXPECT_TRUE(n == 0 || written.rbegin()->first == kFirstLiveId + n - 1)
        << copy << ": not a prefix of the writes";
    for (const auto& [id, record] : written) {
      EXPECT_EQ(record.code, LiveCode(id - kFirstLiveId)) << id;
    }
    EXPECT_GE(n, last) << "a later backup holds fewer writes";
    last = n;
    std::cout << copy << ": " << n << " of the writer's images\n";
  }
  EXPECT_GT(last, 0u) << "the writer wrote nothing";
  const Outcome refused = Semhash("delete --id 3 --db " + Db());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Has(refused, "the database is in use")) << refused.output;
  ::kill(writer, SIGKILL);
  int status = 0;
  ::waitpid(writer, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status))
      << "the writer stopped on its own: " << WEXITSTATUS(status);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_F(SafetyCliTest, BadCallsAreUsageErrorsAndChangeNothing) {
  const std::string db = " --db " + Db();
  ExpectRefused(
      {
          {"get --id 3", 2, "'--db' is required"},
          {"get" + db, 2, "'--id' is required"},
          {"delete" + db, 2, "--id or --ids"},
          {"delete --id 3 --ids " + Path("ids.npy") + db, 2, "--id or --ids"},
          {"delete --ids " + Path("absent.npy") + db, 1, "--ids"},
          {"backup" + db, 2, "'--out' is required"},
          {"backup --out " + Path("copy"), 2, "'--db' is required"},
          {"backup --out " + Path("copy") + " --db " + Path("absent"), 1,
           "no database there"},
          {"backup --out " + Path("missing/copy") + db, 1, "does not exist"},
          {"get --id 3 --db " + Path("absent"), 1, "no database there"},
          {"delete --id 3 --db " + Path("absent"), 1, "no database there"},
      },
      Db());
  EXPECT_FALSE(std::filesystem::exists(Path("copy")));
  EXPECT_FALSE(std::filesystem::exists(Path("absent")));
  for (const char* command : {"get", "delete", "backup"}) {
    const Outcome run = Semhash(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(Has(run, "usage: semhash " + std::string(command)))
        << run.output;
  }
}

}  // namespace
}  // namespace semhash

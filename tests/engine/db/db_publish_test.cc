// Staged creation (Options::stage_new_database) and DB::Publish: nothing at
// the path before Publish, the whole database after it, and nothing at all
// when the handle is dropped or its process dies unpublished.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>

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

constexpr uint32_t kAddressBits = 16;
constexpr uint32_t kCodeBits = 64;
constexpr size_t kCodeBytes = kCodeBits / 8;

Options Staged() {
  Options options = DiskOnly(CreateOptions(kAddressBits, kCodeBits));
  options.stage_new_database = true;
  return options;
}

// The names in `dir`, sorted.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Ids 0..n-1 with random codes: half bulk-loaded, half put without sync.
void Fill(DB* db, size_t n) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  for (uint64_t id = 0; id < n / 2; ++id) {
    const std::vector<uint8_t> code = RandomCode(&rng, kCodeBytes);
    ids.push_back(id);
    addresses.push_back(static_cast<Address>(rng() >> (64 - kAddressBits)));
    codes.insert(codes.end(), code.begin(), code.end());
  }
  std::unique_ptr<BulkLoader> loader;
  ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
  ASSERT_TRUE(
      loader->Add(ids.size(), ids.data(), addresses.data(), codes.data()).ok());
  ASSERT_TRUE(loader->Finish().ok());
  loader.reset();
  for (uint64_t id = n / 2; id < n; ++id) {
    const Address address = static_cast<Address>(rng() >> (64 - kAddressBits));
    ASSERT_TRUE(
        db->Put(WriteOptions(), id, address, RandomCode(&rng, kCodeBytes))
            .ok());
  }
}

TEST(StagedCreation, NothingAtThePathUntilPublishThenTheWholeDatabase) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  std::unique_ptr<DB> db = OpenOrDie(path, Staged());
  ASSERT_NE(db, nullptr);
  Fill(db.get(), 600);
  const std::string images = testing::ImagesAsText(db.get());
  EXPECT_FALSE(fs::exists(path));
  std::unique_ptr<DB> other;
  EXPECT_TRUE(DB::Open(Options(), path, &other).IsNotFound());

  const Status s = DB::Publish(&db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"db"});
  Options read_only;
  read_only.read_only = true;
  db = OpenOrDie(path, read_only);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(testing::ImagesAsText(db.get()), images);
  VerifyReport report;
  ASSERT_TRUE(db->Verify(VerifyOptions(), &report).ok());
  EXPECT_EQ(report.images, 600u);
}

TEST(StagedCreation, DroppedUnpublishedLeavesNothing) {
  TempDir dir;
  {
    std::unique_ptr<DB> db = OpenOrDie(dir.Sub("db"), Staged());
    ASSERT_NE(db, nullptr);
    Fill(db.get(), 100);
  }
  EXPECT_TRUE(Entries(dir.path()).empty());
}

// A process killed before Publish: nothing at the path, and the next
// read-write open removes what it staged.
TEST(StagedCreation, KilledUnpublishedLeavesNothingAtThePath) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  const pid_t child = ::fork();
  if (child == 0) {
    std::unique_ptr<DB> db;
    const bool opened = DB::Open(Staged(), path, &db).ok();
    const std::vector<uint8_t> code(kCodeBytes, 1);
    const bool put = opened && db->Put(WriteOptions(), 1, 2, code).ok();
    ::_exit(put ? 0 : 1);  // No destructor: as if killed.
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::vector<std::string> left = Entries(dir.path());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].rfind("db.creating." + std::to_string(child) + "-", 0), 0u)
      << left[0];
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(Options(), path, &db).IsNotFound());
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(StagedCreation, PublishRefusesADatabaseThatWasNotStaged) {
  TempDir dir;
  std::unique_ptr<DB> db =
      OpenOrDie(dir.Sub("db"), DiskOnly(CreateOptions(16, 64)));
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(DB::Publish(&db).IsInvalidArgument());
  ASSERT_NE(db, nullptr);  // Still open.
  EXPECT_TRUE(db->Put(WriteOptions(), 1, 2, std::vector<uint8_t>(8)).ok());
  db.reset();
  // An existing database opens as it is: the option only stages creation.
  db = OpenOrDie(dir.Sub("db"), Staged());
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(DB::Publish(&db).IsInvalidArgument());
  std::unique_ptr<DB> none;
  EXPECT_TRUE(DB::Publish(&none).IsInvalidArgument());
}

// Something made at the path meanwhile is not replaced.
TEST(StagedCreation, PublishFailsIfThePathFilledMeanwhile) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  std::unique_ptr<DB> db = OpenOrDie(path, Staged());
  ASSERT_NE(db, nullptr);
  fs::create_directories(path + "/someone-elses");
  const Status s = DB::Publish(&db);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"db"});
  EXPECT_EQ(Entries(path), std::vector<std::string>{"someone-elses"});
}

}  // namespace
}  // namespace semhash

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "format/manifest.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::TempDir;

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

TEST(DBOpen, CreatesWithDefaultsAndReopensWithoutRepeatingThem) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options create;
  create.create_if_missing = true;
  {
    auto db = OpenOrDie(path, create);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->info().address_bits, 30u);
    EXPECT_EQ(db->info().code_bits, 256u);
    EXPECT_EQ(db->info().encoder_kind, "external");
    EXPECT_EQ(db->encoder(), nullptr);
  }
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->info().format_version, format::kFormatVersion);
  EXPECT_EQ(db->info().address_bits, 30u);
}

TEST(DBOpen, MissingDatabaseWithoutCreateFailsAndCreatesNothing) {
  TempDir dir;
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), dir.Sub("absent"), &db);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(Contains(s, "create_if_missing"));
  EXPECT_EQ(db, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("absent")));
}

TEST(DBOpen, ErrorIfExists) {
  TempDir dir;
  OpenOrDie(dir.Sub("db"), CreateOptions(16, 64));
  Options options = CreateOptions(16, 64);
  options.error_if_exists = true;
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(options, dir.Sub("db"), &db).IsInvalidArgument());
  EXPECT_EQ(db, nullptr);
}

TEST(DBOpen, ConflictingOptionsNameTheFieldAndBothValues) {
  TempDir dir;
  OpenOrDie(dir.Sub("db"), CreateOptions(16, 128));
  std::unique_ptr<DB> db;
  Options options;
  options.address_bits = 20;
  Status s = DB::Open(options, dir.Sub("db"), &db);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(Contains(s, "address_bits") && Contains(s, "16") &&
              Contains(s, "20"))
      << s.ToString();
  options = Options();
  options.code_bits = 256;
  s = DB::Open(options, dir.Sub("db"), &db);
  EXPECT_TRUE(Contains(s, "code_bits") && Contains(s, "128") &&
              Contains(s, "256"))
      << s.ToString();
  EXPECT_EQ(db, nullptr);
}

TEST(DBOpen, OutOfRangeOptionsAreRefused) {
  TempDir dir;
  std::unique_ptr<DB> db;
  EXPECT_TRUE(
      DB::Open(CreateOptions(7, 64), dir.Sub("a"), &db).IsInvalidArgument());
  EXPECT_TRUE(
      DB::Open(CreateOptions(33, 64), dir.Sub("a"), &db).IsInvalidArgument());
  EXPECT_TRUE(
      DB::Open(CreateOptions(16, 96), dir.Sub("a"), &db).IsInvalidArgument());
  EXPECT_TRUE(
      DB::Open(CreateOptions(16, 1088), dir.Sub("a"), &db).IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("a")));
}

TEST(DBOpen, PathThatIsAFileOrAForeignDirectoryIsRefused) {
  TempDir dir;
  std::ofstream(dir.Sub("file")) << "not a database";
  std::unique_ptr<DB> db;
  Status s = DB::Open(CreateOptions(16, 64), dir.Sub("file"), &db);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(Contains(s, "is a file")) << s.ToString();
  std::filesystem::create_directory(dir.Sub("photos"));
  std::ofstream(dir.Sub("photos/cat.jpg")) << "meow";
  s = DB::Open(CreateOptions(16, 64), dir.Sub("photos"), &db);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(Contains(s, "not a semhash database")) << s.ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("photos/cat.jpg")));
}

TEST(DBOpen, CreatesInsideAnEmptyDirectoryAndLeavesNoStagingBehind) {
  TempDir dir;
  std::filesystem::create_directory(dir.Sub("db"));
  ASSERT_NE(OpenOrDie(dir.Sub("db"), CreateOptions(16, 64)), nullptr);
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "db");
  }
  EXPECT_EQ(entries, 1u);
}

// Issue 16, finding 7: 300 processes killed while DB::Open created a
// database left 186 "DB.creating.PID" directories behind. A read-write open
// now removes those whose process is gone, and only those.
TEST(DBOpen, RemovesTheStagingDirectoriesOfDeadCreators) {
  TempDir dir;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const std::string dead = dir.Sub("db.creating." + std::to_string(child));
  const std::string alive = dir.Sub("db.creating.1");  // init never dies.
  const std::string other = dir.Sub("other.creating." + std::to_string(child));
  for (const std::string& staging : {dead, alive, other}) {
    std::filesystem::create_directories(staging + "/sub");
    std::ofstream(staging + "/sub/000001.log") << "half a database";
  }
  Options read_only;
  read_only.read_only = true;
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(read_only, dir.Sub("db"), &db).IsNotFound());
  EXPECT_TRUE(std::filesystem::exists(dead));  // Read-only changes nothing.
  ASSERT_NE(OpenOrDie(dir.Sub("db"), CreateOptions(16, 64)), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));
  EXPECT_TRUE(std::filesystem::exists(other));
  std::filesystem::create_directories(dead);
  ASSERT_NE(OpenOrDie(dir.Sub("db")), nullptr);  // An existing database too.
  EXPECT_FALSE(std::filesystem::exists(dead));
}

TEST(DBOpen, ReadOnlyRefusesWritesAndCreation) {
  TempDir dir;
  OpenOrDie(dir.Sub("db"), CreateOptions(16, 64));
  Options options;
  options.read_only = true;
  auto db = OpenOrDie(dir.Sub("db"), options);
  ASSERT_NE(db, nullptr);
  const std::vector<uint8_t> code(8, 0);
  EXPECT_TRUE(db->Put(WriteOptions(), 1, 0, code).IsNotSupported());
  options.create_if_missing = true;
  std::unique_ptr<DB> other;
  EXPECT_TRUE(DB::Open(options, dir.Sub("new"), &other).IsInvalidArgument());
}

TEST(DBOpen, SecondWriterIsRefused) {
  TempDir dir;
  auto first = OpenOrDie(dir.Sub("db"), CreateOptions(16, 64));
  std::unique_ptr<DB> second;
  const Status s = DB::Open(Options(), dir.Sub("db"), &second);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(second, nullptr);
  // Not RocksDB's bare "While lock file ...: lock hold by current process".
  EXPECT_TRUE(Contains(s, dir.Sub("db") + ": the database is in use"))
      << s.ToString();
}

std::shared_ptr<const Encoder> Lsh(uint64_t seed, uint32_t address_bits = 16) {
  std::vector<float> data(50 * 4);
  for (size_t i = 0; i < data.size(); ++i) data[i] = float(i % 17);
  std::unique_ptr<Encoder> encoder;
  EncoderOptions lsh;
  lsh.address_bits = address_bits;
  lsh.code_bits = 64;
  lsh.seed = seed;
  EXPECT_TRUE(TrainEncoder(lsh, 50, data.data(), 4, &encoder).ok());
  return encoder;
}

TEST(DBOpen, EncoderIsPersistedAndChecked) {
  TempDir dir;
  Options create;
  create.create_if_missing = true;
  create.encoder = Lsh(1);
  std::vector<float> query = {1, 2, 3, 4};
  Address want_address;
  std::vector<uint8_t> want_code(8);
  ASSERT_TRUE(create.encoder
                  ->Encode(1, query.data(), 4, &want_address, want_code.data())
                  .ok());
  OpenOrDie(dir.Sub("db"), create);

  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db->encoder(), nullptr);
  EXPECT_EQ(db->info().address_bits, 16u);
  EXPECT_EQ(db->info().code_bits, 64u);
  EXPECT_EQ(db->info().encoder_kind, "lsh");
  EXPECT_EQ(db->info().encoder_params, "sample=0,seed=1");
  Address address;
  std::vector<uint8_t> code(8);
  ASSERT_TRUE(
      db->encoder()->Encode(1, query.data(), 4, &address, code.data()).ok());
  EXPECT_EQ(address, want_address);
  EXPECT_EQ(code, want_code);
  db.reset();

  Options other;
  other.encoder = Lsh(2);
  std::unique_ptr<DB> refused;
  const Status s = DB::Open(other, dir.Sub("db"), &refused);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(Contains(s, "encoder") && Contains(s, "seed=1") &&
              Contains(s, "seed=2"))
      << s.ToString();
  other.encoder = Lsh(1);
  EXPECT_TRUE(DB::Open(other, dir.Sub("db"), &refused).ok());
}

TEST(DBOpen, EncoderMustAgreeWithBitOptions) {
  TempDir dir;
  Options create = CreateOptions(20, 64);
  create.encoder = Lsh(1, 16);
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(create, dir.Sub("db"), &db).IsInvalidArgument());
  // An encoder may make addresses narrower than a database allows.
  Options narrow;
  narrow.create_if_missing = true;
  narrow.encoder = Lsh(1, 4);
  const Status s = DB::Open(narrow, dir.Sub("db"), &db);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("address_bits 4"), std::string::npos)
      << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db")));
}

}  // namespace
}  // namespace semhash

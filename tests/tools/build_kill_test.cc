// `semhash build` killed at random moments leaves the previous state: no
// database (or a complete one) when creating, the old database (or the old
// one plus every new image) when adding. Each outcome passes DB::Verify.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "semhash/db.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRows = 200000;
constexpr size_t kCodeBytes = 32;

class BuildKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "semhash-kill-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    std::mt19937_64 rng(17);
    std::vector<uint8_t> codes(kRows * kCodeBytes);
    for (auto& byte : codes) byte = uint8_t(rng());
    ASSERT_TRUE(io::WriteNpy(codes_path(), io::NpyType::kUint8,
                             {kRows, kCodeBytes}, codes.data())
                    .ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string codes_path() const { return dir_ + "/codes.npy"; }
  std::string db_path() const { return dir_ + "/db"; }

  // Runs `semhash build ARGS`, killing it with SIGKILL after `delay` unless
  // it ended first. Returns true if it was killed.
  static bool RunAndKill(const std::vector<std::string>& args,
                         std::chrono::milliseconds delay) {
    std::vector<char*> argv;
    std::string binary = SEMHASH_CLI;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (auto& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::freopen("/dev/null", "w", stdout);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + delay;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status);
  }

  // Opens db_path() and checks it; returns its number of images.
  uint64_t VerifiedImages() {
    Options options;
    options.read_only = true;
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, db_path(), &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return 0;
    VerifyReport report;
    s = db->Verify(VerifyOptions(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return report.images;
  }

  std::string dir_;
};

TEST_F(BuildKillTest, KilledCreationLeavesNothingOrAWholeDatabase) {
  int killed = 0, completed = 0;
  for (int delay : {5, 40, 80, 150, 300, 600, 1200, 2500}) {
    fs::remove_all(db_path());
    const bool was_killed = RunAndKill(
        {"build", "--db", db_path(), "--codes", codes_path(), "--quiet"},
        std::chrono::milliseconds(delay));
    (was_killed ? killed : completed)++;
    if (!fs::exists(db_path())) {
      EXPECT_TRUE(was_killed) << "delay " << delay;
      continue;
    }
    EXPECT_EQ(VerifiedImages(), kRows) << "delay " << delay;
  }
  EXPECT_GT(killed, 0);
  // A complete build removes what killed ones staged.
  fs::remove_all(db_path());
  ASSERT_FALSE(RunAndKill(
      {"build", "--db", db_path(), "--codes", codes_path(), "--quiet"},
      std::chrono::milliseconds(60000)));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".creating."),
              std::string::npos)
        << entry.path();
  }
  std::cout << "creation: " << killed << " killed, " << completed
            << " completed\n";
}

TEST_F(BuildKillTest, KilledAdditionLeavesOldOrWholeNewState) {
  // The old state: the first 1000 rows. The addition: all rows (ids 0..999
  // replaced, the rest new), large enough to go through a bulk load.
  ASSERT_FALSE(RunAndKill({"build", "--db", db_path(), "--codes", codes_path(),
                           "--limit", "1000", "--quiet"},
                          std::chrono::milliseconds(60000)));
  ASSERT_EQ(VerifiedImages(), 1000u);
  int killed = 0;
  for (int delay : {5, 40, 80, 150, 300, 600, 1200}) {
    const bool was_killed = RunAndKill(
        {"build", "--db", db_path(), "--codes", codes_path(), "--quiet"},
        std::chrono::milliseconds(delay));
    killed += was_killed;
    const uint64_t images = VerifiedImages();
    EXPECT_TRUE(images == 1000 || images == kRows)
        << "delay " << delay << ": " << images << " images";
    if (images == kRows) break;  // Later runs would only replace.
  }
  EXPECT_GT(killed, 0);
}

}  // namespace
}  // namespace semhash

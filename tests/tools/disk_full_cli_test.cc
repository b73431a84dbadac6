// The tool on a full disk (issue 16, finding 3): `build` into a database
// whose disk is full, and `compact` there, exit 1 with a message naming the
// database and the lack of space, and leave the database sound once space
// is freed. A real tmpfs, mounted by the test (root only; skipped
// otherwise).
#include <gtest/gtest.h>

#include <random>

#include "tests/engine/small_file_system.h"
#include "tests/engine/test_util.h"
#include "tests/tools/cli_runner.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::Semhash;
using testing::SmallFileSystem;
using testing::TempDir;

void WriteCodes(const std::string& path, size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> codes(rows * 8);
  for (auto& b : codes) b = static_cast<uint8_t>(rng());
  ASSERT_TRUE(
      io::WriteNpy(path, io::NpyType::kUint8, {rows, 8}, codes.data()).ok());
}

TEST(DiskFullCli, BuildAndCompactExitOneNamingTheDatabase) {
  TempDir tmp;
  SmallFileSystem disk(tmp.Sub("disk"), 8 << 20);
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  const std::string db = tmp.Sub("disk") + "/db";
  WriteCodes(tmp.Sub("codes.npy"), 2000, 1);
  WriteCodes(tmp.Sub("more.npy"), 200000, 2);
  ASSERT_EQ(Semhash("build --quiet --db " + db + " --codes " +
                    tmp.Sub("codes.npy") + " --address-bits 16 --code-bits 64")
                .exit_code,
            0);
  SmallFileSystem::FillWith(tmp.Sub("disk") + "/filler");

  for (const std::string& args :
       {"build --quiet --db " + db + " --codes " + tmp.Sub("more.npy"),
        "compact --quiet --db " + db}) {
    const testing::Outcome run = Semhash(args);
    EXPECT_EQ(run.exit_code, 1) << args << "\n" << run.output;
    EXPECT_NE(run.output.find(db), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("No space left on device"), std::string::npos)
        << run.output;
  }
  std::filesystem::remove(tmp.Sub("disk") + "/filler");
  const testing::Outcome verify = Semhash("verify --quiet --db " + db);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("2000 images"), std::string::npos)
      << verify.output;
}

}  // namespace
}  // namespace semhash

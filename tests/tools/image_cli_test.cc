// Image files through the command line: build from a folder of real PNG
// and JPEG files, stable ids and change detection across re-builds, bad
// files refused before anything is written (or skipped with --skip-bad),
// query by picture, and train on a folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "../engine/test_util.h"
#include "tests/tools/cli_runner.h"
#include "tests/tools/image_writer.h"
#include "tests/tools/png_reader.h"
#include "tools/image_sheet.h"
#include "tools/images/image_list.h"
#include "tools/pictures/contact_sheet.h"

namespace semhash {
namespace {

using cli::kThumbnailSide;
using testing::Semhash;
using testing::Snapshot;
using testing::TempDir;

constexpr int kSide = 24;

// A picture of a few random blocks: distinct per seed, and smooth enough
// that JPEG keeps its code close.
std::vector<uint8_t> Blocks(uint64_t seed, int channels) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> levels(16 * channels);
  for (auto& v : levels) v = uint8_t(rng());
  std::vector<uint8_t> pixels;
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      for (int c = 0; c < channels; ++c) {
        pixels.push_back(levels[((y / 6) * 4 + x / 6) * channels + c]);
      }
    }
  }
  return pixels;
}

class ImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(Photos() + "/trip/day2");
    for (int i = 0; i < 16; ++i) WriteImage(i, i);
  }
  std::string Photos() const { return dir_.Sub("photos"); }
  std::string Db() const { return dir_.Sub("db"); }
  // Image i: PNGs at the top, JPEGs in trip/, grey ones in trip/day2/.
  std::string NameOf(int i) const {
    if (i % 3 == 0) return "img" + std::to_string(i) + ".png";
    if (i % 3 == 1) return "trip/img" + std::to_string(i) + ".jpg";
    return "trip/day2/img" + std::to_string(i) + ".png";
  }
  void WriteImage(int i, uint64_t seed) {
    const std::string path = Photos() + "/" + NameOf(i);
    const int channels = i % 3 == 2 ? 1 : 3;
    const auto pixels = Blocks(seed, channels);
    ASSERT_TRUE(
        i % 3 == 1
            ? testing::WriteJpegFile(path, kSide, kSide, channels, pixels, 95)
            : testing::WritePng8(path, kSide, kSide, channels, pixels));
  }
  testing::Outcome Build(const std::string& extra = "") {
    return Semhash("build -q --db " + Db() + " --images " + Photos() +
                   " --image-size 8 --code-bits 64 --address-bits 12 " + extra);
  }
  TempDir dir_;
};

TEST_F(ImageCli, FolderBuildStoresEachFileUnderItsNameAndQueryFindsIt) {
  const auto built = Build();
  ASSERT_EQ(built.exit_code, 0) << built.output;
  EXPECT_NE(built.output.find(
                "8x8 colour images: 16 new, 0 changed, 0 unchanged, 0 skipped"),
            std::string::npos)
      << built.output;
  const std::string name = NameOf(4);  // A JPEG.
  const auto got = Semhash("get --json --db " + Db() + " --id " +
                           std::to_string(images::ImageId(name)));
  EXPECT_NE(got.output.find("\"payload\": \"" + name + "\""), std::string::npos)
      << got.output;
  const auto query = Semhash("query --db " + Db() + " --images " + Photos() +
                             "/" + name + " --exact --k 1 --json");
  ASSERT_EQ(query.exit_code, 0) << query.output;
  EXPECT_NE(
      query.output.find("{\"id\": " + std::to_string(images::ImageId(name)) +
                        ", \"distance\": 0, \"payload\": \"" + name),
      std::string::npos)
      << query.output;
  // A folder of queries: one line each, in name order, each finding itself.
  const auto all = Semhash("query --db " + Db() + " --images " + Photos() +
                           " --exact --k 1 --json");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  const auto lines = testing::Lines(all.output);
  size_t found_self = 0;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(
            line, m,
            std::regex("\"query_name\": \"([^\"]+)\".*\"distance\": 0, "
                       "\"payload\": \"([^\"]+)\"")) &&
        m[1] == m[2]) {
      ++found_self;
    }
  }
  EXPECT_EQ(found_self, 16u) << all.output;
}

TEST_F(ImageCli, RebuildAddsNewFilesReplacesChangedOnesAndKeepsIds) {
  ASSERT_EQ(Build().exit_code, 0);
  WriteImage(16, 16);
  WriteImage(17, 17);
  WriteImage(5, 1005);  // Changed content, same name.
  const auto again = Build();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("2 new, 1 changed, 15 unchanged, 0 skipped"),
            std::string::npos)
      << again.output;
  const auto same = Build();
  EXPECT_NE(same.output.find("0 new, 0 changed, 18 unchanged"),
            std::string::npos)
      << same.output;
  const auto count = Semhash("inspect --db " + Db() + " --json");
  EXPECT_NE(count.output.find("\"images\": 18"), std::string::npos)
      << count.output;
  // The changed file's id now holds its new code: a query with it finds it
  // at distance 0.
  const auto query = Semhash("query --db " + Db() + " --images " + Photos() +
                             "/" + NameOf(5) + " --exact --k 1 --json");
  EXPECT_NE(query.output.find("\"distance\": 0, \"payload\": \"" + NameOf(5)),
            std::string::npos)
      << query.output;
}

TEST_F(ImageCli, BadFilesAreRefusedBeforeAnythingIsWrittenUnlessSkipped) {
  std::ofstream(Photos() + "/trip/broken.jpg") << "\xff\xd8\xff not really";
  const auto refused = Build();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("trip/broken.jpg"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--skip-bad"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(Db()));
  const auto skipped = Build("--skip-bad");
  ASSERT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("skipped " + Photos() +
                                "/trip/broken.jpg: corrupt JPEG"),
            std::string::npos)
      << skipped.output;
  EXPECT_NE(skipped.output.find("16 new, 0 changed, 0 unchanged, 1 skipped"),
            std::string::npos)
      << skipped.output;
  // An existing database is left as it was by a refused re-build.
  WriteImage(16, 16);
  const auto before = Snapshot(Db());
  EXPECT_EQ(Build().exit_code, 1);
  EXPECT_TRUE(Snapshot(Db()) == before);
}

TEST_F(ImageCli, SheetDrawsTheFilesAndSaysWhichHaveMoved) {
  ASSERT_EQ(Build().exit_code, 0);
  const std::string name = NameOf(3);  // A colour PNG.
  const std::string sheet = dir_.Sub("sheet.png");
  const std::string query = "query --db " + Db() + " --images " + Photos() +
                            "/" + name + " --exact --k 2 --sheet " + sheet +
                            " --image-root " + Photos();
  const auto drawn = Semhash(query);
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("wrote " + sheet), std::string::npos);
  pictures::Image png(0, 0);
  std::string error;
  ASSERT_TRUE(testing::ReadPng(sheet, &png, &error)) << error;
  // The query and its first result (itself) show the picture's top-left
  // block, in colour, inside their frames.
  const auto pixels = Blocks(3, 3);
  const pictures::Rgb block{pixels[0], pixels[1], pixels[2]};
  pictures::SheetGeometry g{kThumbnailSide, kThumbnailSide, 1};
  g.rgb = g.names = true;
  for (int column : {0, 1}) {
    const pictures::TileRect tile = pictures::SheetTile(g, 0, column);
    EXPECT_EQ(png.At(tile.x + 4, tile.y + 4), block) << column;
  }
  // The stored file moves away: its tile is empty, and stderr says where
  // it was looked for.
  std::filesystem::copy_file(Photos() + "/" + name, dir_.Sub("q.png"));
  std::filesystem::rename(Photos() + "/" + name, dir_.Sub("moved.png"));
  const auto moved =
      Semhash("query --db " + Db() + " --images " + dir_.Sub("q.png") +
              " --exact --k 1 --sheet " + sheet + " --image-root " + Photos());
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find(name + ": not found at " + Photos() + "/" + name +
                              " (moved or deleted since the build?)"),
            std::string::npos)
      << moved.output;
  ASSERT_TRUE(testing::ReadPng(sheet, &png, &error)) << error;
  const pictures::TileRect result = pictures::SheetTile(g, 0, 1);
  EXPECT_EQ(png.At(result.x + 4, result.y + 4), (pictures::Rgb{235, 235, 235}));
}

TEST_F(ImageCli, DedupGroupsCopiesAndStreamsEachFormat) {
  std::filesystem::copy_file(Photos() + "/" + NameOf(0),
                             Photos() + "/copy of img0.png");
  std::filesystem::copy_file(Photos() + "/" + NameOf(1),
                             Photos() + "/trip/img1 again.jpg");
  ASSERT_EQ(Build().exit_code, 0);
  const std::string dedup = "dedup -q --db " + Db() + " --radius 0";
  const auto json = Semhash(dedup + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"size\": 2, \"members\": "), std::string::npos)
      << json.output;
  for (const std::string& name :
       {NameOf(0), std::string("copy of img0.png"), NameOf(1),
        std::string("trip/img1 again.jpg")}) {
    EXPECT_NE(json.output.find("\"distance\": 0, \"payload\": \"" + name),
              std::string::npos)
        << name << "\n"
        << json.output;
  }
  EXPECT_NE(json.output.find("2 groups of near-duplicates within 0 bits: 4 of "
                             "18 images"),
            std::string::npos)
      << json.output;
  const auto csv = Semhash(dedup + " --csv");
  EXPECT_EQ(csv.output.rfind("group,id,distance,payload\n", 0), 0u)
      << csv.output;
  EXPECT_NE(csv.output.find(",0,copy of img0.png\n"), std::string::npos)
      << csv.output;
  const std::string sheet = dir_.Sub("dups.png");
  const auto drawn =
      Semhash(dedup + " --sheet " + sheet + " --image-root " + Photos());
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("wrote " + sheet), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(sheet));
}

TEST_F(ImageCli, PngFilesQueryADatabaseBuiltFromIdxRows) {
  // 28x28 grey features are exactly IDX rows: a database built from an IDX
  // file answers PNG files of the same pictures at distance 0.
  constexpr size_t kCount = 12, kIdxSide = 28;
  std::mt19937_64 rng(3);
  std::string idx("\x00\x00\x08\x03", 4);
  for (uint32_t v :
       {uint32_t(kCount), uint32_t(kIdxSide), uint32_t(kIdxSide)}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      idx.push_back(char(v >> shift));
  }
  std::filesystem::create_directories(dir_.Sub("pngs"));
  for (size_t i = 0; i < kCount; ++i) {
    std::vector<uint8_t> pixels(kIdxSide * kIdxSide);
    for (auto& p : pixels) p = uint8_t(rng());
    idx.append(pixels.begin(), pixels.end());
    ASSERT_TRUE(
        testing::WritePng8(dir_.Sub("pngs/" + std::to_string(i) + ".png"),
                           kIdxSide, kIdxSide, 1, pixels));
  }
  std::ofstream(dir_.Sub("images.idx"), std::ios::binary) << idx;
  const auto built =
      Semhash("build -q --db " + Db() + " --images " + dir_.Sub("images.idx") +
              " --encoder lsh --code-bits 64 --address-bits 12");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  const auto query = Semhash("query --db " + Db() + " --images " +
                             dir_.Sub("pngs") + " --exact --k 1 --json");
  ASSERT_EQ(query.exit_code, 0) << query.output;
  size_t found = 0;
  const std::regex self(
      R"re("query_name": "(\d+)\.png", "results": \[\{"id": (\d+), "distance": 0)re");
  for (const std::string& line : testing::Lines(query.output)) {
    std::smatch m;
    if (std::regex_search(line, m, self)) found += m[1] == m[2];
  }
  EXPECT_EQ(found, kCount) << query.output;
}

TEST_F(ImageCli, TrainOnAFolderThenBuildWithTheModel) {
  const auto trained =
      Semhash("train -q --input " + Photos() + " --out " + dir_.Sub("model") +
              " --encoder pcah --image-size 8 --colour grey --code-bits 64 "
              "--address-bits 12");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("on 16 vectors of 64 values"),
            std::string::npos)
      << trained.output;
  const auto built = Semhash("build -q --db " + Db() + " --images " + Photos() +
                             " --model " + dir_.Sub("model"));
  ASSERT_EQ(built.exit_code, 0) << built.output;
  EXPECT_NE(built.output.find("8x8 grey images: 16 new"), std::string::npos)
      << built.output;
  const auto wrong = Build("--colour colour");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.output.find("the encoder takes 8x8 grey images"),
            std::string::npos)
      << wrong.output;
}

}  // namespace
}  // namespace semhash

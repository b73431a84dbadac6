// Image input below the commands: PNG and JPEG files written with libpng
// and libjpeg decode to the pixels written (every PNG colour type and
// depth, JPEG within its loss), EXIF orientation, bad files named, the
// area-averaging resize, the feature layout and the image lists.
#include "tools/images/image_decode.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "../engine/test_util.h"
#include "tests/tools/image_writer.h"
#include "tools/images/area_resize.h"
#include "tools/images/exif_orientation.h"
#include "tools/images/image_features.h"
#include "tools/images/image_list.h"

namespace semhash::images {
namespace {

using testing::MakePngSpec;
using testing::PngSpec;
using testing::TempDir;

std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> bytes(n);
  for (auto& b : bytes) b = uint8_t(rng());
  return bytes;
}

Picture Decode(const std::string& path) {
  Picture picture;
  const Status s = DecodeImageFile(path, &picture);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return picture;
}

TEST(ImageDecode, PngOfEightBitGreyAndRgbIsExact) {
  TempDir dir;
  for (int channels : {1, 3}) {
    const auto pixels = RandomBytes(13 * 7 * channels, channels);
    const std::string path = dir.Sub("p" + std::to_string(channels) + ".png");
    ASSERT_TRUE(testing::WritePng8(path, 13, 7, channels, pixels));
    const Picture got = Decode(path);
    EXPECT_EQ(got.width, 13);
    EXPECT_EQ(got.height, 7);
    EXPECT_EQ(got.channels, channels);
    EXPECT_EQ(got.pixels, pixels);
  }
}

TEST(ImageDecode, PngSixteenBitSamplesAreRoundedToEight) {
  TempDir dir;
  PngSpec spec = MakePngSpec(4, 1, PNG_COLOR_TYPE_GRAY, 16);
  const uint16_t samples[] = {0, 257 * 200, 65535, 257 * 100 + 128};
  for (uint16_t v : samples) {
    spec.rows.push_back(uint8_t(v >> 8));
    spec.rows.push_back(uint8_t(v));
  }
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("g16.png"), spec));
  const Picture got = Decode(dir.Sub("g16.png"));
  EXPECT_EQ(got.pixels, (std::vector<uint8_t>{0, 200, 255, 100}));
}

TEST(ImageDecode, PngFourBitGreyIsExpanded) {
  TempDir dir;
  PngSpec spec = MakePngSpec(4, 1, PNG_COLOR_TYPE_GRAY, 4);
  spec.rows = {0x0f, 0x7a};  // 0, 15, 7, 10.
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("g4.png"), spec));
  EXPECT_EQ(Decode(dir.Sub("g4.png")).pixels,
            (std::vector<uint8_t>{0, 255, 7 * 17, 10 * 17}));
}

TEST(ImageDecode, PngAlphaIsCompositedOntoWhite) {
  TempDir dir;
  PngSpec spec = MakePngSpec(2, 1, PNG_COLOR_TYPE_RGBA, 8);
  spec.rows = {10, 20, 30, 255, 0, 0, 0, 0};  // Opaque, then transparent.
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("rgba.png"), spec));
  const Picture got = Decode(dir.Sub("rgba.png"));
  EXPECT_EQ(got.channels, 3);
  EXPECT_EQ(got.pixels, (std::vector<uint8_t>{10, 20, 30, 255, 255, 255}));
  PngSpec ga = MakePngSpec(1, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8);
  ga.rows = {0, 128};  // Black at half opacity: 127 on white.
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("ga.png"), ga));
  EXPECT_EQ(Decode(dir.Sub("ga.png")).pixels, (std::vector<uint8_t>{127}));
}

TEST(ImageDecode, PngPaletteWithTransparency) {
  TempDir dir;
  PngSpec spec = MakePngSpec(3, 1, PNG_COLOR_TYPE_PALETTE, 8);
  spec.palette = {{200, 0, 0}, {0, 100, 0}, {1, 2, 3}};
  spec.palette_alpha = {255, 0};  // Entry 1 transparent, 2 opaque.
  spec.rows = {0, 1, 2};
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("pal.png"), spec));
  EXPECT_EQ(Decode(dir.Sub("pal.png")).pixels,
            (std::vector<uint8_t>{200, 0, 0, 255, 255, 255, 1, 2, 3}));
}

TEST(ImageDecode, PngInterlacedIsExact) {
  TempDir dir;
  PngSpec spec = MakePngSpec(9, 11, PNG_COLOR_TYPE_RGB, 8);
  spec.rows = RandomBytes(9 * 11 * 3, 4);
  spec.interlaced = true;
  ASSERT_TRUE(testing::WritePngFile(dir.Sub("adam7.png"), spec));
  EXPECT_EQ(Decode(dir.Sub("adam7.png")).pixels, spec.rows);
}

// A smooth picture (JPEG keeps it within a few levels at quality 95).
std::vector<uint8_t> Smooth(int w, int h, int channels) {
  std::vector<uint8_t> pixels;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        pixels.push_back(
            uint8_t(30 + 180 * (2 * x + y) / (2 * w + h) + 20 * c));
      }
    }
  }
  return pixels;
}

TEST(ImageDecode, JpegDecodesWithinItsLoss) {
  TempDir dir;
  for (int channels : {1, 3}) {
    const auto pixels = Smooth(32, 24, channels);
    const std::string path = dir.Sub("j" + std::to_string(channels) + ".jpg");
    ASSERT_TRUE(testing::WriteJpegFile(path, 32, 24, channels, pixels, 95));
    const Picture got = Decode(path);
    ASSERT_EQ(got.width, 32);
    ASSERT_EQ(got.height, 24);
    ASSERT_EQ(got.channels, channels);
    int worst = 0;
    for (size_t i = 0; i < pixels.size(); ++i) {
      worst = std::max(worst, std::abs(int(got.pixels[i]) - pixels[i]));
    }
    EXPECT_LE(worst, 4) << channels << " channels";
  }
}

TEST(ImageDecode, JpegIsDecodedSmallerWhenTheSidesAllowIt) {
  TempDir dir;
  const auto pixels = Smooth(64, 48, 3);
  ASSERT_TRUE(testing::WriteJpegFile(dir.Sub("big.jpg"), 64, 48, 3, pixels, 95,
                                     /*orientation=*/6));
  const std::vector<std::pair<int, int>> min_side_to_width = {
      {0, 48}, {40, 48}, {24, 24}, {12, 12}, {6, 6}, {1, 6}};
  for (const auto& [min_side, width] : min_side_to_width) {
    Picture picture;
    ASSERT_TRUE(DecodeImageFile(dir.Sub("big.jpg"), &picture, min_side).ok());
    // Orientation 6 stands the 64x48 picture up: 48 wide, 64 high.
    EXPECT_EQ(picture.width, width) << min_side;
    EXPECT_EQ(picture.height, width * 64 / 48) << min_side;
  }
  // The reduced decode is the picture's area average, within JPEG's loss.
  Picture full, eighth;
  ASSERT_TRUE(DecodeImageFile(dir.Sub("big.jpg"), &full).ok());
  ASSERT_TRUE(DecodeImageFile(dir.Sub("big.jpg"), &eighth, 6).ok());
  const std::vector<float> averaged = AreaResize(full, 6, 8);
  for (size_t i = 0; i < averaged.size(); ++i) {
    EXPECT_NEAR(eighth.pixels[i], averaged[i], 6) << i;
  }
}

TEST(ImageDecode, ApplyOrientationTurnsAsExifSays) {
  // 2x1 stored: a b. Orientation 6 (turn clockwise) stands it up: a above b.
  Picture stored{2, 1, 1, {1, 2}};
  const Picture cw = ApplyOrientation(stored, 6);
  EXPECT_EQ(cw.width, 1);
  EXPECT_EQ(cw.height, 2);
  EXPECT_EQ(cw.pixels, (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(ApplyOrientation(stored, 8).pixels, (std::vector<uint8_t>{2, 1}));
  // 2x2 stored: a b / c d.
  const Picture square{2, 2, 1, {1, 2, 3, 4}};
  const std::vector<std::vector<uint8_t>> upright = {
      {},           {1, 2, 3, 4}, {2, 1, 4, 3}, {4, 3, 2, 1}, {3, 4, 1, 2},
      {1, 3, 2, 4}, {3, 1, 4, 2}, {4, 2, 3, 1}, {2, 4, 1, 3}};
  for (int o = 1; o <= 8; ++o) {
    EXPECT_EQ(ApplyOrientation(square, o).pixels, upright[o]) << o;
  }
}

TEST(ImageDecode, JpegExifOrientationIsApplied) {
  TempDir dir;
  // Four flat 16x8 quadrants, so JPEG keeps each colour.
  const int w = 32, h = 16;
  std::vector<uint8_t> pixels(w * h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x)
      pixels[y * w + x] = (x < 16 ? 30 : 90) + (y < 8 ? 0 : 120);
  }
  ASSERT_TRUE(testing::WriteJpegFile(dir.Sub("o1.jpg"), w, h, 1, pixels, 90));
  const Picture stored = Decode(dir.Sub("o1.jpg"));
  for (int o = 2; o <= 8; ++o) {
    const std::string path = dir.Sub("o" + std::to_string(o) + ".jpg");
    ASSERT_TRUE(testing::WriteJpegFile(path, w, h, 1, pixels, 90, o));
    const Picture got = Decode(path);
    const Picture want = ApplyOrientation(stored, o);
    EXPECT_EQ(got.width, want.width) << o;
    EXPECT_EQ(got.pixels, want.pixels) << o;
  }
  // Orientation 6: the stored top-left quadrant (30) ends top-right.
  const Picture six = Decode(dir.Sub("o6.jpg"));
  EXPECT_EQ(six.width, 16);
  EXPECT_NEAR(six.at(15, 0, 0), 30, 3);
  EXPECT_NEAR(six.at(0, 0, 0), 150, 3);
}

TEST(ImageDecode, ExifOrientationReadsBothByteOrdersAndIgnoresDamage) {
  EXPECT_EQ(ExifOrientation(testing::ExifWithOrientation(6, true)), 6);
  EXPECT_EQ(ExifOrientation(testing::ExifWithOrientation(8, false)), 8);
  EXPECT_EQ(ExifOrientation(testing::ExifWithOrientation(9, true)), 1);
  std::string cut = testing::ExifWithOrientation(6, true);
  cut.resize(cut.size() - 12);
  EXPECT_EQ(ExifOrientation(cut), 1);
  EXPECT_EQ(ExifOrientation("Exif"), 1);
}

TEST(ImageDecode, BadFilesAreNamedWithTheirReason) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePng8(dir.Sub("ok.png"), 8, 8, 3,
                                 RandomBytes(8 * 8 * 3, 1)));
  ASSERT_TRUE(testing::WriteJpegFile(dir.Sub("ok.jpg"), 32, 24, 3,
                                     Smooth(32, 24, 3), 90));
  auto bytes_of = [&](const std::string& name) {
    std::ifstream in(dir.Sub(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string png = bytes_of("ok.png"), jpg = bytes_of("ok.jpg");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"cut.png", png.substr(0, png.size() / 2)},
      {"cut.jpg", jpg.substr(0, jpg.size() / 2)},
      {"noise.png", "\x89PNG\r\n\x1a\n" + std::string(200, '\x55')},
      {"text.jpg", "hello, I am not a picture"},
      {"empty.png", ""},
  };
  for (const auto& [name, contents] : bad) {
    std::ofstream(dir.Sub(name), std::ios::binary) << contents;
    Picture picture;
    const Status s = DecodeImageFile(dir.Sub(name), &picture);
    EXPECT_TRUE(s.IsInvalidArgument()) << name << ": " << s.ToString();
    EXPECT_NE(s.message().find(name), std::string::npos) << s.ToString();
  }
}

TEST(AreaResize, AveragesTheAreaEachOutputPixelCovers) {
  const Picture row{3, 1, 1, {0, 90, 180}};
  const auto two = AreaResize(row, 2, 1);
  EXPECT_FLOAT_EQ(two[0], 30);   // (0 + 90/2) / 1.5
  EXPECT_FLOAT_EQ(two[1], 150);  // (90/2 + 180) / 1.5
  const Picture square{
      4, 4, 1, {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60}};
  const auto half = AreaResize(square, 2, 2);
  EXPECT_EQ(half, (std::vector<float>{10, 18, 42, 50}));
  const Picture flat{7, 5, 3, std::vector<uint8_t>(7 * 5 * 3, 77)};
  for (int side : {1, 3, 7, 32}) {
    for (float v : AreaResize(flat, side, side)) EXPECT_NEAR(v, 77, 1e-3);
  }
}

TEST(ImageFeatures, ShapeComesFromTheDimension) {
  EXPECT_EQ(ShapeOfDim(784)->side, 28);
  EXPECT_EQ(ShapeOfDim(784)->channels, 1);
  EXPECT_EQ(ShapeOfDim(3072)->side, 32);
  EXPECT_EQ(ShapeOfDim(3072)->channels, 3);
  EXPECT_FALSE(ShapeOfDim(10).has_value());
  EXPECT_FALSE(ShapeOfDim(0).has_value());
}

TEST(ImageFeatures, ColourIsChannelMajorAndGreyIsLuma) {
  const Picture rgb{1, 2, 3, {10, 20, 30, 40, 50, 60}};
  float colour[6], grey[2];
  PictureFeatures(rgb, {1, 3}, colour);
  // 1x1 output: the mean of the two rows, per plane.
  EXPECT_FLOAT_EQ(colour[0], 25);
  EXPECT_FLOAT_EQ(colour[1], 35);
  EXPECT_FLOAT_EQ(colour[2], 45);
  const Picture tall{1, 2, 3, {10, 20, 30, 40, 50, 60}};
  float planes[12];
  PictureFeatures(tall, {2, 3}, planes);  // 2x2: columns repeat.
  EXPECT_FLOAT_EQ(planes[0], 10);         // R plane, top row.
  EXPECT_FLOAT_EQ(planes[2], 40);         // R plane, bottom row.
  EXPECT_FLOAT_EQ(planes[4], 20);         // G plane, top row.
  EXPECT_FLOAT_EQ(planes[11], 60);        // B plane, bottom row.
  PictureFeatures(rgb, {1, 1}, grey);
  EXPECT_NEAR(grey[0], 0.299 * 25 + 0.587 * 35 + 0.114 * 45, 1e-3);
}

TEST(ImageList, DirectoriesAreWalkedInNameOrder) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("b/c"));
  for (const char* name : {"z.png", "b/c/y.JPG", "b/a.jpeg", "notes.txt"}) {
    std::ofstream(dir.Sub(name)) << "x";
  }
  ImageList list;
  ASSERT_TRUE(ListImages(dir.path(), &list).ok());
  EXPECT_EQ(list.names,
            (std::vector<std::string>{"b/a.jpeg", "b/c/y.JPG", "z.png"}));
  EXPECT_EQ(list.PathOf(1), dir.Sub("b/c/y.JPG"));
  std::ofstream(dir.Sub("list.txt")) << "z.png\n\nb/a.jpeg\r\n";
  ASSERT_TRUE(ListImages(dir.Sub("list.txt"), &list).ok());
  EXPECT_EQ(list.names, (std::vector<std::string>{"z.png", "b/a.jpeg"}));
  EXPECT_EQ(list.PathOf(1), dir.Sub("b/a.jpeg"));
  std::ofstream(dir.Sub("twice.txt")) << "z.png\nz.png\n";
  const Status s = ListImages(dir.Sub("twice.txt"), &list);
  EXPECT_NE(s.message().find("lists z.png twice"), std::string::npos)
      << s.ToString();
}

TEST(ImageList, IdsArePinnedHashesOfTheNames) {
  // Changing the hash would give every stored image a new id on re-build.
  EXPECT_EQ(ImageId("photos/cat.jpg"), ImageId("photos/cat.jpg"));
  EXPECT_EQ(ImageId("a.png"), 0x7312fd6dc8c1eb8full)
      << std::hex << ImageId("a.png");
  EXPECT_LT(ImageId("b.png"), uint64_t{1} << 63);
}

}  // namespace
}  // namespace semhash::images

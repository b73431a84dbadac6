// The pictures the tools draw: PNG files are written, decoded back with
// libpng and checked pixel by pixel where the layout fixes the colour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "../engine/test_util.h"
#include "tests/tools/png_reader.h"
#include "tools/pictures/charts.h"
#include "tools/pictures/contact_sheet.h"
#include "tools/pictures/png_image.h"

namespace semhash::pictures {
namespace {

using testing::TempDir;

Image WriteAndRead(const Image& image, const std::string& path) {
  const Status s = WritePng(image, path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  Image back(0, 0);
  std::string error;
  EXPECT_TRUE(testing::ReadPng(path, &back, &error)) << error;
  return back;
}

Image ReadBack(const std::string& path) {
  Image image(0, 0);
  std::string error;
  EXPECT_TRUE(testing::ReadPng(path, &image, &error)) << error;
  return image;
}

// Heights of the runs of bar-coloured columns, left to right: the most bar
// pixels of any column of the run (a reference line may cross some columns).
std::vector<int> BarHeights(const Image& chart) {
  std::vector<int> heights;
  std::vector<int> column_heights(chart.width());
  for (int x = 0; x < chart.width(); ++x) {
    for (int y = 0; y < chart.height(); ++y) {
      column_heights[x] += chart.At(x, y) == kBarColor;
    }
  }
  for (int x = 0; x < chart.width();) {
    if (column_heights[x] == 0) {
      ++x;
      continue;
    }
    int height = 0;
    for (; x < chart.width() && column_heights[x] > 0; ++x) {
      height = std::max(height, column_heights[x]);
    }
    heights.push_back(height);
  }
  return heights;
}

// Whether any pixel of the w x h rectangle at (x, y) is not `background`.
bool AnyInk(const Image& image, int x, int y, int w, int h,
            Rgb background = kWhite) {
  for (int row = y; row < y + h; ++row) {
    for (int col = x; col < x + w; ++col) {
      if (!(image.At(col, row) == background)) return true;
    }
  }
  return false;
}

TEST(PngImage, RoundTripsEveryPixel) {
  TempDir dir;
  Image image(7, 5, {10, 20, 30});
  image.FillRect(1, 1, 3, 2, {200, 100, 0});
  image.Set(6, 4, {1, 2, 3});
  const Image back = WriteAndRead(image, dir.Sub("a.png"));
  ASSERT_EQ(back.width(), 7);
  ASSERT_EQ(back.height(), 5);
  EXPECT_EQ(back.pixels(), image.pixels());
  EXPECT_EQ(back.At(2, 2), (Rgb{200, 100, 0}));
  EXPECT_EQ(back.At(6, 4), (Rgb{1, 2, 3}));
  EXPECT_EQ(back.At(0, 0), (Rgb{10, 20, 30}));
}

TEST(PngImage, UnwritablePathIsIOErrorNamingIt) {
  TempDir dir;
  const Image image(4, 4);
  for (const std::string& path :
       {dir.Sub("missing/a.png"), dir.path() /* a directory */}) {
    const Status s = WritePng(image, path);
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  }
}

TEST(PngImage, DrawingClipsAtTheEdges) {
  Image image(4, 4);
  image.FillRect(-10, -10, 12, 12, kBlack);  // Covers (0,0)..(1,1).
  image.DrawFrame(2, 2, 6, 6, 1, {9, 9, 9});
  image.DrawText("W", 3, 3, 5, kBlack);
  image.Set(-1, 7, kBlack);
  EXPECT_EQ(image.At(1, 1), kBlack);
  EXPECT_EQ(image.At(2, 1), kWhite);
  EXPECT_EQ(image.At(2, 2), (Rgb{9, 9, 9}));
}

TEST(PngImage, BlitGrayEnlargesEachPixel) {
  const uint8_t gray[] = {0, 255, 128, 7};  // 2x2
  Image image(8, 8, {1, 1, 1});
  image.BlitGray(gray, 2, 2, 3, 1, 1);
  EXPECT_EQ(image.At(0, 0), (Rgb{1, 1, 1}));
  EXPECT_EQ(image.At(1, 1), kBlack);
  EXPECT_EQ(image.At(3, 3), kBlack);
  EXPECT_EQ(image.At(4, 1), kWhite);
  EXPECT_EQ(image.At(6, 3), kWhite);
  EXPECT_EQ(image.At(1, 4), (Rgb{128, 128, 128}));
  EXPECT_EQ(image.At(6, 6), (Rgb{7, 7, 7}));
  EXPECT_EQ(image.At(7, 7), (Rgb{1, 1, 1}));
}

TEST(PngImage, TextPaintsTheGlyphPixels) {
  EXPECT_EQ(TextWidth("d=12", 1), 23);
  EXPECT_EQ(TextWidth("d=12", 2), 46);
  EXPECT_EQ(TextHeight(3), 21);
  Image image(30, 9);
  image.DrawText("d=12", 1, 1, 1, kBlack);
  // 'd' has only its rightmost column lit in its top row.
  EXPECT_EQ(image.At(1, 1), kWhite);
  EXPECT_EQ(image.At(5, 1), kBlack);
  // '=' is two bars, rows 2 and 4 of the glyph, at x = 1 + 6.
  EXPECT_EQ(image.At(7, 3), kBlack);
  EXPECT_EQ(image.At(7, 4), kWhite);
  EXPECT_EQ(image.At(11, 5), kBlack);
  // '1': the top of its stem, column 2 of the third glyph.
  EXPECT_EQ(image.At(1 + 12 + 2, 1), kBlack);
  // Nothing below the glyphs.
  EXPECT_FALSE(AnyInk(image, 0, 8, 30, 1));
}

TEST(ContactSheet, FramesShowQueryAndRelevance) {
  TempDir dir;
  const SheetGeometry g{4, 3, 2};
  std::vector<uint8_t> query(12, 200), hit(12, 60), miss(12, 90);
  std::vector<SheetRow> rows(2);
  const auto result = [](const std::vector<uint8_t>& pixels, uint32_t distance,
                         std::optional<bool> relevant) {
    SheetResult r;
    r.pixels = pixels.data();
    r.distance = distance;
    r.relevant = relevant;
    return r;
  };
  rows[0].query_pixels = rows[1].query_pixels = query.data();
  rows[0].caption = "query 0";
  rows[0].results = {result(hit, 3, true), result(miss, 12, false)};
  rows[1].caption = "query 1";
  rows[1].results = {result(hit, 0, std::nullopt)};
  const std::string path = dir.Sub("sheet.png");
  ASSERT_TRUE(WritePng(RenderContactSheet(g, rows), path).ok());
  const Image sheet = ReadBack(path);

  const TileRect last = SheetTile(g, 1, 2);
  EXPECT_GT(sheet.width(), last.x + last.width);
  EXPECT_GT(sheet.height(), last.y + last.height);
  const struct {
    int row, column;
    Rgb frame;
    uint8_t gray;
  } tiles[] = {{0, 0, kQueryFrame, 200},
               {0, 1, kRelevantFrame, 60},
               {0, 2, kIrrelevantFrame, 90},
               {1, 0, kQueryFrame, 200},
               {1, 1, kUnjudgedFrame, 60}};
  for (const auto& t : tiles) {
    const TileRect tile = SheetTile(g, t.row, t.column);
    SCOPED_TRACE(std::to_string(t.row) + "," + std::to_string(t.column));
    EXPECT_EQ(tile.width, 4 * 2 + 2 * 2);
    EXPECT_EQ(tile.height, 3 * 2 + 2 * 2);
    EXPECT_EQ(sheet.At(tile.x, tile.y), t.frame);
    EXPECT_EQ(sheet.At(tile.x + tile.width - 1, tile.y + tile.height - 1),
              t.frame);
    EXPECT_EQ(sheet.At(tile.x + 2, tile.y + 2), (Rgb{t.gray, t.gray, t.gray}));
    // Its caption ("query 0", "d=3", ...) is drawn in the line above.
    EXPECT_TRUE(AnyInk(sheet, tile.x, tile.y - TextHeight(1) - 3, tile.width,
                       TextHeight(1)));
  }
  // No tile where row 1 has no result.
  const TileRect empty = SheetTile(g, 1, 2);
  EXPECT_EQ(sheet.At(empty.x, empty.y), kWhite);
}

TEST(Charts, HistogramBarHeightsAreProportionalToCounts) {
  TempDir dir;
  const std::string path = dir.Sub("hist.png");
  ASSERT_TRUE(
      WriteHistogramChart(
          {{"1", 100}, {"2", 50}, {"3-4", 25}, {"5-8", 0}, {"9+", 75}},
          {"Posting-list lengths", "images per address", "addresses", false},
          path)
          .ok());
  const Image chart = ReadBack(path);
  const std::vector<int> heights = BarHeights(chart);
  ASSERT_EQ(heights.size(), 4u);  // The empty bucket has no bar.
  // The axis ends at 100, so the largest bar fills the plot's 240 pixels.
  EXPECT_EQ(heights[0], 240);
  EXPECT_EQ(heights[1], 120);
  EXPECT_EQ(heights[2], 60);
  EXPECT_EQ(heights[3], 180);
  // The title is drawn, at twice the text size, in the top band.
  EXPECT_TRUE(AnyInk(chart, 0, 0, chart.width(), 30));
}

TEST(Charts, LogScaleKeepsSmallCountsVisible) {
  TempDir dir;
  const std::string path = dir.Sub("log.png");
  ASSERT_TRUE(
      WriteHistogramChart({{"a", 1}, {"b", 1000}}, {"t", "x", "y", true}, path)
          .ok());
  const std::vector<int> heights = BarHeights(ReadBack(path));
  ASSERT_EQ(heights.size(), 2u);
  EXPECT_EQ(heights[1], 240);
  EXPECT_EQ(heights[0],
            std::lround(240 * std::log10(2.0) / std::log10(1001.0)));
}

TEST(Charts, BitBalanceBarsAndReferenceLine) {
  TempDir dir;
  const std::string path = dir.Sub("bits.png");
  ASSERT_TRUE(WriteBitBalanceChart({1.0, 0.25, 0.0, 0.75}, path).ok());
  const Image chart = ReadBack(path);
  const std::vector<int> heights = BarHeights(chart);
  ASSERT_EQ(heights.size(), 3u);
  EXPECT_EQ(heights[0], 240);
  EXPECT_EQ(heights[1], 60);
  EXPECT_EQ(heights[2], 180);
  // The 0.5 line is one dashed row halfway up the full bar.
  int bar_top = -1, bar_bottom = -1, line = -1;
  for (int y = 0; y < chart.height(); ++y) {
    for (int x = 0; x < chart.width(); ++x) {
      if (chart.At(x, y) == kBarColor) {
        if (bar_top < 0) bar_top = y;
        bar_bottom = y;
      }
      if (chart.At(x, y) == kReferenceLineColor) {
        EXPECT_TRUE(line < 0 || line == y) << "second line at y " << y;
        line = y;
      }
    }
  }
  ASSERT_GE(line, 0);
  EXPECT_EQ(line, (bar_top + bar_bottom + 1) / 2);
}

TEST(Charts, BadInputIsRefusedAndWritesNothing) {
  TempDir dir;
  const std::string path = dir.Sub("bad.png");
  EXPECT_TRUE(WriteHistogramChart({}, {}, path).IsInvalidArgument());
  EXPECT_TRUE(WriteBitBalanceChart({}, path).IsInvalidArgument());
  EXPECT_TRUE(WriteBitBalanceChart({0.5, 1.5}, path).IsInvalidArgument());
  const Status nan =
      WriteBitBalanceChart({std::numeric_limits<double>::quiet_NaN()}, path);
  EXPECT_TRUE(nan.IsInvalidArgument());
  EXPECT_NE(nan.message().find("bit 0"), std::string::npos) << nan.ToString();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(WriteBitBalanceChart({0.5}, dir.Sub("no/dir.png")).IsIOError());
}

}  // namespace
}  // namespace semhash::pictures

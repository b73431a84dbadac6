// Contact sheet layout: a margin, then rows of tiles; each tile is a frame
// around the enlarged image, with its caption in the line above it, and the
// query's column stands a little apart from its results.
#include "tools/pictures/contact_sheet.h"

#include <algorithm>

namespace semhash::pictures {
namespace {

constexpr int kMargin = 10;
constexpr int kTileGap = 6;
constexpr int kQueryGap = 18;  // Extra space between a query and its results.
constexpr int kRowGap = 10;
constexpr int kCaptionGap = 3;  // Between a caption and the frame below it.
constexpr Rgb kCaptionColor{40, 40, 40};

int FrameThickness(const SheetGeometry& g) { return std::max(2, g.scale); }
int TextScale(const SheetGeometry& g) { return g.scale >= 4 ? 2 : 1; }
int CaptionHeight(const SheetGeometry& g) {
  return TextHeight(TextScale(g)) + kCaptionGap;
}
int NameHeight(const SheetGeometry& g) {
  return g.names ? CaptionHeight(g) : 0;
}

// The longest start of `name` that fits in `width` pixels, its end kept
// (a file name's end says most), with ".." before it when cut.
std::string Fit(const std::string& name, int width, int scale) {
  if (TextWidth(name, scale) <= width) return name;
  for (size_t cut = 1; cut < name.size(); ++cut) {
    const std::string shown = ".." + name.substr(cut);
    if (TextWidth(shown, scale) <= width) return shown;
  }
  return "";
}

}  // namespace

TileRect SheetTile(const SheetGeometry& g, int row, int column) {
  const int frame = FrameThickness(g);
  const int width = g.image_width * g.scale + 2 * frame;
  const int height = g.image_height * g.scale + 2 * frame;
  const int x =
      kMargin + column * (width + kTileGap) + (column > 0 ? kQueryGap : 0);
  const int y = kMargin +
                row * (CaptionHeight(g) + height + NameHeight(g) + kRowGap) +
                CaptionHeight(g);
  return {x, y, width, height};
}

Image RenderContactSheet(const SheetGeometry& g,
                         const std::vector<SheetRow>& rows) {
  size_t columns = 1;
  for (const SheetRow& row : rows) {
    columns = std::max(columns, row.results.size() + 1);
  }
  const TileRect last = SheetTile(g, int(rows.size()) - 1, int(columns) - 1);
  Image sheet(last.x + last.width + kMargin,
              std::max(last.y + last.height, 0) + NameHeight(g) + kMargin);
  const int frame = FrameThickness(g);
  const int text_scale = TextScale(g);
  auto draw_tile = [&](int row, int column, const uint8_t* pixels,
                       const std::string& caption, const std::string& name,
                       Rgb frame_color) {
    const TileRect tile = SheetTile(g, row, column);
    sheet.DrawText(caption, tile.x, tile.y - CaptionHeight(g), text_scale,
                   kCaptionColor);
    if (g.names) {
      sheet.DrawText(Fit(name, tile.width, text_scale), tile.x,
                     tile.y + tile.height + kCaptionGap, text_scale,
                     kCaptionColor);
    }
    sheet.DrawFrame(tile.x, tile.y, tile.width, tile.height, frame,
                    frame_color);
    if (g.rgb) {
      sheet.BlitRgb(pixels, g.image_width, g.image_height, g.scale,
                    tile.x + frame, tile.y + frame);
    } else {
      sheet.BlitGray(pixels, g.image_width, g.image_height, g.scale,
                     tile.x + frame, tile.y + frame);
    }
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    draw_tile(int(r), 0, rows[r].query_pixels, rows[r].caption,
              rows[r].query_name, kQueryFrame);
    for (size_t i = 0; i < rows[r].results.size(); ++i) {
      const SheetResult& result = rows[r].results[i];
      const Rgb color = !result.relevant.has_value() ? kUnjudgedFrame
                        : *result.relevant           ? kRelevantFrame
                                                     : kIrrelevantFrame;
      draw_tile(int(r), int(i) + 1, result.pixels,
                "d=" + std::to_string(result.distance), result.name, color);
    }
  }
  return sheet;
}

}  // namespace semhash::pictures

// A contact sheet of query results, as lecture slides on semantic hashing
// show them: one row per query, the query image first in a blue frame, then
// the images retrieved for it in rank order, each with its Hamming distance
// printed above it ("d=7"). When labels are known a retrieved image has a
// green frame if its label matches the query's and a red one if not. Tiles
// may carry a name (a file name), printed on a line below them.
//
// Thread safety: pure functions of their arguments.
#ifndef SEMHASH_TOOLS_PICTURES_CONTACT_SHEET_H_
#define SEMHASH_TOOLS_PICTURES_CONTACT_SHEET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/pictures/png_image.h"

namespace semhash::pictures {

inline constexpr Rgb kQueryFrame{30, 90, 200};
inline constexpr Rgb kRelevantFrame{0, 160, 60};
inline constexpr Rgb kIrrelevantFrame{210, 30, 30};
inline constexpr Rgb kUnjudgedFrame{200, 200, 200};

// Images are image_width x image_height pixels, row-major, gray bytes (0
// black) or with SheetGeometry::rgb three bytes each; the sheet does not
// own them.
struct SheetResult {
  const uint8_t* pixels = nullptr;
  uint32_t distance = 0;  // Hamming distance to the query.
  // Whether the label matches the query's; unset when labels are unknown.
  std::optional<bool> relevant;
  std::string name;  // Printed below the image when the geometry has names.
};

struct SheetRow {
  const uint8_t* query_pixels = nullptr;
  std::string caption;  // Printed above the query image, e.g. "query 3".
  std::vector<SheetResult> results;
  std::string query_name;  // Below the query image, as SheetResult::name.
};

// Every image of a sheet has the same size, drawn enlarged `scale` times.
struct SheetGeometry {
  int image_width = 28;
  int image_height = 28;
  int scale = 2;
  bool rgb = false;    // Pixels are RGB, not gray.
  bool names = false;  // A line below each tile for its name.
};

// The place of one framed image on the sheet: the top-left pixel and size of
// its frame. Column 0 is the query; column i > 0 its result of rank i.
struct TileRect {
  int x, y, width, height;
};
TileRect SheetTile(const SheetGeometry& geometry, int row, int column);

// Draws the sheet. It is wide enough for the longest row.
// REQUIRES: geometry.scale >= 1; !rows.empty(); no pixels pointer is null.
Image RenderContactSheet(const SheetGeometry& geometry,
                         const std::vector<SheetRow>& rows);

}  // namespace semhash::pictures

#endif  // SEMHASH_TOOLS_PICTURES_CONTACT_SHEET_H_

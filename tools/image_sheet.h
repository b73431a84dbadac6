// Contact sheets of image files (`query --sheet` with image queries,
// `dedup --sheet`): each row a head image (the query, or a group's first
// member) and the images found with it, drawn as thumbnails read from the
// files the database names, each with its distance above and its file name
// below (pictures/contact_sheet.h).
//
// A file that cannot be read (moved or deleted since the build, or no
// longer an image) is drawn as an empty tile named "missing", and said on
// stderr with where it was looked for; the sheet is still written.
//
// Thread safety: none needed; called on the command's thread.
#ifndef SEMHASH_TOOLS_IMAGE_SHEET_H_
#define SEMHASH_TOOLS_IMAGE_SHEET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash::cli {

struct SheetImage {
  std::string path;  // Where the file is read from.
  std::string name;  // Printed below it.
  uint32_t distance = 0;
};

struct SheetImageRow {
  std::string caption;  // Above the head image, e.g. "query 3".
  SheetImage head;
  std::vector<SheetImage> others;
};

// Thumbnails are at most this many pixels a side (aspect kept).
inline constexpr int kThumbnailSide = 64;

// Draws `rows` and writes the PNG to `out`, then says "wrote OUT" on stderr.
// REQUIRES: !rows.empty().
Status WriteImageSheet(const std::vector<SheetImageRow>& rows,
                       const std::string& out);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_IMAGE_SHEET_H_

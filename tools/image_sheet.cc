// Contact sheets of image files (see image_sheet.h).
#include "tools/image_sheet.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "tools/images/area_resize.h"
#include "tools/images/image_decode.h"
#include "tools/pictures/contact_sheet.h"

namespace semhash::cli {
namespace {

constexpr uint8_t kBackground = 235;

// The thumbnail of `image` (kThumbnailSide square RGB, the picture centred
// on a light background), or an empty one, with the problem on stderr.
std::vector<uint8_t> Thumbnail(const SheetImage& image, bool* missing) {
  constexpr int kSide = kThumbnailSide;
  std::vector<uint8_t> tile(kSide * kSide * 3, kBackground);
  images::Picture picture;
  std::error_code ec;
  if (!std::filesystem::exists(image.path, ec)) {
    std::cerr << "sheet: " << image.name << ": not found at " << image.path
              << " (moved or deleted since the build?)\n";
    *missing = true;
    return tile;
  }
  const Status s =
      images::DecodeImageFile(image.path, &picture, kThumbnailSide);
  if (!s.ok()) {
    std::cerr << "sheet: " << image.name << ": " << s.message() << "\n";
    *missing = true;
    return tile;
  }
  const double scale =
      std::min(double(kSide) / picture.width, double(kSide) / picture.height);
  const int w = std::clamp(int(std::lround(picture.width * scale)), 1, kSide);
  const int h = std::clamp(int(std::lround(picture.height * scale)), 1, kSide);
  const std::vector<float> small = images::AreaResize(picture, w, h);
  const int x0 = (kSide - w) / 2, y0 = (kSide - h) / 2;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float v = small[(size_t(y) * w + x) * picture.channels +
                              (picture.channels == 1 ? 0 : c)];
        tile[((size_t(y0 + y)) * kSide + x0 + x) * 3 + c] =
            uint8_t(std::lround(std::clamp(v, 0.0f, 255.0f)));
      }
    }
  }
  *missing = false;
  return tile;
}

}  // namespace

Status WriteImageSheet(const std::vector<SheetImageRow>& rows,
                       const std::string& out) {
  // Every tile's pixels, kept alive while the sheet is drawn.
  std::vector<std::vector<uint8_t>> tiles;
  std::vector<pictures::SheetRow> sheet(rows.size());
  size_t count = 0;
  for (const SheetImageRow& row : rows) count += 1 + row.others.size();
  tiles.reserve(count);
  auto add = [&](const SheetImage& image, std::string* name) {
    bool missing = false;
    tiles.push_back(Thumbnail(image, &missing));
    *name = missing ? "missing" : image.name;
    return tiles.back().data();
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    sheet[r].caption = rows[r].caption;
    sheet[r].query_pixels = add(rows[r].head, &sheet[r].query_name);
    for (const SheetImage& other : rows[r].others) {
      pictures::SheetResult result;
      result.distance = other.distance;
      result.pixels = add(other, &result.name);
      sheet[r].results.push_back(std::move(result));
    }
  }
  pictures::SheetGeometry geometry{kThumbnailSide, kThumbnailSide, 1};
  geometry.rgb = true;
  geometry.names = true;
  Status s =
      pictures::WritePng(pictures::RenderContactSheet(geometry, sheet), out);
  if (s.ok()) std::cerr << "wrote " << out << "\n";
  return s;
}

}  // namespace semhash::cli

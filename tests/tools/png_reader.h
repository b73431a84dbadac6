// Reads a PNG file back into a pictures::Image, for tests that check what
// the tools drew; libpng's simplified API converts any PNG to 8-bit RGB.
#ifndef SEMHASH_TESTS_TOOLS_PNG_READER_H_
#define SEMHASH_TESTS_TOOLS_PNG_READER_H_

#include <png.h>

#include <cstring>
#include <string>
#include <vector>

#include "tools/pictures/png_image.h"

namespace semhash::testing {

// False, with *error set, when `path` is not a readable PNG.
inline bool ReadPng(const std::string& path, pictures::Image* out,
                    std::string* error) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  std::vector<uint8_t> rgb;
  if (png_image_begin_read_from_file(&png, path.c_str())) {
    png.format = PNG_FORMAT_RGB;
    rgb.resize(PNG_IMAGE_SIZE(png));
    png_image_finish_read(&png, nullptr, rgb.data(), 0, nullptr);
  }
  if (PNG_IMAGE_FAILED(png)) {
    *error = png.message;
    png_image_free(&png);
    return false;
  }
  *out = pictures::Image(int(png.width), int(png.height));
  for (int y = 0; y < out->height(); ++y) {
    for (int x = 0; x < out->width(); ++x) {
      const uint8_t* p = &rgb[(size_t(y) * png.width + size_t(x)) * 3];
      out->Set(x, y, {p[0], p[1], p[2]});
    }
  }
  return true;
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_TOOLS_PNG_READER_H_

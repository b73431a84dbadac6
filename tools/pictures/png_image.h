// Image: an 8-bit RGB raster that the tools draw pictures into (contact
// sheets of query results, charts), with the few drawing primitives they
// need, and WritePng, which saves one as a PNG file through libpng.
//
// Coordinates are pixels, (0, 0) at the top left. Every drawing call clips to
// the image, so callers may draw partly or wholly outside it.
//
// Thread safety: an Image is a value; distinct images may be used from
// distinct threads, and one image from several threads only for reading.
#ifndef SEMHASH_TOOLS_PICTURES_PNG_IMAGE_H_
#define SEMHASH_TOOLS_PICTURES_PNG_IMAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"

namespace semhash::pictures {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

class Image {
 public:
  // A width x height image filled with `background`.
  // REQUIRES: width >= 0, height >= 0.
  Image(int width, int height, Rgb background = kWhite);

  int width() const { return width_; }
  int height() const { return height_; }
  // Rows of width * 3 bytes (red, green, blue), top row first.
  const std::vector<uint8_t>& pixels() const { return pixels_; }

  // REQUIRES: 0 <= x < width(), 0 <= y < height().
  Rgb At(int x, int y) const;
  // Paints one pixel; a point outside the image is ignored.
  void Set(int x, int y, Rgb color);

  // Paints the w x h rectangle whose top-left pixel is (x, y).
  void FillRect(int x, int y, int w, int h, Rgb color);
  // Paints a border `thickness` pixels wide along the inside of the w x h
  // rectangle whose top-left pixel is (x, y).
  void DrawFrame(int x, int y, int w, int h, int thickness, Rgb color);
  // Copies a grayscale patch of width x height bytes (row-major, 0 black,
  // 255 white) with its top-left pixel at (x, y), each of its pixels
  // enlarged to a scale x scale block. REQUIRES: scale >= 1.
  void BlitGray(const uint8_t* gray, int width, int height, int scale, int x,
                int y);
  // The same for an RGB patch of width x height pixels (3 bytes each).
  void BlitRgb(const uint8_t* rgb, int width, int height, int scale, int x,
               int y);
  // Draws `text` in the 5x7 bitmap font (bitmap_font.h) with the top-left
  // corner of its first character at (x, y), each font pixel a scale x scale
  // block. Only the glyphs' pixels are painted. REQUIRES: scale >= 1.
  void DrawText(std::string_view text, int x, int y, int scale, Rgb color);

 private:
  int width_;
  int height_;
  std::vector<uint8_t> pixels_;
};

// The size in pixels of `text` as Image::DrawText draws it at `scale`.
int TextWidth(std::string_view text, int scale);
int TextHeight(int scale);

// Writes `image` to `path` as an 8-bit RGB PNG, replacing any file there.
// IOError naming the path when the file cannot be created or written.
Status WritePng(const Image& image, const std::string& path);

}  // namespace semhash::pictures

#endif  // SEMHASH_TOOLS_PICTURES_PNG_IMAGE_H_

// Drawing into an RGB buffer, and PNG output through libpng, whose errors
// arrive by longjmp: they are caught by setjmp in one small function that
// owns no C++ objects, so no destructor is skipped, and become a Status.
#include "tools/pictures/png_image.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "tools/pictures/bitmap_font.h"

namespace semhash::pictures {

Image::Image(int width, int height, Rgb background)
    : width_(width), height_(height) {
  pixels_.reserve(size_t(width) * size_t(height) * 3);
  for (int i = 0; i < width * height; ++i) {
    pixels_.insert(pixels_.end(), {background.r, background.g, background.b});
  }
}

Rgb Image::At(int x, int y) const {
  const uint8_t* p = &pixels_[(size_t(y) * size_t(width_) + size_t(x)) * 3];
  return {p[0], p[1], p[2]};
}

void Image::Set(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  uint8_t* p = &pixels_[(size_t(y) * size_t(width_) + size_t(x)) * 3];
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void Image::FillRect(int x, int y, int w, int h, Rgb color) {
  const int x_end = std::min(width_, x + w), y_end = std::min(height_, y + h);
  for (int row = std::max(0, y); row < y_end; ++row) {
    for (int col = std::max(0, x); col < x_end; ++col) Set(col, row, color);
  }
}

void Image::DrawFrame(int x, int y, int w, int h, int thickness, Rgb color) {
  FillRect(x, y, w, thickness, color);
  FillRect(x, y + h - thickness, w, thickness, color);
  FillRect(x, y, thickness, h, color);
  FillRect(x + w - thickness, y, thickness, h, color);
}

void Image::BlitGray(const uint8_t* gray, int width, int height, int scale,
                     int x, int y) {
  for (int row = 0; row < height; ++row) {
    for (int col = 0; col < width; ++col) {
      const uint8_t v = gray[size_t(row) * size_t(width) + size_t(col)];
      FillRect(x + col * scale, y + row * scale, scale, scale, {v, v, v});
    }
  }
}

void Image::BlitRgb(const uint8_t* rgb, int width, int height, int scale, int x,
                    int y) {
  for (int row = 0; row < height; ++row) {
    for (int col = 0; col < width; ++col) {
      const uint8_t* p = &rgb[3 * (size_t(row) * size_t(width) + size_t(col))];
      FillRect(x + col * scale, y + row * scale, scale, scale,
               {p[0], p[1], p[2]});
    }
  }
}

void Image::DrawText(std::string_view text, int x, int y, int scale,
                     Rgb color) {
  for (char c : text) {
    const uint8_t* rows = GlyphRows(c);
    for (int row = 0; row < kGlyphHeight; ++row) {
      for (int col = 0; col < kGlyphWidth; ++col) {
        if ((rows[row] >> (kGlyphWidth - 1 - col)) & 1) {
          FillRect(x + col * scale, y + row * scale, scale, scale, color);
        }
      }
    }
    x += kGlyphAdvance * scale;
  }
}

int TextWidth(std::string_view text, int scale) {
  if (text.empty()) return 0;
  return (int(text.size()) * kGlyphAdvance - 1) * scale;
}

int TextHeight(int scale) { return kGlyphHeight * scale; }

namespace {

struct PngFailure {
  std::jmp_buf jump;
  char message[256] = "";
};

void OnPngError(png_structp png, png_const_charp message) {
  auto* failure = static_cast<PngFailure*>(png_get_error_ptr(png));
  std::snprintf(failure->message, sizeof failure->message, "%s", message);
  std::longjmp(failure->jump, 1);
}

void OnPngWarning(png_structp, png_const_charp) {}

// Encodes `rows` to `file`; false with failure->message set on a libpng
// error. Holds no object with a destructor, as longjmp would skip it.
bool EncodePng(std::FILE* file, int width, int height, png_bytep* rows,
               PngFailure* failure) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, failure,
                                            OnPngError, OnPngWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(failure->message, sizeof failure->message, "out of memory");
    return false;
  }
  if (setjmp(failure->jump)) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Status WritePng(const Image& image, const std::string& path) {
  std::vector<png_bytep> rows(size_t(image.height()));
  auto* data = const_cast<uint8_t*>(image.pixels().data());  // libpng reads.
  for (size_t y = 0; y < rows.size(); ++y) {
    rows[y] = data + y * size_t(image.width()) * 3;
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Status::IOError(path + ": cannot create: " + std::strerror(errno));
  }
  PngFailure failure;
  const bool encoded =
      EncodePng(file, image.width(), image.height(), rows.data(), &failure);
  const bool flushed = std::fflush(file) == 0 && !std::ferror(file);
  const int flush_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!encoded) return Status::IOError(path + ": " + failure.message);
  if (!flushed || !closed) {
    return Status::IOError(path + ": write failed: " +
                           std::strerror(flushed ? errno : flush_errno));
  }
  return Status::OK();
}

}  // namespace semhash::pictures

// Writes real PNG and JPEG files with libpng and libjpeg, the libraries
// semhash decodes them with, for the tests of image input: any PNG colour
// type and bit depth (with a palette and its transparency), and JPEGs with
// an optional EXIF Orientation tag.
#ifndef SEMHASH_TESTS_TOOLS_IMAGE_WRITER_H_
#define SEMHASH_TESTS_TOOLS_IMAGE_WRITER_H_

// jpeglib.h uses FILE and size_t without including their headers.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <png.h>

#include <string>
#include <vector>

namespace semhash::testing {

struct PngSpec {
  int width = 0, height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  // Samples as stored: 16-bit ones big-endian, sub-byte ones packed.
  std::vector<uint8_t> rows;
  std::vector<png_color> palette;
  std::vector<uint8_t> palette_alpha;  // tRNS for palette images.
  bool interlaced = false;
};

inline PngSpec MakePngSpec(int width, int height, int color_type,
                           int bit_depth) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.color_type = color_type;
  spec.bit_depth = bit_depth;
  return spec;
}

inline bool WritePngFile(const std::string& path, const PngSpec& spec) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth,
               spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), int(spec.palette.size()));
  }
  if (!spec.palette_alpha.empty()) {
    png_set_tRNS(png, info, spec.palette_alpha.data(),
                 int(spec.palette_alpha.size()), nullptr);
  }
  png_write_info(png, info);
  const size_t stride = spec.rows.size() / spec.height;
  std::vector<png_bytep> rows(spec.height);
  for (int y = 0; y < spec.height; ++y) {
    rows[y] = const_cast<uint8_t*>(&spec.rows[y * stride]);
  }
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::fclose(file) == 0;
}

// An 8-bit grey (channels 1) or RGB (channels 3) PNG of interleaved pixels.
inline bool WritePng8(const std::string& path, int width, int height,
                      int channels, const std::vector<uint8_t>& pixels) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.color_type = channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB;
  spec.rows = pixels;
  return WritePngFile(path, spec);
}

// The APP1 segment data of an EXIF block holding only Orientation (tag
// 0x0112, SHORT) in IFD0, little- or big-endian.
inline std::string ExifWithOrientation(int orientation, bool little) {
  auto u16 = [little](int v) {
    return little ? std::string{char(v & 255), char(v >> 8)}
                  : std::string{char(v >> 8), char(v & 255)};
  };
  auto u32 = [&](int v) {
    return little ? u16(v & 0xffff) + u16(v >> 16)
                  : u16(v >> 16) + u16(v & 0xffff);
  };
  return std::string("Exif\0\0", 6) + (little ? "II" : "MM") + u16(42) +
         u32(8) + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) +
         u16(0) + u32(0);
}

// A JPEG of interleaved grey or RGB pixels at `quality`, with an EXIF
// Orientation tag unless orientation is 0.
inline bool WriteJpegFile(const std::string& path, int width, int height,
                          int channels, const std::vector<uint8_t>& pixels,
                          int quality, int orientation = 0) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_compress(&info);
  jpeg_stdio_dest(&info, file);
  info.image_width = width;
  info.image_height = height;
  info.input_components = channels;
  info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  if (orientation != 0) {
    const std::string exif = ExifWithOrientation(orientation, true);
    jpeg_write_marker(&info, JPEG_APP0 + 1,
                      reinterpret_cast<const JOCTET*>(exif.data()),
                      unsigned(exif.size()));
  }
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(
        &pixels[size_t(info.next_scanline) * width * channels]);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return std::fclose(file) == 0;
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_TOOLS_IMAGE_WRITER_H_

// PNG decoding through libpng's progressive-free read API over a memory
// buffer (see image_decode.h). libpng reports errors by longjmp; nothing
// with a destructor lives between setjmp and the calls that may jump,
// except the output vector, which is only resized before them.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

#include "tools/images/image_decode.h"

namespace semhash::images {
namespace {

struct Reader {
  std::string_view bytes;
  size_t offset = 0;
  char error[200] = "";
};

void ReadBytes(png_structp png, png_bytep out, png_size_t n) {
  Reader* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (r->bytes.size() - r->offset < n) png_error(png, "file is truncated");
  std::memcpy(out, r->bytes.data() + r->offset, n);
  r->offset += n;
}

void OnError(png_structp png, png_const_charp message) {
  Reader* r = static_cast<Reader*>(png_get_io_ptr(png));
  std::snprintf(r->error, sizeof r->error, "%s", message);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}

// Flattens the decoded rows (grey, grey+alpha, RGB or RGBA) into *out.
void Flatten(const std::vector<uint8_t>& rows, int width, int height,
             int decoded_channels, Picture* out) {
  const bool alpha = decoded_channels == 2 || decoded_channels == 4;
  out->width = width;
  out->height = height;
  out->channels = alpha ? decoded_channels - 1 : decoded_channels;
  out->pixels.resize(size_t(width) * height * out->channels);
  const size_t n = size_t(width) * height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &rows[i * decoded_channels];
    for (int c = 0; c < out->channels; ++c) {
      out->pixels[i * out->channels + c] =
          alpha ? OnWhite(p[c], p[out->channels]) : p[c];
    }
  }
}

}  // namespace

Status DecodePng(std::string_view bytes, Picture* out) {
  Reader reader{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr,
                                           OnError, OnWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return Status::IOError("libpng: out of memory");
  }
  std::vector<uint8_t> rows;
  std::vector<png_bytep> row_pointers;
  int width = 0, height = 0, channels = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return Status::InvalidArgument(std::string("corrupt PNG: ") + reader.error);
  }
  png_set_read_fn(png, &reader, ReadBytes);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  png_set_scale_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  width = int(png_get_image_width(png, info));
  height = int(png_get_image_height(png, info));
  channels = png_get_channels(png, info);
  if (uint64_t(width) * height > kMaxImagePixels) {
    png_error(png, "too many pixels for semhash (over 2^28)");
  }
  const size_t stride = png_get_rowbytes(png, info);
  if (stride != size_t(width) * channels) png_error(png, "unexpected layout");
  rows.resize(stride * height);
  row_pointers.resize(height);
  for (int y = 0; y < height; ++y) row_pointers[y] = &rows[y * stride];
  png_read_image(png, row_pointers.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  Flatten(rows, width, height, channels, out);
  return Status::OK();
}

}  // namespace semhash::images

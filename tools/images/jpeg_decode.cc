// JPEG decoding through libjpeg over a memory buffer (see image_decode.h).
// libjpeg reports errors through error_exit, which longjmps back here; the
// decoder's state is a struct of plain data, and the output vector is
// declared before setjmp.

// jpeglib.h uses FILE and size_t without including their headers.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <string>
#include <vector>

#include "tools/images/exif_orientation.h"
#include "tools/images/image_decode.h"

namespace semhash::images {
namespace {

constexpr int kApp1 = JPEG_APP0 + 1;

struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr info) {
  ErrorManager* e = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, e->message);
  std::longjmp(e->jump, 1);
}

// Warnings (e.g. "premature end of data segment") would let a truncated
// file decode to a grey tail; treat them as the corruption they are.
void OnMessage(j_common_ptr info, int level) {
  if (level < 0) OnError(info);
}

// The orientation of the first APP1 "Exif" segment; 1 without one.
int OrientationOf(const jpeg_decompress_struct& info) {
  for (jpeg_saved_marker_ptr m = info.marker_list; m != nullptr; m = m->next) {
    if (m->marker != kApp1) continue;
    const std::string_view data(reinterpret_cast<const char*>(m->data),
                                m->data_length);
    if (data.starts_with(std::string_view("Exif\0\0", 6))) {
      return ExifOrientation(data);
    }
  }
  return 1;
}

// The largest of 1, 2, 4, 8 that keeps both sides of a width x height
// picture at least min_side (0: 1).
unsigned ScaleDenominator(unsigned width, unsigned height, int min_side) {
  unsigned denom = 1;
  while (min_side > 0 && denom < 8 &&
         std::min(width, height) / (2 * denom) >= unsigned(min_side)) {
    denom *= 2;
  }
  return denom;
}

}  // namespace

Status DecodeJpeg(std::string_view bytes, Picture* out, int min_side) {
  jpeg_decompress_struct info;
  ErrorManager error;
  info.err = jpeg_std_error(&error.pub);
  error.pub.error_exit = OnError;
  error.pub.emit_message = OnMessage;
  Picture stored;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    return Status::InvalidArgument(std::string("corrupt JPEG: ") +
                                   error.message);
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               bytes.size());
  jpeg_save_markers(&info, kApp1, 0xffff);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    std::snprintf(error.message, sizeof error.message,
                  "CMYK JPEGs are not supported");
    std::longjmp(error.jump, 1);
  }
  info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  info.scale_num = 1;
  info.scale_denom =
      ScaleDenominator(info.image_width, info.image_height, min_side);
  jpeg_start_decompress(&info);
  if (uint64_t(info.output_width) * info.output_height > kMaxImagePixels) {
    std::snprintf(error.message, sizeof error.message,
                  "too many pixels for semhash (over 2^28)");
    std::longjmp(error.jump, 1);
  }
  stored.width = int(info.output_width);
  stored.height = int(info.output_height);
  stored.channels = info.output_components;
  const size_t stride = size_t(stored.width) * stored.channels;
  stored.pixels.resize(stride * stored.height);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = &stored.pixels[info.output_scanline * stride];
    jpeg_read_scanlines(&info, &row, 1);
  }
  const int orientation = OrientationOf(info);
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  *out = ApplyOrientation(stored, orientation);
  return Status::OK();
}

}  // namespace semhash::images

// Decoding the image files users bring: PNG (libpng) and JPEG (libjpeg,
// Debian's libjpeg62-turbo), told apart by their first bytes, not by name.
//   PNG: 1/2/4/8/16-bit grey, grey+alpha, RGB, RGBA and palette (with its
//     transparency), interlaced or not; 16-bit samples are scaled to 8 bits
//     (rounded); alpha is composited onto white.
//   JPEG: grey and colour (YCbCr), baseline or progressive; the EXIF
//     Orientation tag (1-8) is applied, so the picture is upright as a
//     photo viewer shows it. CMYK/YCCK JPEGs are refused. Given a
//     `min_side`, a large JPEG is decoded at 1/2, 1/4 or 1/8 of its size
//     (libjpeg's DCT scaling, several times faster than a full decode)
//     when both sides stay at least min_side: a photo bound for 32x32
//     features or a thumbnail needs no more.
// Every failure is InvalidArgument (not an image, a truncated or corrupt
// file, with the library's message) or IOError (unreadable), naming the
// file.
//
// Thread safety: no shared state; any number of files may be decoded at
// once on distinct threads.
#ifndef SEMHASH_TOOLS_IMAGES_IMAGE_DECODE_H_
#define SEMHASH_TOOLS_IMAGES_IMAGE_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"
#include "tools/images/picture.h"

namespace semhash::images {

// The most pixels a decoded image may have (256 Mi; 768 MiB as RGB): a
// header claiming more is refused before memory is allocated for it.
inline constexpr uint64_t kMaxImagePixels = uint64_t{1} << 28;

// Decodes the file at `path`; `min_side` 0 decodes at full size. On
// failure *out is unspecified.
Status DecodeImageFile(const std::string& path, Picture* out, int min_side = 0);

// The decoders on bytes in memory (the file's contents), for the above and
// for tests.
Status DecodePng(std::string_view bytes, Picture* out);
Status DecodeJpeg(std::string_view bytes, Picture* out, int min_side = 0);

// Whether `name` ends in an image extension these decoders read (.png,
// .jpg, .jpeg, any case): how a directory walk picks its files.
bool HasImageExtension(std::string_view name);

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_IMAGE_DECODE_H_

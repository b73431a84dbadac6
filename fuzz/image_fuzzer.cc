// Fuzz target: the image decoders of tools/images (image_decode.h) and the
// EXIF orientation reader, on bytes in memory.
//
// Input: the bytes of a PNG or JPEG file (both decoders get every input),
// which also go to ExifOrientation as an APP1 segment's data.
//
// Invariants: a decoded picture is 1..2^28 pixels of 1 or 3 channels with
// exactly width x height x channels samples; the orientation is 1..8, and
// applying it keeps the samples and swaps the sides for 5..8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "tools/images/exif_orientation.h"
#include "tools/images/image_decode.h"

namespace semhash::fuzz {
namespace {

void CheckPicture(const images::Picture& p) {
  FUZZ_CHECK(p.width >= 1 && p.height >= 1);
  FUZZ_CHECK(uint64_t(p.width) * p.height <= images::kMaxImagePixels);
  FUZZ_CHECK(p.channels == 1 || p.channels == 3);
  FUZZ_CHECK(p.pixels.size() == size_t(p.width) * p.height * p.channels);
}

void CheckOrientation(std::string_view bytes, const images::Picture& p) {
  const int orientation = images::ExifOrientation(bytes);
  FUZZ_CHECK(orientation >= 1 && orientation <= 8);
  const images::Picture upright = images::ApplyOrientation(p, orientation);
  FUZZ_CHECK(upright.pixels.size() == p.pixels.size());
  FUZZ_CHECK(upright.width == (orientation >= 5 ? p.height : p.width));
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash;
  const fuzz::ExactBytes bytes = fuzz::Exact(fuzz::AsView(data, size));
  const std::string_view view = fuzz::AsView(bytes);
  images::Picture png, jpeg;
  if (images::DecodePng(view, &png).ok()) {
    fuzz::CheckPicture(png);
    fuzz::CheckOrientation(view, png);
  }
  if (images::DecodeJpeg(view, &jpeg).ok()) fuzz::CheckPicture(jpeg);
  fuzz::CheckOrientation(view, images::Picture{2, 1, 1, {1, 2}});
  return 0;
}

// Picture: a decoded image as the tools hold it between a file and a
// feature vector: 8-bit samples, one channel (grey) or three (red, green,
// blue), rows top first, interleaved. Decoders flatten alpha onto white and
// reduce 16-bit samples to 8 (rounding), so every later step sees one form.
//
// Thread safety: a value.
#ifndef SEMHASH_TOOLS_IMAGES_PICTURE_H_
#define SEMHASH_TOOLS_IMAGES_PICTURE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace semhash::images {

struct Picture {
  int width = 0;
  int height = 0;
  int channels = 0;             // 1 or 3.
  std::vector<uint8_t> pixels;  // height * width * channels.

  uint8_t at(int x, int y, int c) const {
    return pixels[(size_t(y) * width + x) * channels + c];
  }
};

// Alpha (0 transparent, 255 opaque) composited onto white, rounded.
inline uint8_t OnWhite(unsigned value, unsigned alpha) {
  return uint8_t((value * alpha + 255 * (255 - alpha) + 127) / 255);
}

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_PICTURE_H_

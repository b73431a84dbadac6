// EXIF orientation (see exif_orientation.h): a bounds-checked walk of IFD0's
// entries, in the byte order the TIFF header names.
#include "tools/images/exif_orientation.h"

#include <cstdint>

namespace semhash::images {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kShortType = 3;

class Tiff {
 public:
  Tiff(std::string_view bytes, bool little) : bytes_(bytes), little_(little) {}
  bool Has(size_t offset, size_t n) const {
    return offset <= bytes_.size() && n <= bytes_.size() - offset;
  }
  // REQUIRES: Has(offset, 2) (Has(offset, 4) for U32).
  uint32_t U16(size_t offset) const { return Read(offset, 2); }
  uint32_t U32(size_t offset) const { return Read(offset, 4); }

 private:
  uint32_t Read(size_t offset, int n) const {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      const uint32_t byte = uint8_t(bytes_[offset + i]);
      v |= little_ ? byte << (8 * i) : byte << (8 * (n - 1 - i));
    }
    return v;
  }
  std::string_view bytes_;
  bool little_;
};

}  // namespace

int ExifOrientation(std::string_view app1) {
  constexpr std::string_view kExif("Exif\0\0", 6);
  if (!app1.starts_with(kExif)) return 1;
  const std::string_view tiff_bytes = app1.substr(kExif.size());
  if (tiff_bytes.size() < 8) return 1;
  const bool little = tiff_bytes.starts_with("II");
  if (!little && !tiff_bytes.starts_with("MM")) return 1;
  const Tiff tiff(tiff_bytes, little);
  if (tiff.U16(2) != 42) return 1;
  const size_t ifd = tiff.U32(4);
  if (!tiff.Has(ifd, 2)) return 1;
  const size_t entries = tiff.U16(ifd);
  for (size_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + 12 * i;
    if (!tiff.Has(entry, 12)) return 1;
    if (tiff.U16(entry) != kOrientationTag) continue;
    if (tiff.U16(entry + 2) != kShortType) return 1;
    const uint32_t value = tiff.U16(entry + 8);
    return value >= 1 && value <= 8 ? int(value) : 1;
  }
  return 1;
}

Picture ApplyOrientation(const Picture& stored, int orientation) {
  if (orientation < 2 || orientation > 8) return stored;
  const bool swap = orientation >= 5;  // 5..8 exchange width and height.
  Picture out;
  out.width = swap ? stored.height : stored.width;
  out.height = swap ? stored.width : stored.height;
  out.channels = stored.channels;
  out.pixels.resize(stored.pixels.size());
  const int w = stored.width, h = stored.height;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = x, oy = y;  // Where stored (x, y) goes in the upright one.
      switch (orientation) {
        case 2:
          ox = w - 1 - x;
          break;
        case 3:
          ox = w - 1 - x;
          oy = h - 1 - y;
          break;
        case 4:
          oy = h - 1 - y;
          break;
        case 5:
          ox = y;
          oy = x;
          break;
        case 6:
          ox = h - 1 - y;
          oy = x;
          break;
        case 7:
          ox = h - 1 - y;
          oy = w - 1 - x;
          break;
        case 8:
          ox = y;
          oy = w - 1 - x;
          break;
      }
      for (int c = 0; c < stored.channels; ++c) {
        out.pixels[(size_t(oy) * out.width + ox) * out.channels + c] =
            stored.at(x, y, c);
      }
    }
  }
  return out;
}

}  // namespace semhash::images

// The EXIF Orientation tag of a JPEG (TIFF tag 0x0112 in IFD0 of the APP1
// "Exif" segment) and the transform that makes the stored picture upright:
// 1 as stored, 2 mirrored left-right, 3 turned 180 degrees, 4 mirrored
// top-bottom, 5 transposed, 6 turned 90 degrees clockwise, 7 transversed,
// 8 turned 90 degrees counter-clockwise (the values of EXIF 2.3, 4.6.4 A).
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_IMAGES_EXIF_ORIENTATION_H_
#define SEMHASH_TOOLS_IMAGES_EXIF_ORIENTATION_H_

#include <string_view>

#include "tools/images/picture.h"

namespace semhash::images {

// The orientation an APP1 segment's data ("Exif\0\0" then a TIFF header)
// records: 1..8, or 1 when it records none or is malformed (a photo with a
// damaged tag is shown as stored, as viewers do).
int ExifOrientation(std::string_view app1);

// The upright picture of one stored with `orientation` (1..8; others are 1).
Picture ApplyOrientation(const Picture& stored, int orientation);

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_EXIF_ORIENTATION_H_

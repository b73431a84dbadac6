// Area-averaging resize (a box filter with exact fractional coverage): each
// output pixel is the mean of the input area it covers, each input pixel
// weighted by the fraction of it inside that area. It neither aliases when
// shrinking (every input pixel counts, unlike nearest or bilinear sampling)
// nor blurs beyond the area when enlarging. The aspect ratio is not kept:
// the whole picture is stretched to the output size, as the "tiny images"
// features are made (Torralba, Fergus & Freeman, PAMI 2008).
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_IMAGES_AREA_RESIZE_H_
#define SEMHASH_TOOLS_IMAGES_AREA_RESIZE_H_

#include <vector>

#include "tools/images/picture.h"

namespace semhash::images {

// `in` resized to width x height, as floats in 0..255, interleaved like
// Picture. REQUIRES: in has pixels; width, height >= 1.
std::vector<float> AreaResize(const Picture& in, int width, int height);

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_AREA_RESIZE_H_

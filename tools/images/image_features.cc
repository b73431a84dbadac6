// Raw-pixel features (see image_features.h).
#include "tools/images/image_features.h"

#include <cmath>
#include <vector>

#include "tools/images/area_resize.h"

namespace semhash::images {
namespace {

std::optional<int> SquareRoot(size_t n) {
  const size_t root = size_t(std::llround(std::sqrt(double(n))));
  if (root == 0 || root * root != n) return std::nullopt;
  return int(root);
}

}  // namespace

std::string FeatureShape::ToString() const {
  return std::to_string(side) + "x" + std::to_string(side) +
         (channels == 1 ? " grey" : " colour");
}

std::optional<FeatureShape> ShapeOfDim(size_t dim) {
  if (const auto side = SquareRoot(dim)) return FeatureShape{*side, 1};
  if (dim % 3 == 0) {
    if (const auto side = SquareRoot(dim / 3)) return FeatureShape{*side, 3};
  }
  return std::nullopt;
}

void PictureFeatures(const Picture& picture, const FeatureShape& shape,
                     float* out) {
  const std::vector<float> resized =
      AreaResize(picture, shape.side, shape.side);
  const size_t plane = size_t(shape.side) * shape.side;
  const int c = picture.channels;
  for (size_t i = 0; i < plane; ++i) {
    const float* p = &resized[i * c];
    if (shape.channels == 1) {
      out[i] = c == 1 ? p[0] : 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
    } else {
      for (int ch = 0; ch < 3; ++ch) out[ch * plane + i] = p[c == 1 ? 0 : ch];
    }
  }
}

}  // namespace semhash::images

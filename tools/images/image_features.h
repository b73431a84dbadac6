// The built-in image features: raw pixels of the picture resized (area
// averaging, area_resize.h) to side x side, grey or colour, as float32
// values 0..255 laid out channel-major (all red, then all green, then all
// blue; grey is one plane), each plane row-major. A 28x28 grey feature is
// exactly a row of an IDX image file, so a database built from IDX images
// can be queried with PNG files, and a colour one is the 32x32 "tiny image"
// of the seeds. A TorchScript encoder receives the same vector (reshape it
// to [n, channels, side, side]).
//
// An encoder does not record the picture shape it was trained on, only its
// input dimension: images are square, and dim = side^2 (grey) or 3 side^2
// (colour) tells the two apart, since no square is three times a square.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_H_
#define SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_H_

#include <cstddef>
#include <optional>
#include <string>

#include "tools/images/picture.h"

namespace semhash::images {

struct FeatureShape {
  int side = 32;
  int channels = 3;  // 1 grey, 3 colour.

  size_t dim() const { return size_t(side) * side * channels; }
  // "32x32 colour" or "28x28 grey".
  std::string ToString() const;
};

// The shape whose dim() is `dim`, if there is one.
std::optional<FeatureShape> ShapeOfDim(size_t dim);

// Writes shape.dim() floats: `picture` resized and converted (colour to
// grey by ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B, as libjpeg
// makes grey; grey to colour by repeating the plane).
void PictureFeatures(const Picture& picture, const FeatureShape& shape,
                     float* out);

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_H_

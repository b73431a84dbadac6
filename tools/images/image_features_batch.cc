// Parallel decoding into features (see image_features_batch.h).
#include "tools/images/image_features_batch.h"

#include "tools/images/image_decode.h"

namespace semhash::images {
namespace {

// A JPEG is decoded at a reduced DCT scale only while it keeps this many
// times the feature's side: libjpeg's scaled decode is close to an area
// average but not equal to it, and the area averaging that follows must
// smooth the difference away, or a JPEG copy of a PNG would get other
// features (measured: at 1x, 8x8 features of 28x28 JPEG re-encodes moved
// far enough to halve the copies dedup finds; docs/quality.md).
constexpr int kDecodedSides = 2;

}  // namespace

void DecodeFeatures(const ImageList& list, const std::vector<size_t>& indexes,
                    const FeatureShape& shape, unsigned threads, float* out,
                    std::vector<Status>* statuses) {
  statuses->assign(indexes.size(), Status::OK());
  ParallelFor(indexes.size(), threads, [&](size_t k) {
    Picture picture;
    Status s = DecodeImageFile(list.PathOf(indexes[k]), &picture,
                               kDecodedSides * shape.side);
    if (s.ok()) PictureFeatures(picture, shape, out + k * shape.dim());
    (*statuses)[k] = std::move(s);
  });
}

}  // namespace semhash::images

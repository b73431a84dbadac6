// Parallel decoding into features (see image_features_batch.h).
#include "tools/images/image_features_batch.h"

#include "tools/images/image_decode.h"

namespace semhash::images {

void DecodeFeatures(const ImageList& list, const std::vector<size_t>& indexes,
                    const FeatureShape& shape, unsigned threads, float* out,
                    std::vector<Status>* statuses) {
  statuses->assign(indexes.size(), Status::OK());
  ParallelFor(indexes.size(), threads, [&](size_t k) {
    Picture picture;
    Status s = DecodeImageFile(list.PathOf(indexes[k]), &picture, shape.side);
    if (s.ok()) PictureFeatures(picture, shape, out + k * shape.dim());
    (*statuses)[k] = std::move(s);
  });
}

}  // namespace semhash::images

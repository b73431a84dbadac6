// Decoding many image files into features at once, on several threads: the
// step between an ImageList and an encoder that build, train and query
// share. Each thread decodes whole files; a file's failure is its own
// status and does not stop the others.
//
// Thread safety: each call uses its own threads and touches only its
// outputs.
#ifndef SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_BATCH_H_
#define SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_BATCH_H_

#include <cstddef>
#include <vector>

#include "semhash/status.h"
#include "tools/images/image_features.h"
#include "tools/images/image_list.h"

namespace semhash::images {

// Decodes the images `indexes` names (positions in `list`), large JPEGs at
// a reduced scale that keeps twice shape.side pixels a side
// (image_decode.h), into
// out[k * shape.dim()...] and (*statuses)[k], on `threads` threads (0: one
// per core). A failed image's features are left as they were.
void DecodeFeatures(const ImageList& list, const std::vector<size_t>& indexes,
                    const FeatureShape& shape, unsigned threads, float* out,
                    std::vector<Status>* statuses);

// Runs fn(i) for i in [0, n) on `threads` threads (0: one per core), each
// taking the next i as it finishes one.
template <typename Fn>
void ParallelFor(size_t n, unsigned threads, const Fn& fn);

}  // namespace semhash::images

#include "tools/images/parallel_for_inl.h"

#endif  // SEMHASH_TOOLS_IMAGES_IMAGE_FEATURES_BATCH_H_

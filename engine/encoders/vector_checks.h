// The check of the vectors a caller hands an encoder or a trainer
// (internal): every value finite, since a NaN or an infinity has no side of
// a hyperplane and no place in a PCA.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_VECTOR_CHECKS_H_
#define SEMHASH_ENGINE_ENCODERS_VECTOR_CHECKS_H_

#include <cstddef>

#include "semhash/status.h"

namespace semhash {

// OK if the `n` vectors of `dim` floats (row-major) are all finite;
// otherwise InvalidArgument naming the first bad value: "vector 3, value 1
// is not finite".
Status CheckFiniteVectors(size_t n, const float* vectors, size_t dim);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_VECTOR_CHECKS_H_

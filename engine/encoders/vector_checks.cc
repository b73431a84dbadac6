// The finiteness check of input vectors (see vector_checks.h).
#include "engine/encoders/vector_checks.h"

#include <cmath>
#include <string>

namespace semhash {

Status CheckFiniteVectors(size_t n, const float* vectors, size_t dim) {
  for (size_t i = 0; i < n * dim; ++i) {
    if (!std::isfinite(vectors[i])) {
      return Status::InvalidArgument("vector " + std::to_string(i / dim) +
                                     ", value " + std::to_string(i % dim) +
                                     " is not finite");
    }
  }
  return Status::OK();
}

}  // namespace semhash

// Encode's argument checks for the encoders made of two hashes (see
// hash_pair_encoder.h).
#include "engine/encoders/hash_pair_encoder.h"

#include <string>

#include "engine/encoders/vector_checks.h"

namespace semhash {

Status CheckEncodeArguments(size_t n, const float* vectors, size_t dim,
                            uint32_t input_dim, const Address* addresses,
                            const uint8_t* codes) {
  if (dim != input_dim) {
    return Status::InvalidArgument("vectors have dim " + std::to_string(dim) +
                                   ", the encoder expects " +
                                   std::to_string(input_dim));
  }
  if (n == 0) return Status::OK();
  if (vectors == nullptr || addresses == nullptr || codes == nullptr) {
    return Status::InvalidArgument("null vectors, addresses or codes");
  }
  return CheckFiniteVectors(n, vectors, dim);
}

}  // namespace semhash

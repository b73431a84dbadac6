// The checks of a loaded model's hashes (see model_checks.h).
#include "engine/encoders/model_checks.h"

#include <cmath>
#include <string>

#include "engine/encoders/encoder_bit_widths.h"

namespace semhash {

Status CheckHashShape(HashShape hash) {
  if (hash.bits == 0) return Status::Corruption("bits is 0");
  if (hash.input_dim == 0) return Status::Corruption("input_dim is 0");
  return Status::OK();
}

Status CheckFieldSize(const char* field, size_t actual, size_t expected) {
  if (actual == expected) return Status::OK();
  return Status::Corruption(std::string(field) + " has " +
                            std::to_string(actual) + " values, expected " +
                            std::to_string(expected));
}

Status CheckFieldFinite(const char* field, const std::vector<float>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Status::Corruption(std::string(field) + "[" + std::to_string(i) +
                                "] is not finite");
    }
  }
  return Status::OK();
}

Status CheckHashPairShapes(HashShape address, HashShape code) {
  if (!IsEncoderAddressWidth(address.bits)) {
    return Status::Corruption("address hash has " +
                              std::to_string(address.bits) +
                              " bits, not 1..32");
  }
  if (!IsCodeWidth(code.bits)) {
    return Status::Corruption("code hash has " + std::to_string(code.bits) +
                              " bits, not a multiple of 64 in 64..1024");
  }
  if (address.input_dim != code.input_dim) {
    return Status::Corruption(
        "address hash input_dim " + std::to_string(address.input_dim) +
        " differs from code hash input_dim " + std::to_string(code.input_dim));
  }
  return Status::OK();
}

Status CheckModelInputDim(uint32_t model_input_dim, uint32_t hash_input_dim) {
  if (model_input_dim == hash_input_dim) return Status::OK();
  return Status::Corruption(
      "model input_dim " + std::to_string(model_input_dim) +
      " differs from the hashes' input_dim " + std::to_string(hash_input_dim));
}

}  // namespace semhash

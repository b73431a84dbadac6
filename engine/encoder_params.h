// Canonical encoder parameters: the params() string of every trained encoder,
// persisted in the manifest and in the model as part of its identity.
//
//   lsh, pcah, sh   "sample=N,seed=S"
//   itq             "iterations=I,sample=N,seed=S"
//
// Keys are sorted and values are plain decimal, so equal options always give
// equal strings and a string has exactly one reading.
#ifndef SEMHASH_ENGINE_ENCODER_PARAMS_H_
#define SEMHASH_ENGINE_ENCODER_PARAMS_H_

#include <string>
#include <string_view>

#include "semhash/encoder.h"

namespace semhash {

std::string FormatEncoderParams(const EncoderOptions& options);

// Reads params written by FormatEncoderParams for `kind` into the matching
// fields of *options. Corruption if `params` is not in canonical form.
Status ParseEncoderParams(std::string_view kind, std::string_view params,
                          EncoderOptions* options);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODER_PARAMS_H_

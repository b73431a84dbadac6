// Canonical encoder parameters: the params() string of every trained encoder,
// persisted in the manifest and in the model as part of its identity.
//
//   lsh, pcah, sh   "sample=N,seed=S"
//   itq             "iterations=I,sample=N,seed=S"
//   autoencoder     "batch=B,epochs=E,hidden=W1-W2..,holdout=F,lr=F,
//                    patience=P,sample=N,seed=S,weight_decay=F"
//   ssdh            "alpha=F,batch=B,beta=F,epochs=E,gamma=F,hidden=W1-..,
//                    holdout=F,image=CxHxW,lr=F,patience=P,sample=N,seed=S,
//                    weight_decay=F"   (image=0x0x0: vectors, an MLP)
//   torchscript     "threshold=F"
//
// Keys are sorted, integers are plain decimal and floats (F) the shortest
// decimal that reads back to the same float (std::to_chars), so equal
// options always give equal strings and a string has exactly one reading.
// The deep kinds record the hidden widths they used: the defaults when
// none were given (DeepHiddenWidths). Threads and the progress callback
// are not part of the identity.
#ifndef SEMHASH_ENGINE_ENCODERS_ENCODER_PARAMS_H_
#define SEMHASH_ENGINE_ENCODERS_ENCODER_PARAMS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/encoder_training.h"

namespace semhash {

// options.deep.hidden, or the kind's default when it is empty: 512,256
// (autoencoder; ssdh on vectors), 256 (ssdh on images).
std::vector<uint32_t> DeepHiddenWidths(const EncoderOptions& options);

std::string FormatEncoderParams(const EncoderOptions& options);

// Reads params written by FormatEncoderParams for `kind` into the matching
// fields of *options. Corruption if `params` is not in canonical form.
Status ParseEncoderParams(std::string_view kind, std::string_view params,
                          EncoderOptions* options);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_ENCODER_PARAMS_H_

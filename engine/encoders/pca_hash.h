// The encoders whose hyperplanes come from a PCA of the training vectors,
// kinds "pcah" and "itq" (internal). Both train LinearEncoders
// (linear_encoder.h) with the PCA mean as the mean and thresholds 0; the
// address and the code are separate hashes of address_bits and code_bits
// bits, each made from that many leading principal directions W_c
// (dim x c):
//   pcah  bit j = sign of the projection on component j: weights W_c^T.
//   itq   the projection rotated by ITQ (itq.h) for the lowest quantisation
//         loss: weights (W_c R)^T, R from stream kItqAddressStream (address)
//         or kItqCodeStream (code) of options.seed.
// One bit per principal direction, so both need address_bits and
// code_bits <= dim.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_PCA_HASH_H_
#define SEMHASH_ENGINE_ENCODERS_PCA_HASH_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "semhash/encoder_training.h"

namespace semhash {

// Streams of DrawStandardNormals for ITQ's initial rotations, distinct from
// LSH's (lsh_encoder.h). Changing them changes what an "itq" seed means.
inline constexpr uint64_t kItqAddressStream = 3;
inline constexpr uint64_t kItqCodeStream = 4;

// Train on `n` vectors of `dim` floats, row-major. The encoder's kind is the
// function's, whatever options.kind says; its params() record the options
// that apply (encoder_params.h). InvalidArgument on n < 2, dim == 0,
// non-finite values, bit counts out of range (address 1..32, code a
// multiple of 64 in 64..1024) or above dim.
Status TrainPcahEncoder(const EncoderOptions& options, size_t n,
                        const float* vectors, size_t dim,
                        std::unique_ptr<Encoder>* out);
Status TrainItqEncoder(const EncoderOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_PCA_HASH_H_

// Random-hyperplane LSH (Charikar 2002), the encoder of kind "lsh": its
// trainer, and the portable normal sampler that draws its hyperplanes
// (internal). The trained encoder is a LinearEncoder (linear_encoder.h).
//
// The hyperplanes are drawn from the seed alone, identically on every
// platform with IEEE-754 double arithmetic (not x87 extended precision):
// DrawStandardNormals below. The address uses stream kLshAddressStream of the
// seed and the code stream kLshCodeStream, so the two are independent.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_LSH_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_LSH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "semhash/encoder_training.h"

namespace semhash {

inline constexpr uint64_t kLshAddressStream = 1;
inline constexpr uint64_t kLshCodeStream = 2;

// Trains LSH on `n` vectors of `dim` floats: the mean is estimated from them,
// the hyperplanes are drawn from options.seed alone. The encoder is of kind
// "lsh" whatever options.kind says; its params() record options.seed and
// options.training_sample ("sample=N,seed=S"). InvalidArgument on n == 0,
// dim == 0, non-finite values or bit counts out of range (address 1..32,
// code a multiple of 64 in 64..1024).
Status TrainLshEncoder(const EncoderOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out);

// Fills out[0, n) with standard normal samples from stream `stream` of
// `seed`: splitmix64 started at Mix64(seed ^ Mix64(stream)) (Mix64 being the
// splitmix64 output function), turned into normals by Marsaglia's polar
// method in double, each rounded to float. Only correctly rounded operations
// are used (+ - * / fma sqrt frexp; the logarithm is a series over them), so
// the output depends on nothing but (seed, stream, n). Changing any of this
// changes what an "lsh" seed means.
void DrawStandardNormals(uint64_t seed, uint64_t stream, size_t n, float* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_LSH_ENCODER_H_

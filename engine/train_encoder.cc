// TrainEncoder (semhash/encoder.h): checks the input, draws the training
// sample, and hands it to the trainer of the requested kind.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/lsh_encoder.h"
#include "engine/pca_hash.h"
#include "engine/spectral_encoder.h"
#include "semhash/encoder.h"

namespace semhash {
namespace {

Status CheckInput(size_t n, const float* vectors, size_t dim) {
  if (n == 0 || dim == 0 || vectors == nullptr) {
    return Status::InvalidArgument("no training vectors (" + std::to_string(n) +
                                   " of dimension " + std::to_string(dim) +
                                   ")");
  }
  for (size_t i = 0; i < n * dim; ++i) {
    if (!std::isfinite(vectors[i])) {
      return Status::InvalidArgument("training vector " +
                                     std::to_string(i / dim) +
                                     " has a non-finite "
                                     "value in column " +
                                     std::to_string(i % dim));
    }
  }
  return Status::OK();
}

// Rows chosen by a seeded partial Fisher-Yates shuffle, kept in input order.
// std::mt19937_64's output is fully specified, and the modulo reduction is
// plain arithmetic, so the sample is the same on every platform.
std::vector<float> SampleRows(size_t n, const float* vectors, size_t dim,
                              size_t sample, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < sample; ++i) {
    std::swap(order[i], order[i + rng() % (n - i)]);
  }
  order.resize(sample);
  std::sort(order.begin(), order.end());
  std::vector<float> rows(sample * dim);
  for (size_t i = 0; i < sample; ++i) {
    std::copy(vectors + order[i] * dim, vectors + (order[i] + 1) * dim,
              rows.begin() + i * dim);
  }
  return rows;
}

}  // namespace

Status TrainEncoder(const EncoderOptions& options, size_t n,
                    const float* vectors, size_t dim,
                    std::unique_ptr<Encoder>* out) {
  Status s = CheckInput(n, vectors, dim);
  if (!s.ok()) return s;
  std::vector<float> sample;
  if (options.training_sample != 0 && options.training_sample < n) {
    sample = SampleRows(n, vectors, dim, options.training_sample, options.seed);
    vectors = sample.data();
    n = options.training_sample;
  }
  if (options.kind == kLshEncoder) {
    return TrainLshEncoder(options, n, vectors, dim, out);
  }
  if (options.kind == kPcahEncoder) {
    return TrainPcahEncoder(options, n, vectors, dim, out);
  }
  if (options.kind == kItqEncoder) {
    return TrainItqEncoder(options, n, vectors, dim, out);
  }
  if (options.kind == kSpectralEncoder) {
    return TrainSpectralEncoder(options, n, vectors, dim, out);
  }
  return Status::InvalidArgument("unknown encoder kind '" + options.kind +
                                 "' (known: lsh, pcah, itq, sh)");
}

}  // namespace semhash

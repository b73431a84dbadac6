// TrainEncoder (semhash/encoder.h): checks the input, draws the training
// sample, and hands it to the trainer of the requested kind.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/lsh_encoder.h"
#include "engine/encoders/pca_hash.h"
#include "engine/encoders/spectral_encoder.h"
#include "semhash/encoder_training.h"

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

// Labels for ssdh: one per vector, each below 2^16.
Status CheckLabels(size_t n, const uint32_t* labels) {
  if (labels == nullptr) {
    return Status::InvalidArgument("ssdh needs a class label per vector");
  }
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] > 0xffff) {
      return Status::InvalidArgument("label " + std::to_string(labels[i]) +
                                     " of vector " + std::to_string(i) +
                                     " is above 65535");
    }
  }
  return Status::OK();
}

// Rows chosen by a seeded partial Fisher-Yates shuffle, kept in input order.
// std::mt19937_64's output is fully specified, and the modulo reduction is
// plain arithmetic, so the sample is the same on every platform.
std::vector<size_t> SampleRowIndices(size_t n, size_t sample, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < sample; ++i) {
    std::swap(order[i], order[i + rng() % (n - i)]);
  }
  order.resize(sample);
  std::sort(order.begin(), order.end());
  return order;
}

template <typename T>
std::vector<T> GatherRows(const std::vector<size_t>& rows, const T* values,
                          size_t width) {
  std::vector<T> gathered(rows.size() * width);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy(values + rows[i] * width, values + (rows[i] + 1) * width,
              gathered.begin() + i * width);
  }
  return gathered;
}

}  // namespace

Status TrainEncoder(const EncoderOptions& options, size_t n,
                    const float* vectors, size_t dim,
                    std::unique_ptr<Encoder>* out) {
  return TrainEncoder(options, n, vectors, dim, nullptr, out);
}

Status TrainEncoder(const EncoderOptions& options, size_t n,
                    const float* vectors, size_t dim, const uint32_t* labels,
                    std::unique_ptr<Encoder>* out) {
  Status s = CheckInput(n, vectors, dim);
  if (!s.ok()) return s;
  if (options.kind == kSsdhEncoder) s = CheckLabels(n, labels);
  if (!s.ok()) return s;
  std::vector<float> sample;
  std::vector<uint32_t> sample_labels;
  if (options.training_sample != 0 && options.training_sample < n) {
    const std::vector<size_t> rows =
        SampleRowIndices(n, options.training_sample, options.seed);
    sample = GatherRows(rows, vectors, dim);
    vectors = sample.data();
    if (labels != nullptr) {
      sample_labels = GatherRows(rows, labels, 1);
      labels = sample_labels.data();
    }
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
  if (options.kind == kAutoencoderEncoder) {
    return TrainAutoencoderEncoder(options, n, vectors, dim, out);
  }
  if (options.kind == kSsdhEncoder) {
    return TrainSsdhEncoder(options, n, vectors, dim, labels, out);
  }
  if (options.kind == kTorchScriptEncoder) {
    return MakeTorchScriptEncoder(options, n, vectors, dim, out);
  }
  return Status::InvalidArgument(
      "unknown encoder kind '" + options.kind +
      "' (known: lsh, pcah, itq, sh, autoencoder, ssdh, torchscript)");
}

}  // namespace semhash

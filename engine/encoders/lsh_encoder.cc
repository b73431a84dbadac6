// Random-hyperplane LSH: training and the portable normal sampler that draws
// its hyperplanes (see lsh_encoder.h).
#include "engine/encoders/lsh_encoder.h"

#include <cmath>
#include <vector>

#include "engine/encoders/linear_encoder.h"
#include "engine/encoders/linear_hash.h"

namespace semhash {
namespace {

constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

// The splitmix64 output function (Steele, Lea and Flood 2014).
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() { return Mix64(state_ += kGoldenGamma); }

  // Uniform in [-1, 1), a multiple of 2^-52 (computed exactly).
  double NextSigned() {
    return std::ldexp(static_cast<double>(Next() >> 11), -52) - 1.0;
  }

 private:
  uint64_t state_;
};

// Natural logarithm of x > 0 from exactly rounded operations only, so that it
// gives the same bits on every IEEE-754 platform (std::log need not). The
// multiply-adds are explicit std::fma calls: a compiler may not fuse or split
// them, whatever its -ffp-contract setting.
double PortableLog(double x) {
  constexpr double kLn2 = 0.6931471805599453;
  constexpr double kSqrtHalf = 0.7071067811865476;
  constexpr int kLastTerm = 10;  // z^22 / 23 < 2^-53 for |z| < 0.172.
  int exponent = 0;
  double m = std::frexp(x, &exponent);  // x = m * 2^exponent, m in [0.5, 1).
  if (m < kSqrtHalf) {
    m *= 2;
    --exponent;
  }
  // log(m) = 2 atanh(z) = 2 z sum_k z^2k / (2k + 1), z = (m - 1) / (m + 1).
  const double z = (m - 1) / (m + 1);
  const double z2 = z * z;
  double series = 0;
  for (int k = kLastTerm; k >= 0; --k) {
    series = std::fma(series, z2, 1.0 / (2 * k + 1));
  }
  return std::fma(static_cast<double>(exponent), kLn2, (2 * z) * series);
}

// The column means of n x dim row-major vectors, summed in double.
std::vector<float> ColumnMeans(size_t n, const float* vectors, size_t dim) {
  std::vector<double> sums(dim, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < dim; ++k) sums[k] += vectors[i * dim + k];
  }
  std::vector<float> means(dim);
  for (size_t k = 0; k < dim; ++k) {
    means[k] = static_cast<float>(sums[k] / static_cast<double>(n));
  }
  return means;
}

LinearHash RandomHyperplanes(uint64_t seed, uint64_t stream, uint32_t bits,
                             const std::vector<float>& mean) {
  LinearHash hash;
  hash.bits = bits;
  hash.input_dim = static_cast<uint32_t>(mean.size());
  hash.mean = mean;
  hash.weights.resize(size_t{bits} * mean.size());
  DrawStandardNormals(seed, stream, hash.weights.size(), hash.weights.data());
  hash.thresholds.assign(bits, 0.0f);
  return hash;
}

}  // namespace

void DrawStandardNormals(uint64_t seed, uint64_t stream, size_t n, float* out) {
  SplitMix64 rng(Mix64(seed ^ Mix64(stream)));
  size_t i = 0;
  while (i < n) {
    // Marsaglia's polar method: (u, v) uniform in the unit disc, minus 0.
    const double u = rng.NextSigned();
    const double v = rng.NextSigned();
    const double s = std::fma(u, u, v * v);
    if (s >= 1.0 || s == 0.0) continue;
    const double scale = std::sqrt(-2.0 * PortableLog(s) / s);
    out[i++] = static_cast<float>(u * scale);
    if (i < n) out[i++] = static_cast<float>(v * scale);
  }
}

Status TrainLshEncoder(const EncoderOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out) {
  out->reset();
  Status s = CheckLinearTraining(options, /*min_vectors=*/1, n, vectors, dim);
  if (!s.ok()) return s;
  const std::vector<float> mean = ColumnMeans(n, vectors, dim);
  *out = NewLinearEncoder(
      kLshEncoder, options,
      RandomHyperplanes(options.seed, kLshAddressStream, options.address_bits,
                        mean),
      RandomHyperplanes(options.seed, kLshCodeStream, options.code_bits, mean));
  return Status::OK();
}

}  // namespace semhash

// Random-hyperplane LSH: training, encoding and the portable normal sampler
// that draws its hyperplanes (see lsh_encoder.h).
#include "engine/lsh_encoder.h"

#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "engine/encoder_model.h"

namespace semhash {
namespace {

constexpr uint32_t kMinLshAddressBits = 1;
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

Status CheckTrainArguments(const LshOptions& options, size_t n,
                           const float* vectors, size_t dim) {
  if (n == 0) return Status::InvalidArgument("no training vectors (n == 0)");
  if (dim == 0) return Status::InvalidArgument("dim is 0");
  if (vectors == nullptr) return Status::InvalidArgument("vectors is null");
  if (options.address_bits < kMinLshAddressBits ||
      options.address_bits > kMaxAddressBits) {
    return Status::InvalidArgument("address_bits " +
                                   std::to_string(options.address_bits) +
                                   " is not in 1..32");
  }
  if (options.code_bits % 64 != 0 || options.code_bits < kMinCodeBits ||
      options.code_bits > kMaxCodeBits) {
    return Status::InvalidArgument("code_bits " +
                                   std::to_string(options.code_bits) +
                                   " is not a multiple of 64 in 64..1024");
  }
  // The model must fit in one FlatBuffer (< 2 GiB): the weights and both
  // means take floats_per_dim floats per input dimension, and 64 KiB is left
  // for the thresholds and the framing.
  constexpr size_t kMaxModelBytes = (size_t{1} << 31) - (size_t{1} << 16);
  const size_t floats_per_dim = options.address_bits + options.code_bits + 2;
  if (dim > kMaxModelBytes / sizeof(float) / floats_per_dim) {
    return Status::InvalidArgument("dim " + std::to_string(dim) +
                                   " makes the model larger than 2 GiB");
  }
  return CheckFiniteVectors(n, vectors, dim);
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

std::string FormatLshParams(uint64_t seed) {
  return "seed=" + std::to_string(seed);
}

Status ParseLshParams(std::string_view params, uint64_t* seed) {
  constexpr std::string_view kPrefix = "seed=";
  uint64_t value = 0;
  if (params.starts_with(kPrefix)) {
    const char* first = params.data() + kPrefix.size();
    const char* last = params.data() + params.size();
    const auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc() && end == last &&
        FormatLshParams(value) == params) {
      *seed = value;
      return Status::OK();
    }
  }
  return Status::Corruption("lsh params '" + std::string(params) +
                            "' are not of the form seed=<uint64>");
}

Status CheckLshHashes(const LinearHash& address, const LinearHash& code) {
  Status s = CheckLinearHash(address).WithContext("address hash");
  if (s.ok()) s = CheckLinearHash(code).WithContext("code hash");
  if (!s.ok()) return s;
  if (address.bits < kMinLshAddressBits || address.bits > kMaxAddressBits) {
    return Status::Corruption("address hash has " +
                              std::to_string(address.bits) +
                              " bits, not 1..32");
  }
  if (code.bits % 64 != 0 || code.bits < kMinCodeBits ||
      code.bits > kMaxCodeBits) {
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

LshEncoder::LshEncoder(uint64_t seed, LinearHash address, LinearHash code)
    : params_(FormatLshParams(seed)),
      address_(std::move(address)),
      code_(std::move(code)) {}

Status LshEncoder::Encode(size_t n, const float* vectors, size_t dim,
                          Address* addresses, uint8_t* codes) const {
  if (dim != input_dim()) {
    return Status::InvalidArgument("vectors have dim " + std::to_string(dim) +
                                   ", the encoder expects " +
                                   std::to_string(input_dim()));
  }
  if (n == 0) return Status::OK();
  if (vectors == nullptr || addresses == nullptr || codes == nullptr) {
    return Status::InvalidArgument("null vectors, addresses or codes");
  }
  Status s = CheckFiniteVectors(n, vectors, dim);
  if (!s.ok()) return s;
  address_.EncodeToAddresses(n, vectors, addresses);
  code_.EncodeToCodes(n, vectors, codes);
  return Status::OK();
}

std::string LshEncoder::Serialize() const {
  return SerializeLinearModel(kind_, params_, address_.hash(), code_.hash());
}

Status TrainLshEncoder(const LshOptions& options, size_t n,
                       const float* vectors, size_t dim,
                       std::unique_ptr<Encoder>* out) {
  out->reset();
  Status s = CheckTrainArguments(options, n, vectors, dim);
  if (!s.ok()) return s;
  const std::vector<float> mean = ColumnMeans(n, vectors, dim);
  *out = std::make_unique<LshEncoder>(
      options.seed,
      RandomHyperplanes(options.seed, kLshAddressStream, options.address_bits,
                        mean),
      RandomHyperplanes(options.seed, kLshCodeStream, options.code_bits, mean));
  return Status::OK();
}

}  // namespace semhash

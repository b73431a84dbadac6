// Spectral hashing: mode selection, training, the guarded encoding and the
// persisted model of kind "sh" (see spectral_encoder.h).
#include "engine/encoders/spectral_encoder.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoders/block_encoding.h"
#include "engine/encoders/encoder_params.h"
#include "engine/encoders/fb_convert.h"
#include "engine/encoders/linear_encoder.h"
#include "engine/encoders/model_checks.h"
#include "engine/encoders/pca.h"

namespace semhash {
namespace {

// Rows projected at a time when measuring the training ranges.
constexpr size_t kTrainingBlockRows = 4096;

// The sign of sin(pi/2 + k*pi*u/R) = cos(pi*t), t = k*u/R, read from t
// modulo 2 (std::fmod is exact): positive iff t mod 2 is in [0, 0.5) or
// (1.5, 2). `margin` is the distance from the projection to the nearest zero
// crossing, in projection units; NaN (so never trusted) if t is not finite.
struct Phase {
  bool bit;
  double margin;
};

Phase PhaseAt(double p, double lower, double range, uint32_t k) {
  const double t = k * (p - lower) / range;
  double s = std::fmod(t, 2.0);
  if (s < 0) s += 2.0;
  const double to_crossing = std::min(std::abs(s - 0.5), std::abs(s - 1.5));
  return {s < 0.5 || s > 1.5, to_crossing * range / k};
}

// Bit j of row i of a block projected on the hash's components. The float
// projection p decides when every zero crossing is farther than twice its
// error bound (plus the phase's own double rounding): then the exact
// projection and the double one of ExactProjection are both on p's side of
// every crossing. Otherwise the double projection decides.
class PhaseRule {
 public:
  PhaseRule(const SpectralHash& hash, const std::vector<double>& ranges)
      : hash_(hash), ranges_(ranges) {}

  bool operator()(const ProjectedBlock& block, size_t i, uint32_t j) const {
    const uint32_t direction = hash_.direction[j];
    const uint32_t k = hash_.mode[j];
    const double lower = hash_.lower[direction];
    const double range = ranges_[direction];
    const float p = block.projection(i, direction);
    if (std::isfinite(p)) {
      const Phase phase = PhaseAt(p, lower, range, k);
      const double slack = block.error_bound(i, direction);
      const double rounding = std::ldexp(std::abs(p - lower) + range, -40);
      if (phase.margin > 2 * slack + rounding) return phase.bit;
    }
    return PhaseAt(block.ExactProjection(i, direction), lower, range, k).bit;
  }

 private:
  const SpectralHash& hash_;
  const std::vector<double>& ranges_;
};

Status CheckSizes(const SpectralHash& hash) {
  const size_t bits = hash.bits;
  const size_t dim = hash.input_dim;
  const size_t npca = std::min(bits, dim);
  Status s = CheckFieldSize("mean", hash.mean.size(), dim);
  if (s.ok()) {
    s = CheckFieldSize("components", hash.components.size(), npca * dim);
  }
  if (s.ok()) s = CheckFieldSize("lower", hash.lower.size(), npca);
  if (s.ok()) s = CheckFieldSize("upper", hash.upper.size(), npca);
  if (s.ok()) s = CheckFieldSize("direction", hash.direction.size(), bits);
  if (s.ok()) s = CheckFieldSize("mode", hash.mode.size(), bits);
  return s;
}

Status CheckValues(const SpectralHash& hash) {
  Status s = CheckFieldFinite("mean", hash.mean);
  if (s.ok()) s = CheckFieldFinite("components", hash.components);
  if (s.ok()) s = CheckFieldFinite("lower", hash.lower);
  if (s.ok()) s = CheckFieldFinite("upper", hash.upper);
  if (!s.ok()) return s;
  for (size_t i = 0; i < hash.npca(); ++i) {
    if (!(hash.upper[i] > hash.lower[i])) {
      return Status::Corruption("upper[" + std::to_string(i) + "] " +
                                std::to_string(hash.upper[i]) +
                                " is not above lower[" + std::to_string(i) +
                                "] " + std::to_string(hash.lower[i]));
    }
  }
  return Status::OK();
}

Status CheckModes(const SpectralHash& hash) {
  for (size_t j = 0; j < hash.bits; ++j) {
    const std::string at = "[" + std::to_string(j) + "] is ";
    if (hash.direction[j] >= hash.npca()) {
      return Status::Corruption(
          "direction" + at + std::to_string(hash.direction[j]) +
          ", not below npca " + std::to_string(hash.npca()));
    }
    if (hash.mode[j] < 1 || hash.mode[j] > hash.bits) {
      return Status::Corruption("mode" + at + std::to_string(hash.mode[j]) +
                                ", not in 1.." + std::to_string(hash.bits));
    }
  }
  return Status::OK();
}

// The smallest and largest training projection on each direction of `pca`.
struct ProjectionBounds {
  std::vector<float> min;
  std::vector<float> max;
};

ProjectionBounds MeasureBounds(const Pca& pca, size_t n, const float* vectors) {
  const size_t k = pca.k();
  ProjectionBounds bounds{
      std::vector<float>(k, std::numeric_limits<float>::infinity()),
      std::vector<float>(k, -std::numeric_limits<float>::infinity())};
  std::vector<float> projected(std::min(n, kTrainingBlockRows) * k);
  for (size_t first = 0; first < n; first += kTrainingBlockRows) {
    const size_t rows = std::min(kTrainingBlockRows, n - first);
    ProjectPca(pca, rows, vectors + first * pca.dim, projected.data());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < k; ++i) {
        bounds.min[i] = std::min(bounds.min[i], projected[r * k + i]);
        bounds.max[i] = std::max(bounds.max[i], projected[r * k + i]);
      }
    }
  }
  return bounds;
}

// The hash of `bits` bits on the first min(bits, dim) directions of `pca`
// (trainSH.m steps 2 to 4). The bounds are widened by one float step, the
// float counterpart of the reference's min - eps and max + eps, so that
// upper > lower even on a direction without spread.
Status FitSpectralHash(const Pca& pca, const ProjectionBounds& bounds,
                       uint32_t bits, SpectralHash* out) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const size_t npca = std::min<size_t>(bits, pca.dim);
  bool spread = false;
  for (size_t i = 0; i < npca; ++i) spread |= bounds.max[i] > bounds.min[i];
  if (!spread) {
    return Status::InvalidArgument(
        "the training vectors do not vary along any of the top " +
        std::to_string(npca) + " principal directions");
  }
  SpectralHash hash;
  hash.bits = bits;
  hash.input_dim = static_cast<uint32_t>(pca.dim);
  hash.mean = pca.mean;
  hash.components.assign(pca.components.begin(),
                         pca.components.begin() + npca * pca.dim);
  std::vector<double> ranges(npca);
  for (size_t i = 0; i < npca; ++i) {
    hash.lower.push_back(std::nextafter(bounds.min[i], -kInf));
    hash.upper.push_back(std::nextafter(bounds.max[i], kInf));
    ranges[i] = double{hash.upper[i]} - double{hash.lower[i]};
  }
  for (const SpectralMode& m : SelectSpectralModes(ranges, bits)) {
    hash.direction.push_back(m.direction);
    hash.mode.push_back(m.mode);
  }
  // Only values near FLT_MAX get here: their projections overflow.
  const Status s = CheckSpectralHash(hash);
  if (!s.ok()) {
    return Status::InvalidArgument("training values too large: " + s.message());
  }
  *out = std::move(hash);
  return Status::OK();
}

flatbuffers::Offset<fb::SpectralHash> BuildSpectralHash(
    flatbuffers::FlatBufferBuilder* builder, const SpectralHash& hash) {
  const auto mean = builder->CreateVector(hash.mean);
  const auto components = builder->CreateVector(hash.components);
  const auto lower = builder->CreateVector(hash.lower);
  const auto upper = builder->CreateVector(hash.upper);
  const auto direction = builder->CreateVector(hash.direction);
  const auto mode = builder->CreateVector(hash.mode);
  return fb::CreateSpectralHash(*builder, hash.bits, hash.input_dim, mean,
                                components, lower, upper, direction, mode);
}

Status ReadSpectralHash(const fb::SpectralHash* in, const char* field,
                        SpectralHash* out) {
  if (in == nullptr) {
    return Status::Corruption(std::string(field) + " is missing");
  }
  out->bits = in->bits();
  out->input_dim = in->input_dim();
  out->mean = ReadVector(in->mean());
  out->components = ReadVector(in->components());
  out->lower = ReadVector(in->lower());
  out->upper = ReadVector(in->upper());
  out->direction = ReadVector(in->direction());
  out->mode = ReadVector(in->mode());
  return Status::OK();
}

}  // namespace

std::vector<SpectralMode> SelectSpectralModes(const std::vector<double>& ranges,
                                              uint32_t bits) {
  // (k / R_i, i, k): the eigenvalue (k * pi / R_i)^2 is increasing in k / R_i,
  // and a rounded quotient depends only on the exact one, so exact ties stay
  // ties and fall to the direction, then the mode.
  using Candidate = std::tuple<double, uint32_t, uint32_t>;
  const double widest = *std::max_element(ranges.begin(), ranges.end());
  std::vector<Candidate> candidates;
  for (uint32_t i = 0; i < ranges.size(); ++i) {
    const double max_mode = std::ceil((bits + 1.0) * ranges[i] / widest);
    for (uint32_t k = 1; k < max_mode; ++k) {
      candidates.emplace_back(k / ranges[i], i, k);
    }
  }
  std::partial_sort(candidates.begin(), candidates.begin() + bits,
                    candidates.end());
  std::vector<SpectralMode> modes(bits);
  for (uint32_t j = 0; j < bits; ++j) {
    modes[j] = {std::get<1>(candidates[j]), std::get<2>(candidates[j])};
  }
  return modes;
}

Status CheckSpectralHash(const SpectralHash& hash) {
  Status s = CheckHashShape({hash.bits, hash.input_dim});
  if (s.ok()) s = CheckSizes(hash);
  if (s.ok()) s = CheckValues(hash);
  if (s.ok()) s = CheckModes(hash);
  return s;
}

SpectralHashEncoder::SpectralHashEncoder(SpectralHash hash)
    : hash_(std::move(hash)),
      ranges_(hash_.npca()),
      component_slack_(DirectionSlack(hash_.components, hash_.input_dim)) {
  for (size_t i = 0; i < hash_.npca(); ++i) {
    ranges_[i] = double{hash_.upper[i]} - double{hash_.lower[i]};
  }
}

void SpectralHashEncoder::EncodeToCodes(size_t n, const float* vectors,
                                        uint8_t* codes) const {
  ProjectedBlock block(hash_.mean, hash_.components, component_slack_);
  EncodeBlocksToCodes(&block, hash_.bits, PhaseRule(hash_, ranges_), n, vectors,
                      codes);
}

void SpectralHashEncoder::EncodeToAddresses(size_t n, const float* vectors,
                                            Address* addresses) const {
  ProjectedBlock block(hash_.mean, hash_.components, component_slack_);
  EncodeBlocksToAddresses(&block, hash_.bits, PhaseRule(hash_, ranges_), n,
                          vectors, addresses);
}

SpectralEncoder::SpectralEncoder(std::string params, SpectralHash address,
                                 SpectralHash code)
    : HashPairEncoder(kSpectralEncoder, std::move(params), std::move(address),
                      std::move(code)) {}

std::string SpectralEncoder::Serialize() const {
  return SerializeSpectralModel(params(), address().hash(), code().hash());
}

Status TrainSpectralEncoder(const EncoderOptions& options, size_t n,
                            const float* vectors, size_t dim,
                            std::unique_ptr<Encoder>* out) {
  out->reset();
  // Spectral hashing needs what every PCA-based linear trainer checks.
  Status s = CheckLinearTraining(options, /*min_vectors=*/2, n, vectors, dim);
  if (!s.ok()) return s;
  // One fit serves both hashes: the address's directions are the first ones
  // of the code's, exactly as a fit of fewer components would give them.
  Pca pca;
  s = FitPca(
      n, vectors, dim,
      std::min<size_t>(std::max(options.address_bits, options.code_bits), dim),
      &pca);
  if (!s.ok()) return s;
  const ProjectionBounds bounds = MeasureBounds(pca, n, vectors);
  SpectralHash address;
  SpectralHash code;
  s = FitSpectralHash(pca, bounds, options.address_bits, &address);
  if (s.ok()) s = FitSpectralHash(pca, bounds, options.code_bits, &code);
  if (!s.ok()) return s;
  EncoderOptions identity = options;
  identity.kind = kSpectralEncoder;
  *out = std::make_unique<SpectralEncoder>(FormatEncoderParams(identity),
                                           std::move(address), std::move(code));
  return Status::OK();
}

std::string SerializeSpectralModel(std::string_view params,
                                   const SpectralHash& address,
                                   const SpectralHash& code) {
  flatbuffers::FlatBufferBuilder builder(
      sizeof(float) * (address.components.size() + code.components.size()) +
      1024);
  // The hashes go first: FlatBuffers fills the buffer from its end, so it
  // ends with address.mean's last float rather than a string's padding, and
  // cutting even one byte fails verification.
  const auto address_offset = BuildSpectralHash(&builder, address);
  const auto code_offset = BuildSpectralHash(&builder, code);
  const auto kind = builder.CreateString(kSpectralEncoder);
  const auto params_offset = builder.CreateString(params.data(), params.size());
  fb::FinishEncoderModelBuffer(
      builder, fb::CreateEncoderModel(builder, kind, params_offset,
                                      address.input_dim, /*address=*/0,
                                      /*code=*/0, address_offset, code_offset));
  return FinishedBytes(builder);
}

Status LoadSpectralModel(const fb::EncoderModel& model,
                         std::unique_ptr<Encoder>* out) {
  out->reset();
  if (model.address() != nullptr || model.code() != nullptr) {
    return Status::Corruption("an sh model has a linear address or code hash");
  }
  const std::string_view params = ReadString(model.params());
  EncoderOptions options;
  SpectralHash address;
  SpectralHash code;
  Status s = ParseEncoderParams(kSpectralEncoder, params, &options);
  if (s.ok()) {
    s = ReadSpectralHash(model.spectral_address(), "spectral_address",
                         &address);
  }
  if (s.ok()) {
    s = ReadSpectralHash(model.spectral_code(), "spectral_code", &code);
  }
  if (s.ok()) s = CheckHashPair(address, code, CheckSpectralHash);
  if (s.ok()) s = CheckModelInputDim(model.input_dim(), address.input_dim);
  if (!s.ok()) return s;
  *out = std::make_unique<SpectralEncoder>(std::string(params),
                                           std::move(address), std::move(code));
  return Status::OK();
}

}  // namespace semhash

// Tests for spectral hashing, kind "sh" (engine/encoders/spectral_encoder.cc):
// mode selection and encoding against hand computations, the double-precision
// definition of the bits, batching, and the persisted model's checks.
#include "engine/encoders/spectral_encoder.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoders/fb_convert.h"
#include "semhash/codes.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::Encode;
using testing::Encoded;
using testing::ExpectLoadCorruption;
using testing::kInf;
using testing::kNaN;
using testing::LoadOrDie;

// n x dim standard normal values, from the stream these tests have always
// drawn from, so that the counts they check stay as measured.
std::vector<float> Gaussian(size_t n, size_t dim, uint64_t seed) {
  return testing::Gaussian(n, dim, seed, 0.0f, /*stream=*/77);
}

EncoderOptions ShOptions(uint32_t address_bits, uint32_t code_bits) {
  return testing::MakeOptions(kSpectralEncoder, address_bits, code_bits);
}

std::unique_ptr<Encoder> Train(const EncoderOptions& options,
                               const std::vector<float>& x, size_t dim) {
  return testing::TrainOrDie(TrainSpectralEncoder, options, x, dim);
}

std::vector<SpectralMode> ModesOf(const fb::SpectralHash& hash) {
  std::vector<SpectralMode> modes;
  for (uint32_t j = 0; j < hash.bits(); ++j) {
    modes.push_back({hash.direction()->Get(j), hash.mode()->Get(j)});
  }
  return modes;
}

// Ranges 4 and 1 (in that order, or swapped): direction "wide" has modes at
// k/4, direction "narrow" at k/1, so every fifth mode is the narrow one's,
// after the wide one's mode of equal eigenvalue.
std::vector<SpectralMode> HandModes4To1(uint32_t wide, uint32_t narrow,
                                        uint32_t bits) {
  std::vector<SpectralMode> modes;
  for (uint32_t group = 0; modes.size() < bits; ++group) {
    for (uint32_t k = 4 * group + 1; k <= 4 * group + 4; ++k) {
      modes.push_back({wide, k});
    }
    modes.push_back({narrow, group + 1});
  }
  modes.resize(bits);
  return modes;
}

// One direction of a 1-D input: p = x - 1, lower -1, upper 3, so the phase
// is t = k * x / 4. Modes 1..bits.
SpectralHash OneDirectionHash(uint32_t bits) {
  SpectralHash hash{bits, 1, {1}, {1}, {-1}, {3}, {}, {}};
  for (uint32_t j = 0; j < bits; ++j) {
    hash.direction.push_back(0);
    hash.mode.push_back(j + 1);
  }
  return hash;
}

std::string OneDirectionModel() {
  return SerializeSpectralModel("sample=0,seed=7", OneDirectionHash(4),
                                OneDirectionHash(64));
}

// A hash with random (non-orthogonal) components on `dim` inputs, random
// bounds, and modes up to `bits` spread over the directions.
SpectralHash RandomHash(uint32_t bits, uint32_t dim, uint64_t seed) {
  const uint32_t npca = std::min(bits, dim);
  SpectralHash hash{
      bits, dim, Gaussian(1, dim, seed), Gaussian(npca, dim, seed + 1), {}, {},
      {},   {}};
  const std::vector<float> offsets = Gaussian(2, npca, seed + 2);
  for (uint32_t i = 0; i < npca; ++i) {
    hash.lower.push_back(-3 - std::abs(offsets[i]));
    hash.upper.push_back(3 + std::abs(offsets[npca + i]));
  }
  for (uint32_t j = 0; j < bits; ++j) {
    hash.direction.push_back(j % npca);
    hash.mode.push_back(1 + (j * 37) % bits);
  }
  return hash;
}

// The specification (docs/format.md): p in double in index order over the
// float differences x - mean, and the sign of cos(pi * t) read from t mod 2.
bool SpecBit(const SpectralHash& hash, const float* x, uint32_t j) {
  const uint32_t i = hash.direction[j];
  const float* w = &hash.components[size_t{i} * hash.input_dim];
  double p = 0;
  for (uint32_t d = 0; d < hash.input_dim; ++d) {
    p += double{w[d]} * double{x[d] - hash.mean[d]};
  }
  const double range = double{hash.upper[i]} - double{hash.lower[i]};
  const double t = hash.mode[j] * (p - hash.lower[i]) / range;
  double s = std::fmod(t, 2.0);
  if (s < 0) s += 2.0;
  return s < 0.5 || s > 1.5;
}

Encoded SpecEncode(const SpectralHash& address, const SpectralHash& code,
                   const std::vector<float>& x) {
  const size_t n = x.size() / address.input_dim;
  Encoded out{std::vector<Address>(n, 0),
              std::vector<uint8_t>(n * code.bits / 8, 0)};
  for (size_t r = 0; r < n; ++r) {
    const float* row = &x[r * address.input_dim];
    for (uint32_t j = 0; j < address.bits; ++j) {
      out.addresses[r] = (out.addresses[r] << 1) | SpecBit(address, row, j);
    }
    for (uint32_t j = 0; j < code.bits; ++j) {
      out.codes[r * code.bits / 8 + j / 8] |= SpecBit(code, row, j)
                                              << (7 - j % 8);
    }
  }
  return out;
}

// Moves each vector so that its projection for one bit of `hash` lands on a
// zero crossing (up to float rounding), where the float product's rounding
// could decide the sign. Returns how many land within 1e-4 of it, well
// inside the encoder's rounding guard.
size_t MoveOntoCrossings(const SpectralHash& hash, std::vector<float>* x) {
  const uint32_t dim = hash.input_dim;
  size_t close = 0;
  for (size_t r = 0; r < x->size() / dim; ++r) {
    float* row = &(*x)[r * dim];
    const uint32_t j = static_cast<uint32_t>(r % hash.bits);
    const uint32_t i = hash.direction[j];
    const double k = hash.mode[j];
    const float* w = &hash.components[size_t{i} * dim];
    const double range = double{hash.upper[i]} - double{hash.lower[i]};
    double p = 0, norm2 = 0;
    for (uint32_t d = 0; d < dim; ++d) {
      p += double{w[d]} * (row[d] - hash.mean[d]);
      norm2 += double{w[d]} * w[d];
    }
    const double t = k * (p - hash.lower[i]) / range;
    const double target = std::floor(t) + 0.5;
    const double p_target = hash.lower[i] + target * range / k;
    const double step = (p_target - p) / norm2;
    for (uint32_t d = 0; d < dim; ++d) {
      row[d] = static_cast<float>(row[d] + step * w[d]);
    }
    p = 0;
    for (uint32_t d = 0; d < dim; ++d) {
      p += double{w[d]} * (row[d] - hash.mean[d]);
    }
    close += std::abs(p - p_target) < 1e-4;
  }
  return close;
}

// Four points on the axes of a 3-D space: projections span 4 on the first
// principal direction, 1 on the second and 0 on the third.
std::vector<float> AxisPoints() {
  return {-2, 0, 0, 2, 0, 0, 0, -0.5f, 0, 0, 0.5f, 0};
}

TEST(SpectralModes, HandComputedForRanges4And1) {
  // omega / pi = k / R: 0.25, 0.5, 0.75, then 1 for both (0,4) and (1,1),
  // the lower direction first; then 1.25, 1.5, 1.75. Direction 1 offers
  // k < ceil(9 * 1 / 4) = 3.
  const std::vector<SpectralMode> expected = {{0, 1}, {0, 2}, {0, 3}, {0, 4},
                                              {1, 1}, {0, 5}, {0, 6}, {0, 7}};
  EXPECT_EQ(SelectSpectralModes({4, 1}, 8), expected);
  EXPECT_EQ(SelectSpectralModes({4, 1}, 8), HandModes4To1(0, 1, 8));
  EXPECT_EQ(SelectSpectralModes({4, 1}, 64), HandModes4To1(0, 1, 64));
}

TEST(SpectralModes, TiesFallToTheLowerDirection) {
  // The wide direction is now 1: at omega / pi = 1, (0,1) precedes (1,4).
  const std::vector<SpectralMode> expected = {{1, 1}, {1, 2}, {1, 3}, {0, 1},
                                              {1, 4}, {1, 5}, {1, 6}, {1, 7}};
  EXPECT_EQ(SelectSpectralModes({1, 4}, 8), expected);
}

TEST(SpectralModes, ExactTiesBetweenNonDyadicRanges) {
  // k / 3 against k / 2: 1/3, 1/2, 2/3, then 1 = 3/3 = 2/2 (a tie that
  // floating-point omega^2 would break at random), 4/3, 3/2, 5/3.
  const std::vector<SpectralMode> expected = {{0, 1}, {1, 1}, {0, 2}, {0, 3},
                                              {1, 2}, {0, 4}, {1, 3}, {0, 5}};
  EXPECT_EQ(SelectSpectralModes({3, 2}, 8), expected);
}

TEST(SpectralModes, MoreBitsThanDirectionsUseHigherModes) {
  std::vector<SpectralMode> expected;
  for (uint32_t k = 1; k <= 1024; ++k) expected.push_back({0, k});
  EXPECT_EQ(SelectSpectralModes({2.5}, 1024), expected);
  // A direction far narrower than the widest offers no mode at all.
  EXPECT_EQ(SelectSpectralModes({1e-30, 1}, 3),
            (std::vector<SpectralMode>{{1, 1}, {1, 2}, {1, 3}}));
}

TEST(SpectralEncoder, TrainsTheHandComputedModel) {
  const auto encoder = Train(ShOptions(8, 64), AxisPoints(), 3);
  ASSERT_NE(encoder, nullptr);
  const std::string bytes = encoder->Serialize();
  const fb::EncoderModel* model = fb::GetEncoderModel(bytes.data());
  EXPECT_EQ(model->address(), nullptr);
  EXPECT_EQ(model->code(), nullptr);
  for (const fb::SpectralHash* hash :
       {model->spectral_address(), model->spectral_code()}) {
    const std::vector<float> components(hash->components()->begin(),
                                        hash->components()->end());
    EXPECT_EQ(components, (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
    // The extremes, one float step outward: the ranges are exactly 4 and
    // 1 times 1 + 2^-23, so the tie at omega / pi = 1 survives.
    const std::vector<float> lower(hash->lower()->begin(),
                                   hash->lower()->end());
    const std::vector<float> upper(hash->upper()->begin(),
                                   hash->upper()->end());
    const float tiny = std::numeric_limits<float>::denorm_min();
    EXPECT_EQ(lower,
              (std::vector<float>{-2 - 0x1p-22f, -0.5f - 0x1p-24f, -tiny}));
    EXPECT_EQ(upper, (std::vector<float>{2 + 0x1p-22f, 0.5f + 0x1p-24f, tiny}));
  }
  EXPECT_EQ(ModesOf(*model->spectral_address()), HandModes4To1(0, 1, 8));
  EXPECT_EQ(ModesOf(*model->spectral_code()), HandModes4To1(0, 1, 64));
}

TEST(SpectralEncoder, EncodesHandComputedPoints) {
  const auto encoder = LoadOrDie(OneDirectionModel());
  ASSERT_NE(encoder, nullptr);
  // Bit k is cos(k * pi * x / 4) > 0; exactly 0 (a zero crossing) gives 0.
  //   x = 0.5: k = 1..3 positive, k = 4 on a crossing; period 16 in k:
  //            modes 1..8 -> 11100000, 9..16 -> 00001111.
  //   x = 1:   period 8: + 0 - - - 0 + +            -> 10000011.
  //   x = 3:   period 8: - 0 + - + 0 - +            -> 00101001.
  //   x = -1 (below lower) mirrors x = 1; x = 5 mirrors x = 3 about 4.
  const Encoded e = Encode(*encoder, {0.5f, 1, 3, -1, 5});
  EXPECT_EQ(e.addresses, (std::vector<Address>{0xE, 0x8, 0x2, 0x8, 0x2}));
  const std::vector<std::vector<uint8_t>> patterns = {
      {0xE0, 0x0F}, {0x83}, {0x29}, {0x83}, {0x29}};
  for (size_t r = 0; r < 5; ++r) {
    for (size_t byte = 0; byte < 8; ++byte) {
      EXPECT_EQ(e.codes[r * 8 + byte], patterns[r][byte % patterns[r].size()])
          << "vector " << r << ", byte " << byte;
    }
  }
}

TEST(SpectralEncoder, AgreesWithTheSineFormula) {
  // compressSH.m's y = sin(pi/2 + k * pi * u / R), in double, wherever y is
  // not so close to 0 that its own rounding could flip the sign.
  const std::vector<float> x = Gaussian(400, 16, 3);
  const auto encoder = Train(ShOptions(30, 256), x, 16);
  const std::string bytes = encoder->Serialize();
  const fb::SpectralHash& code =
      *fb::GetEncoderModel(bytes.data())->spectral_code();
  const Encoded e = Encode(*encoder, x);
  size_t compared = 0;
  for (size_t r = 0; r < 400; ++r) {
    for (uint32_t j = 0; j < 256; ++j) {
      const uint32_t i = code.direction()->Get(j);
      double p = 0;
      for (uint32_t d = 0; d < 16; ++d) {
        p += double{code.components()->Get(i * 16 + d)} *
             (x[r * 16 + d] - code.mean()->Get(d));
      }
      const double lower = code.lower()->Get(i);
      const double range = code.upper()->Get(i) - lower;
      const double y = std::sin(std::numbers::pi / 2 + code.mode()->Get(j) *
                                                           std::numbers::pi *
                                                           (p - lower) / range);
      if (std::abs(y) < 1e-6) continue;
      ++compared;
      const bool bit = (e.codes[r * 32 + j / 8] >> (7 - j % 8)) & 1;
      ASSERT_EQ(bit, y > 0) << "vector " << r << ", bit " << j;
    }
  }
  EXPECT_GT(compared, 400u * 250);
}

TEST(SpectralEncoder, EncodingIsTheSpecAndDoesNotDependOnBatching) {
  constexpr uint32_t kDim = 48;
  const SpectralHash address = RandomHash(32, kDim, 11);
  const SpectralHash code = RandomHash(256, kDim, 21);
  std::vector<float> x = Gaussian(600, kDim, 31);
  std::vector<float> on_address(x.begin(), x.begin() + 300 * kDim);
  std::vector<float> on_code(x.begin() + 300 * kDim, x.end());
  EXPECT_GT(MoveOntoCrossings(address, &on_address), 250u);
  EXPECT_GT(MoveOntoCrossings(code, &on_code), 250u);
  x = on_address;
  x.insert(x.end(), on_code.begin(), on_code.end());
  const SpectralEncoder encoder("sample=0,seed=1", address, code);
  const Encoded batch = Encode(encoder, x);
  EXPECT_EQ(batch, SpecEncode(address, code, x));
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{300}}) {
    Encoded pieces;
    for (size_t first = 0; first < 600; first += chunk) {
      const size_t end = std::min<size_t>(600, first + chunk);
      const Encoded piece = Encode(
          encoder,
          std::vector<float>(x.begin() + first * kDim, x.begin() + end * kDim));
      pieces.addresses.insert(pieces.addresses.end(), piece.addresses.begin(),
                              piece.addresses.end());
      pieces.codes.insert(pieces.codes.end(), piece.codes.begin(),
                          piece.codes.end());
    }
    EXPECT_EQ(pieces, batch) << "chunks of " << chunk;
  }
}

TEST(SpectralEncoder, TrainingIsDeterministic) {
  const std::vector<float> x = Gaussian(500, 20, 5);
  const std::string first = Train(ShOptions(30, 256), x, 20)->Serialize();
  const std::string second = Train(ShOptions(30, 256), x, 20)->Serialize();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST(SpectralEncoder, TrainEncoderDispatchesAndRecordsParams) {
  const std::vector<float> x = Gaussian(300, 12, 6);
  EncoderOptions options = ShOptions(20, 128);
  options.training_sample = 100;
  options.seed = 9;
  std::unique_ptr<Encoder> encoder;
  const Status s = TrainEncoder(options, 300, x.data(), 12, &encoder);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(encoder->kind(), "sh");
  EXPECT_EQ(encoder->params(), "sample=100,seed=9");
  EXPECT_EQ(encoder->input_dim(), 12u);
  EXPECT_EQ(encoder->address_bits(), 20u);
  EXPECT_EQ(encoder->code_bits(), 128u);
}

TEST(SpectralEncoder, SerializeLoadRoundTrip) {
  const std::vector<float> x = Gaussian(300, 24, 7);
  const auto trained = Train(ShOptions(30, 256), x, 24);
  const std::string bytes = trained->Serialize();
  const auto loaded = LoadOrDie(bytes);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->Serialize(), bytes);
  EXPECT_EQ(loaded->kind(), "sh");
  EXPECT_EQ(loaded->params(), trained->params());
  EXPECT_EQ(loaded->input_dim(), 24u);
  EXPECT_EQ(loaded->address_bits(), 30u);
  EXPECT_EQ(loaded->code_bits(), 256u);
  EXPECT_EQ(Encode(*loaded, x), Encode(*trained, x));
}

TEST(SpectralEncoder, CodeBitsMayExceedTheInputDimension) {
  const std::vector<float> x = Gaussian(200, 2, 8);
  const auto encoder = Train(ShOptions(32, 1024), x, 2);
  ASSERT_NE(encoder, nullptr);
  const std::string bytes = encoder->Serialize();
  const fb::SpectralHash& code =
      *fb::GetEncoderModel(bytes.data())->spectral_code();
  EXPECT_EQ(code.lower()->size(), 2u);
  EXPECT_EQ(code.mode()->size(), 1024u);
  const Encoded e = Encode(*encoder, x);
  EXPECT_NE(e.codes, std::vector<uint8_t>(e.codes.size(), 0));
}

TEST(SpectralEncoderTrain, RejectsBadInput) {
  const std::vector<float> x = Gaussian(4, 4, 1);
  const EncoderOptions options = ShOptions(8, 64);
  std::unique_ptr<Encoder> encoder;
  for (const size_t n : {size_t{0}, size_t{1}}) {
    EXPECT_TRUE(TrainSpectralEncoder(options, n, x.data(), 4, &encoder)
                    .IsInvalidArgument())
        << n;
  }
  EXPECT_TRUE(TrainSpectralEncoder(options, 4, x.data(), 0, &encoder)
                  .IsInvalidArgument());
  EXPECT_TRUE(TrainSpectralEncoder(options, 4, nullptr, 4, &encoder)
                  .IsInvalidArgument());
  for (const float bad : {kNaN, kInf, -kInf}) {
    std::vector<float> bad_x = x;
    bad_x[13] = bad;
    EXPECT_TRUE(TrainSpectralEncoder(options, 4, bad_x.data(), 4, &encoder)
                    .IsInvalidArgument());
  }
  const std::pair<uint32_t, uint32_t> bad_bits[] = {
      {0, 64}, {33, 64}, {8, 0}, {8, 100}, {8, 2048}};
  for (const auto& [address_bits, code_bits] : bad_bits) {
    EXPECT_TRUE(TrainSpectralEncoder(ShOptions(address_bits, code_bits), 4,
                                     x.data(), 4, &encoder)
                    .IsInvalidArgument())
        << address_bits << "/" << code_bits;
  }
  EXPECT_EQ(encoder, nullptr);
}

TEST(SpectralEncoderTrain, RejectsVectorsWithoutSpread) {
  const std::vector<float> x(5 * 3, 1.5f);
  std::unique_ptr<Encoder> encoder;
  const Status s =
      TrainSpectralEncoder(ShOptions(8, 64), 5, x.data(), 3, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("do not vary"), std::string::npos) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

TEST(SpectralEncoder, EncodeRejectsDimMismatchAndNonFiniteInput) {
  const auto encoder = Train(ShOptions(30, 256), Gaussian(10, 8, 1), 8);
  testing::ExpectEncodeRejected(*encoder, 3, Gaussian(3, 9, 2), 9);
  for (const float bad : {kNaN, kInf}) {
    std::vector<float> x = Gaussian(3, 8, 2);
    x[20] = bad;
    testing::ExpectEncodeRejected(*encoder, 3, x, 8);
  }
}

TEST(SpectralModel, LoadRejectsEveryTruncation) {
  testing::ExpectEveryTruncationRejected(
      Train(ShOptions(8, 64), AxisPoints(), 3)->Serialize());
}

TEST(SpectralModel, LoadSurvivesEveryByteFlip) {
  testing::ExpectEveryByteFlipHandled(
      Train(ShOptions(8, 64), AxisPoints(), 3)->Serialize(),
      {0x01, 0x10, 0x80, 0xFF}, {0.3f, -0.1f, 0.2f});
}

TEST(SpectralModel, LoadNamesWhatIsInvalid) {
  // Load must name `message` once mutate(address, code) spoils the model.
  const auto expect = [](const char* message, auto mutate) {
    SpectralHash address = OneDirectionHash(4);
    SpectralHash code = OneDirectionHash(64);
    mutate(address, code);
    ExpectLoadCorruption(
        SerializeSpectralModel("sample=0,seed=7", address, code), message);
  };
  using H = SpectralHash;
  expect("address hash: mode[2] is 0, not in 1..4",
         [](H& a, H&) { a.mode[2] = 0; });
  expect("code hash: mode[0] is 65, not in 1..64",
         [](H&, H& c) { c.mode[0] = 65; });
  expect("code hash: direction[5] is 1, not below npca 1",
         [](H&, H& c) { c.direction[5] = 1; });
  expect("address hash: upper[0] 3.000000 is not above lower[0] 3.000000",
         [](H& a, H&) { a.lower[0] = 3; });
  expect("code hash: upper[0] -2.000000 is not above lower[0] -1.000000",
         [](H&, H& c) { c.upper[0] = -2; });
  expect("address hash: components[0] is not finite",
         [](H& a, H&) { a.components[0] = kNaN; });
  expect("code hash: mean[0] is not finite",
         [](H&, H& c) { c.mean[0] = kInf; });
  expect("address hash: lower[0] is not finite",
         [](H& a, H&) { a.lower[0] = -kInf; });
  expect("code hash: upper[0] is not finite",
         [](H&, H& c) { c.upper[0] = kNaN; });
  expect("address hash: components has 0 values, expected 1",
         [](H& a, H&) { a.components.clear(); });
  expect("code hash: lower has 2 values, expected 1",
         [](H&, H& c) { c.lower.push_back(0); });
  expect("address hash: mode has 3 values, expected 4",
         [](H& a, H&) { a.mode.pop_back(); });
  expect("code hash: direction has 65 values, expected 64",
         [](H&, H& c) { c.direction.push_back(0); });
  expect("address hash: bits is 0", [](H& a, H&) { a = H{}; });
  expect("code hash: input_dim is 0", [](H&, H& c) { c.input_dim = 0; });
  expect("address hash has 33 bits",
         [](H& a, H&) { a = OneDirectionHash(33); });
  expect("code hash has 72 bits", [](H&, H& c) { c = OneDirectionHash(72); });
  expect("code hash has 2048 bits",
         [](H&, H& c) { c = OneDirectionHash(2048); });
  expect("differs from code hash input_dim 2", [](H&, H& c) {
    c.input_dim = 2;
    c.mean = {1, 0};
    c.components = {1, 0, 0, 1};
    c.lower = {-1, -1};
    c.upper = {3, 3};
  });
}

TEST(SpectralModel, LoadRejectsNonCanonicalParams) {
  for (const char* params : {"", "seed=7", "sample=0,seed=07", "x"}) {
    std::unique_ptr<Encoder> encoder;
    const Status s =
        Encoder::Load(SerializeSpectralModel(params, OneDirectionHash(4),
                                             OneDirectionHash(64)),
                      &encoder);
    EXPECT_TRUE(s.IsCorruption()) << params << ": " << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

// A model of kind "sh" built field by field, for shapes
// SerializeSpectralModel cannot make.
std::string HandMadeModel(uint32_t input_dim, bool with_code,
                          bool with_linear) {
  flatbuffers::FlatBufferBuilder builder;
  const auto spectral = [&](const SpectralHash& h) {
    return fb::CreateSpectralHashDirect(builder, h.bits, h.input_dim, &h.mean,
                                        &h.components, &h.lower, &h.upper,
                                        &h.direction, &h.mode);
  };
  const auto address = spectral(OneDirectionHash(4));
  const auto code = with_code ? spectral(OneDirectionHash(64)) : 0;
  const std::vector<float> one = {1};
  const auto linear =
      with_linear ? fb::CreateLinearHashDirect(builder, 1, 1, &one, &one, &one)
                  : 0;
  fb::FinishEncoderModelBuffer(
      builder,
      fb::CreateEncoderModelDirect(builder, "sh", "sample=0,seed=7", input_dim,
                                   linear, 0, address, code));
  return FinishedBytes(builder);
}

TEST(SpectralModel, HandMadeModelLoads) {
  // Guards the test below: only the field it changes is wrong.
  EXPECT_NE(LoadOrDie(HandMadeModel(1, true, false)), nullptr);
}

TEST(SpectralModel, LoadRejectsInconsistentModels) {
  const struct {
    std::string bytes;
    const char* expected_message;
  } cases[] = {
      {HandMadeModel(2, true, false), "model input_dim 2"},
      {HandMadeModel(1, false, false), "spectral_code is missing"},
      {HandMadeModel(1, true, true), "linear address or code hash"},
  };
  for (const auto& c : cases) ExpectLoadCorruption(c.bytes, c.expected_message);
}

}  // namespace
}  // namespace semhash

// Tests for LSH training (engine/encoders/lsh_encoder.cc): the trained model,
// its identity, and the portable normal sampler that draws its hyperplanes.
#include "engine/encoders/lsh_encoder.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "encoder_model_generated.h"
#include "semhash/codes.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::Encode;
using testing::Encoded;
using testing::Gaussian;

EncoderOptions Lsh(uint32_t address_bits, uint32_t code_bits, uint64_t seed) {
  return testing::MakeOptions(kLshEncoder, address_bits, code_bits, seed);
}

std::unique_ptr<Encoder> Train(const EncoderOptions& options,
                               const std::vector<float>& x, size_t dim) {
  return testing::TrainOrDie(TrainLshEncoder, options, x, dim);
}

// Average Hamming distance between code i of `a` and code i of `b`.
double MeanDistance(const Encoded& a, const Encoded& b, uint32_t code_bits) {
  double total = 0;
  const size_t n = a.addresses.size();
  for (size_t i = 0; i < n; ++i) {
    total += HammingDistance(a.code(i, code_bits), b.code(i, code_bits));
  }
  return total / static_cast<double>(n);
}

TEST(LshEncoder, SameSeedGivesIdenticalModelBytes) {
  const std::vector<float> x = Gaussian(500, 16, 1);
  const std::string first = Train(Lsh(30, 256, 42), x, 16)->Serialize();
  const std::string second = Train(Lsh(30, 256, 42), x, 16)->Serialize();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST(LshEncoder, DifferentSeedGivesDifferentModel) {
  const std::vector<float> x = Gaussian(500, 16, 1);
  const auto one = Train(Lsh(30, 256, 1), x, 16);
  const auto two = Train(Lsh(30, 256, 2), x, 16);
  EXPECT_NE(one->Serialize(), two->Serialize());
  EXPECT_NE(Encode(*one, x).codes, Encode(*two, x).codes);
  EXPECT_NE(Encode(*one, x).addresses, Encode(*two, x).addresses);
}

TEST(LshEncoder, ReportsItsIdentity) {
  EncoderOptions options = Lsh(20, 128, 42);
  options.kind = kItqEncoder;  // Ignored: TrainLshEncoder makes "lsh".
  options.training_sample = 500;
  const auto encoder = Train(options, Gaussian(10, 5, 1), 5);
  EXPECT_EQ(encoder->kind(), "lsh");
  EXPECT_EQ(encoder->params(), "sample=500,seed=42");
  EXPECT_EQ(encoder->input_dim(), 5u);
  EXPECT_EQ(encoder->address_bits(), 20u);
  EXPECT_EQ(encoder->code_bits(), 128u);
}

TEST(LshEncoder, TrainsTheColumnMeanInDouble) {
  // In float, 1e8 + 1 - 1e8 is 0; the mean of column 0 is 1/3.
  const std::vector<float> x = {1e8f, 2, 1, 4, -1e8f, 9};
  const std::string bytes = Train(Lsh(8, 64, 3), x, 2)->Serialize();
  const fb::EncoderModel* model = fb::GetEncoderModel(bytes.data());
  for (const fb::LinearHash* hash : {model->address(), model->code()}) {
    ASSERT_EQ(hash->mean()->size(), 2u);
    EXPECT_EQ(hash->mean()->Get(0), static_cast<float>(1.0 / 3.0));
    EXPECT_EQ(hash->mean()->Get(1), 5.0f);
    for (const float t : *hash->thresholds()) EXPECT_EQ(t, 0.0f);
  }
  EXPECT_EQ(model->address()->weights()->size(), 8u * 2);
  EXPECT_EQ(model->code()->weights()->size(), 64u * 2);
}

TEST(LshEncoder, AddressAndCodeUseIndependentHyperplanes) {
  const std::vector<float> x = Gaussian(1000, 32, 5);
  const auto encoder = Train(Lsh(32, 64, 9), x, 32);
  const Encoded e = Encode(*encoder, x);
  int equal = 0;
  for (size_t i = 0; i < 1000; ++i) {
    equal += AddressFromCode(e.code(i, 64), 32) == e.addresses[i];
  }
  EXPECT_LT(equal, 10);
}

TEST(LshEncoder, BitsAreBalancedAroundAnOffCentreMean) {
  // Centred at 10 in every coordinate: without subtracting the mean every
  // bit would be almost constant.
  const std::vector<float> x = Gaussian(2000, 32, 41, 10.0f);
  const auto encoder = Train(Lsh(30, 256, 42), x, 32);
  const Encoded e = Encode(*encoder, x);
  for (uint32_t j = 0; j < 30; ++j) {
    int ones = 0;
    for (const Address a : e.addresses) ones += (a >> (29 - j)) & 1;
    EXPECT_GE(ones, 600) << "address bit " << j;
    EXPECT_LE(ones, 1400) << "address bit " << j;
  }
  for (uint32_t j = 0; j < 256; ++j) {
    int ones = 0;
    for (size_t i = 0; i < 2000; ++i) ones += e.code_bit(i, 256, j);
    EXPECT_GE(ones, 600) << "code bit " << j;
    EXPECT_LE(ones, 1400) << "code bit " << j;
  }
}

TEST(LshEncoder, NearbyVectorsGetCloserCodes) {
  const std::vector<float> base = Gaussian(500, 64, 51, 3.0f);
  const std::vector<float> noise = Gaussian(500, 64, 52);
  const std::vector<float> far = Gaussian(500, 64, 53, 3.0f);
  std::vector<float> near = base;
  for (size_t i = 0; i < near.size(); ++i) near[i] += 0.1f * noise[i];
  const auto encoder = Train(Lsh(30, 256, 42), base, 64);
  const Encoded b = Encode(*encoder, base);
  const double near_distance = MeanDistance(b, Encode(*encoder, near), 256);
  const double far_distance = MeanDistance(b, Encode(*encoder, far), 256);
  // Expected about 256 * 0.1 / pi = 8 and 128.
  EXPECT_LT(near_distance, 16);
  EXPECT_GT(far_distance, 100);
}

TEST(LshEncoderTrain, RejectsEmptyInput) {
  const std::vector<float> x = Gaussian(4, 4, 1);
  std::unique_ptr<Encoder> encoder;
  EXPECT_TRUE(
      TrainLshEncoder({}, 0, x.data(), 4, &encoder).IsInvalidArgument());
  EXPECT_TRUE(
      TrainLshEncoder({}, 4, x.data(), 0, &encoder).IsInvalidArgument());
  EXPECT_TRUE(TrainLshEncoder({}, 4, nullptr, 4, &encoder).IsInvalidArgument());
  EXPECT_EQ(encoder, nullptr);
}

TEST(LshEncoderTrain, RejectsNonFiniteValues) {
  for (const float bad : {testing::kNaN, testing::kInf, -testing::kInf}) {
    std::vector<float> x = Gaussian(4, 4, 1);
    x[13] = bad;
    std::unique_ptr<Encoder> encoder;
    const Status s = TrainLshEncoder({}, 4, x.data(), 4, &encoder);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("vector 3, value 1"), std::string::npos)
        << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(LshEncoderTrain, RejectsBadBitCounts) {
  const std::vector<float> x = Gaussian(4, 4, 1);
  const EncoderOptions bad[] = {
      Lsh(0, 256, 1),  Lsh(33, 256, 1),  Lsh(30, 0, 1),   Lsh(30, 32, 1),
      Lsh(30, 100, 1), Lsh(30, 1088, 1), Lsh(30, 2048, 1)};
  for (const EncoderOptions& options : bad) {
    std::unique_ptr<Encoder> encoder;
    EXPECT_TRUE(
        TrainLshEncoder(options, 4, x.data(), 4, &encoder).IsInvalidArgument())
        << options.address_bits << "/" << options.code_bits;
    EXPECT_EQ(encoder, nullptr);
  }
  std::unique_ptr<Encoder> encoder;
  EXPECT_TRUE(TrainLshEncoder(Lsh(1, 64, 1), 4, x.data(), 4, &encoder).ok());
  EXPECT_TRUE(TrainLshEncoder(Lsh(32, 1024, 1), 4, x.data(), 4, &encoder).ok());
}

TEST(LshEncoderTrain, RejectsModelsOver2GiB) {
  // 1058 floats per input dimension: 507,500 dimensions make over 2 GiB.
  const std::vector<float> x(507500, 1.0f);
  std::unique_ptr<Encoder> encoder;
  const Status s =
      TrainLshEncoder(Lsh(32, 1024, 1), 1, x.data(), x.size(), &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("larger than 2 GiB"), std::string::npos);
}

// Marsaglia's polar method with std::log, as a reference for the portable
// sampler (std::log may differ in the last bit between C libraries).
std::vector<float> ReferenceNormals(uint64_t seed, uint64_t stream, size_t n) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  uint64_t state = mix(seed ^ mix(stream));
  auto uniform = [&] {
    state += 0x9E3779B97F4A7C15ull;
    return static_cast<double>(mix(state) >> 11) * 0x1p-52 - 1.0;
  };
  std::vector<float> out;
  while (out.size() < n) {
    const double u = uniform(), v = uniform(), s = std::fma(u, u, v * v);
    if (s >= 1 || s == 0) continue;
    const double scale = std::sqrt(-2 * std::log(s) / s);
    out.push_back(static_cast<float>(u * scale));
    if (out.size() < n) out.push_back(static_cast<float>(v * scale));
  }
  return out;
}

TEST(LshHyperplanes, NormalsMatchReferenceSampler) {
  std::vector<float> normals(20001);
  DrawStandardNormals(42, kLshCodeStream, normals.size(), normals.data());
  const std::vector<float> reference =
      ReferenceNormals(42, kLshCodeStream, normals.size());
  for (size_t i = 0; i < normals.size(); ++i) {
    ASSERT_NEAR(normals[i], reference[i], 2e-7 * std::abs(reference[i]))
        << "sample " << i;
  }
}

TEST(LshHyperplanes, NormalsAreStandard) {
  std::vector<float> normals(200000);
  DrawStandardNormals(7, kLshAddressStream, normals.size(), normals.data());
  double sum = 0, sum2 = 0;
  size_t within_one = 0;
  for (const float v : normals) {
    sum += v;
    sum2 += double{v} * v;
    within_one += std::abs(v) < 1;
  }
  const double n = static_cast<double>(normals.size());
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.01);
  EXPECT_NEAR(within_one / n, 0.6827, 0.005);
}

TEST(LshHyperplanes, StreamsArePinned) {
  // The hyperplanes of a seed are part of what "lsh" with "seed=<S>" means:
  // these values must never change, on any platform or compiler.
  std::vector<float> address(4), code(100000);
  DrawStandardNormals(42, kLshAddressStream, address.size(), address.data());
  DrawStandardNormals(42, kLshCodeStream, code.size(), code.data());
  const uint32_t expected_address[] = {0xBF8DF050, 0xBF0A9BBA, 0xBF8B7B63,
                                       0xBD5DD0D1};
  const uint32_t expected_code[] = {0xBF8EDF50, 0xBF9FD3DF, 0xBF41F2F7,
                                    0x3F8E56EF};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(std::bit_cast<uint32_t>(address[i]), expected_address[i]) << i;
    EXPECT_EQ(std::bit_cast<uint32_t>(code[i]), expected_code[i]) << i;
  }
  uint64_t fnv1a = 0xCBF29CE484222325ull;
  for (const float v : code) {
    fnv1a = (fnv1a ^ std::bit_cast<uint32_t>(v)) * 0x100000001B3ull;
  }
  EXPECT_EQ(fnv1a, 0x1C1B4309654CF60Dull);
}

}  // namespace
}  // namespace semhash

// Tests for the linear hash and its encoder (engine/encoders/linear_hash.cc):
// the sign rule, the bit order, and encodings that do not depend on batching.
#include "engine/encoders/linear_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "semhash/codes.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::Gaussian;
using testing::MakeHash;
using testing::RandomHash;
using testing::TinyAddressHash;
using testing::TinyCodeHash;

std::vector<Address> Addresses(const LinearHashEncoder& encoder,
                               const std::vector<float>& x) {
  std::vector<Address> addresses(x.size() / encoder.hash().input_dim);
  encoder.EncodeToAddresses(addresses.size(), x.data(), addresses.data());
  return addresses;
}

std::vector<uint8_t> Codes(const LinearHashEncoder& encoder,
                           const std::vector<float>& x) {
  const size_t n = x.size() / encoder.hash().input_dim;
  std::vector<uint8_t> codes(n * encoder.hash().bits / 8);
  encoder.EncodeToCodes(n, x.data(), codes.data());
  return codes;
}

TEST(LinearHash, SignRuleOnTinyModel) {
  // Centred on (1, 2): (2,-1), (0,0), (-1,1), (0.25,0), (0.5,0).
  const std::vector<float> x = {3, 1, 1, 2, 0, 3, 1.25f, 2, 1.5f, 2};
  // Address bit 2 is (1,-1).c >= 0.5; a projection equal to its threshold
  // gives 1.
  EXPECT_EQ(Addresses(LinearHashEncoder(TinyAddressHash()), x),
            (std::vector<Address>{0b101, 0b110, 0b010, 0b110, 0b111}));
  const std::vector<uint8_t> codes =
      Codes(LinearHashEncoder(TinyCodeHash()), x);
  const std::vector<uint8_t> expected_bytes = {0xAA, 0xFF, 0x55, 0xFF, 0xFF};
  for (size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(codes[i], expected_bytes[i / 8]) << "byte " << i;
  }
}

TEST(LinearHash, PacksBitZeroAsMostSignificant) {
  // Input dim 1, mean 0: bit j is set for x = 1 iff row j is +1.
  std::vector<float> code_weights(64, -1.0f);
  code_weights[0] = code_weights[9] = code_weights[63] = 1.0f;
  std::vector<float> address_weights(32, -1.0f);
  address_weights[0] = address_weights[31] = 1.0f;
  const LinearHashEncoder address(
      MakeHash(32, {0}, address_weights, std::vector<float>(32, 0.0f)));
  const LinearHashEncoder code(
      MakeHash(64, {0}, code_weights, std::vector<float>(64, 0.0f)));
  EXPECT_EQ(Addresses(address, {1, -1}),
            (std::vector<Address>{0x80000001u, 0x7FFFFFFEu}));
  EXPECT_EQ(Codes(code, {1, -1}),
            (std::vector<uint8_t>{0x80, 0x40, 0, 0, 0, 0, 0, 0x01, 0x7F, 0xBF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}));
}

// The leading `bits` hyperplanes of `hash`.
LinearHash Prefix(const LinearHash& hash, uint32_t bits) {
  LinearHash prefix = hash;
  prefix.bits = bits;
  prefix.weights.resize(size_t{bits} * hash.input_dim);
  prefix.thresholds.resize(bits);
  return prefix;
}

TEST(LinearHash, AddressEqualsCodePrefixForTheSameHyperplanes) {
  const LinearHash code = RandomHash(256, 40, 21);
  const std::vector<float> x = Gaussian(2000, 40, 22);
  const std::vector<uint8_t> codes = Codes(LinearHashEncoder(code), x);
  for (const uint32_t address_bits : {1u, 20u, 32u}) {
    const std::vector<Address> addresses =
        Addresses(LinearHashEncoder(Prefix(code, address_bits)), x);
    for (size_t i = 0; i < 2000; ++i) {
      ASSERT_EQ(
          addresses[i],
          AddressFromCode(CodeView(codes).subspan(i * 32, 32), address_bits))
          << "vector " << i << ", " << address_bits << " address bits";
    }
  }
}

// Moves each vector onto a hyperplane of `hash` (up to rounding), where a
// float product's sign depends on its summation order.
void ProjectOntoHyperplanes(const LinearHash& hash, std::vector<float>* x) {
  const size_t dim = hash.input_dim;
  for (size_t i = 0; i < x->size() / dim; ++i) {
    const float* w = &hash.weights[(i % hash.bits) * dim];
    float* v = x->data() + i * dim;
    double dot = 0, norm2 = 0;
    for (size_t k = 0; k < dim; ++k) {
      dot += double{w[k]} * (v[k] - hash.mean[k]);
      norm2 += double{w[k]} * w[k];
    }
    for (size_t k = 0; k < dim; ++k) {
      v[k] = static_cast<float>(v[k] - dot / norm2 * w[k]);
    }
  }
}

TEST(LinearHash, EncodingDoesNotDependOnBatching) {
  constexpr uint32_t kDim = 64;
  const LinearHash hash = RandomHash(256, kDim, 31);
  const LinearHashEncoder code(hash);
  const LinearHashEncoder address(Prefix(hash, 32));
  std::vector<float> x = Gaussian(600, kDim, 32);
  ProjectOntoHyperplanes(hash, &x);
  const std::vector<uint8_t> batch_codes = Codes(code, x);
  const std::vector<Address> batch_addresses = Addresses(address, x);
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{300}}) {
    std::vector<uint8_t> codes;
    std::vector<Address> addresses;
    for (size_t first = 0; first < 600; first += chunk) {
      const size_t end = std::min<size_t>(600, first + chunk);
      const std::vector<float> piece(x.begin() + first * kDim,
                                     x.begin() + end * kDim);
      const std::vector<uint8_t> piece_codes = Codes(code, piece);
      const std::vector<Address> piece_addresses = Addresses(address, piece);
      codes.insert(codes.end(), piece_codes.begin(), piece_codes.end());
      addresses.insert(addresses.end(), piece_addresses.begin(),
                       piece_addresses.end());
    }
    EXPECT_EQ(codes, batch_codes) << "chunks of " << chunk;
    EXPECT_EQ(addresses, batch_addresses) << "chunks of " << chunk;
  }
}

TEST(LinearHash, CheckNamesTheFirstProblem) {
  LinearHash hash = TinyAddressHash();
  EXPECT_TRUE(CheckLinearHash(hash).ok());
  hash.weights[4] = testing::kNaN;
  const Status s = CheckLinearHash(hash);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("weights[4] is not finite"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace semhash

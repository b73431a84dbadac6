// Tests for the encoder made of two linear hashes
// (engine/encoders/linear_encoder.cc): its identity, its input checks, and that
// it encodes with its two hashes.
#include "engine/encoders/linear_encoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "semhash/codes.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::Encode;
using testing::Encoded;
using testing::Gaussian;
using testing::RandomHash;

// An lsh-shaped encoder of 8-dimensional vectors: 30-bit address, 256-bit
// code.
std::unique_ptr<Encoder> RandomEncoder() {
  return NewLinearEncoder(kLshEncoder, EncoderOptions(), RandomHash(30, 8, 1),
                          RandomHash(256, 8, 2));
}

TEST(LinearEncoder, KnowsItsKinds) {
  for (const char* kind : {kLshEncoder, kPcahEncoder, kItqEncoder}) {
    EXPECT_TRUE(IsLinearEncoderKind(kind)) << kind;
  }
  for (const char* kind : {kSpectralEncoder, "", "LSH", "itq "}) {
    EXPECT_FALSE(IsLinearEncoderKind(kind)) << kind;
  }
}

TEST(LinearEncoder, RecordsItsKindAndCanonicalParams) {
  EncoderOptions options;
  options.kind = kLshEncoder;  // The kind argument wins.
  options.address_bits = 12;
  options.code_bits = 64;
  options.seed = 9;
  options.training_sample = 3;
  options.itq_iterations = 7;
  const auto itq = NewLinearEncoder(kItqEncoder, options, RandomHash(12, 4, 1),
                                    RandomHash(64, 4, 2));
  EXPECT_EQ(itq->kind(), "itq");
  EXPECT_EQ(itq->params(), "iterations=7,sample=3,seed=9");
  EXPECT_EQ(itq->input_dim(), 4u);
  EXPECT_EQ(itq->address_bits(), 12u);
  EXPECT_EQ(itq->code_bits(), 64u);
  const auto pcah = NewLinearEncoder(
      kPcahEncoder, options, RandomHash(12, 4, 1), RandomHash(64, 4, 2));
  EXPECT_EQ(pcah->kind(), "pcah");
  EXPECT_EQ(pcah->params(), "sample=3,seed=9");
}

TEST(LinearEncoder, EncodesWithItsTwoHashes) {
  const LinearHashEncoder address(RandomHash(30, 8, 1));
  const LinearHashEncoder code(RandomHash(256, 8, 2));
  const std::vector<float> x = Gaussian(100, 8, 3);
  Encoded expected{std::vector<Address>(100), std::vector<uint8_t>(3200)};
  address.EncodeToAddresses(100, x.data(), expected.addresses.data());
  code.EncodeToCodes(100, x.data(), expected.codes.data());
  EXPECT_EQ(Encode(*RandomEncoder(), x), expected);
}

TEST(LinearEncoder, EncodeRejectsDimMismatch) {
  testing::ExpectEncodeRejected(*RandomEncoder(), 2, Gaussian(2, 9, 2), 9);
}

TEST(LinearEncoder, EncodeRejectsNonFiniteInput) {
  const auto encoder = RandomEncoder();
  for (const float bad : {testing::kNaN, testing::kInf}) {
    std::vector<float> x = Gaussian(3, 8, 2);
    x[20] = bad;
    testing::ExpectEncodeRejected(*encoder, 3, x, 8);
  }
}

TEST(LinearEncoder, EncodeOfNothingNeedsNoBuffers) {
  EXPECT_TRUE(RandomEncoder()->Encode(0, nullptr, 8, nullptr, nullptr).ok());
  EXPECT_TRUE(RandomEncoder()
                  ->Encode(1, nullptr, 8, nullptr, nullptr)
                  .IsInvalidArgument());
}

}  // namespace
}  // namespace semhash

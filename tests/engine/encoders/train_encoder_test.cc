// Tests for TrainEncoder (engine/encoders/train_encoder.cc): dispatch by kind,
// the training sample recorded in the params, and the errors it reports.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::AnisotropicGaussian;

constexpr size_t kRows = 500;
constexpr size_t kDim = 64;

EncoderOptions Options(const std::string& kind) {
  EncoderOptions options = testing::MakeOptions(kind, 16, 64);
  options.itq_iterations = 5;
  return options;
}

TEST(TrainEncoder, DispatchesByKind) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 1);
  for (const char* kind : {kLshEncoder, kPcahEncoder, kItqEncoder}) {
    std::unique_ptr<Encoder> encoder;
    const Status s =
        TrainEncoder(Options(kind), kRows, x.data(), kDim, &encoder);
    ASSERT_TRUE(s.ok()) << kind << ": " << s.ToString();
    EXPECT_EQ(encoder->kind(), kind);
  }
}

TEST(TrainEncoder, ParamsRecordTheSample) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 2);
  const struct {
    const char* kind;
    const char* params;
  } cases[] = {{kLshEncoder, "sample=100,seed=42"},
               {kPcahEncoder, "sample=100,seed=42"},
               {kItqEncoder, "iterations=5,sample=100,seed=42"}};
  for (const auto& c : cases) {
    EncoderOptions options = Options(c.kind);
    options.training_sample = 100;
    std::unique_ptr<Encoder> encoder;
    ASSERT_TRUE(TrainEncoder(options, kRows, x.data(), kDim, &encoder).ok());
    EXPECT_EQ(encoder->params(), c.params);
  }
}

TEST(TrainEncoder, RejectsUnknownKind) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 3);
  for (const char* kind : {"", "LSH", "pca", "itq ", "spectral"}) {
    std::unique_ptr<Encoder> encoder;
    const Status s =
        TrainEncoder(Options(kind), kRows, x.data(), kDim, &encoder);
    EXPECT_TRUE(s.IsInvalidArgument()) << kind << ": " << s.ToString();
    EXPECT_NE(s.message().find("unknown encoder kind"), std::string::npos);
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(TrainEncoder, PcaKindsNeedTwoVectors) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 4);
  for (const char* kind : {kPcahEncoder, kItqEncoder}) {
    std::unique_ptr<Encoder> encoder;
    EXPECT_TRUE(TrainEncoder(Options(kind), 1, x.data(), kDim, &encoder)
                    .IsInvalidArgument())
        << kind;
    EncoderOptions sample_of_one = Options(kind);
    sample_of_one.training_sample = 1;
    EXPECT_TRUE(TrainEncoder(sample_of_one, kRows, x.data(), kDim, &encoder)
                    .IsInvalidArgument())
        << kind;
    EXPECT_EQ(encoder, nullptr);
  }
}

}  // namespace
}  // namespace semhash

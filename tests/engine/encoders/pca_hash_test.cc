// Tests for PCA-sign and PCA+ITQ training (engine/encoders/pca_hash.cc): the
// hyperplanes they learn, balanced bits, determinism, and their errors.
#include "engine/encoders/pca_hash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "semhash/codes.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::AnisotropicGaussian;
using testing::Encode;
using testing::Encoded;

constexpr size_t kRows = 2000;
constexpr size_t kDim = 80;

using testing::TrainFunction;

struct Kind {
  const char* name;
  TrainFunction train;
};
constexpr Kind kKinds[] = {{kPcahEncoder, TrainPcahEncoder},
                           {kItqEncoder, TrainItqEncoder}};

EncoderOptions Options(uint64_t seed) {
  return testing::MakeOptions(kLshEncoder, 16, 64, seed);
}

std::unique_ptr<Encoder> Train(TrainFunction train,
                               const EncoderOptions& options,
                               const std::vector<float>& x) {
  return testing::TrainOrDie(train, options, x, kDim);
}

// The hash's weights as rows of `dim` doubles.
std::vector<std::vector<double>> Rows(const fb::LinearHash& hash) {
  std::vector<std::vector<double>> rows(hash.bits());
  for (uint32_t j = 0; j < hash.bits(); ++j) {
    for (uint32_t k = 0; k < hash.input_dim(); ++k) {
      rows[j].push_back(hash.weights()->Get(j * hash.input_dim() + k));
    }
  }
  return rows;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b,
           size_t end) {
  double dot = 0;
  for (size_t k = 0; k < end; ++k) dot += a[k] * b[k];
  return dot;
}

TEST(PcaHash, ReportIdentityAndParams) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 1);
  EncoderOptions options = Options(5);
  options.kind = kLshEncoder;  // Ignored: the trainer names its kind.
  options.itq_iterations = 7;
  const auto pcah = Train(TrainPcahEncoder, options, x);
  EXPECT_EQ(pcah->kind(), "pcah");
  EXPECT_EQ(pcah->params(), "sample=0,seed=5");
  const auto itq = Train(TrainItqEncoder, options, x);
  EXPECT_EQ(itq->kind(), "itq");
  EXPECT_EQ(itq->params(), "iterations=7,sample=0,seed=5");
  for (const Encoder* encoder : {pcah.get(), itq.get()}) {
    EXPECT_EQ(encoder->input_dim(), kDim);
    EXPECT_EQ(encoder->address_bits(), 16u);
    EXPECT_EQ(encoder->code_bits(), 64u);
  }
}

TEST(PcaHash, PcahUsesTheLeadingPrincipalDirections) {
  // The variances fall along the axes, so component j is +-e_j.
  const std::vector<float> x = AnisotropicGaussian(8000, kDim, 2);
  const std::string bytes = Train(TrainPcahEncoder, Options(1), x)->Serialize();
  const fb::EncoderModel* model = fb::GetEncoderModel(bytes.data());
  for (const fb::LinearHash* hash : {model->address(), model->code()}) {
    const auto rows = Rows(*hash);
    for (uint32_t j = 0; j < hash->bits(); ++j) {
      EXPECT_GT(std::abs(rows[j][j]), 0.9) << "bit " << j;
      EXPECT_EQ(hash->thresholds()->Get(j), 0.0f);
    }
    for (const float m : *hash->mean()) EXPECT_LT(std::abs(m), 0.05f);
  }
}

TEST(PcaHash, PcahAddressIsTheCodePrefix) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 3);
  const Encoded e = Encode(*Train(TrainPcahEncoder, Options(1), x), x);
  for (size_t i = 0; i < kRows; ++i) {
    ASSERT_EQ(e.addresses[i], AddressFromCode(e.code(i, 64), 16)) << i;
  }
}

TEST(PcaHash, ItqRotatesThePrincipalSubspace) {
  // ITQ's hyperplanes are orthonormal and lie in the span of the leading
  // components: the first code_bits (address_bits) axes here.
  const std::vector<float> x = AnisotropicGaussian(8000, kDim, 4);
  const std::string bytes = Train(TrainItqEncoder, Options(1), x)->Serialize();
  const fb::EncoderModel* model = fb::GetEncoderModel(bytes.data());
  for (const fb::LinearHash* hash : {model->address(), model->code()}) {
    const auto rows = Rows(*hash);
    for (uint32_t j = 0; j < hash->bits(); ++j) {
      for (uint32_t l = 0; l < hash->bits(); ++l) {
        EXPECT_NEAR(Dot(rows[j], rows[l], kDim), j == l ? 1 : 0, 1e-5);
      }
      EXPECT_GT(Dot(rows[j], rows[j], hash->bits()), 0.9) << "bit " << j;
    }
  }
}

TEST(PcaHash, ItqIsNotPcah) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 5);
  const Encoded itq = Encode(*Train(TrainItqEncoder, Options(1), x), x);
  const Encoded pcah = Encode(*Train(TrainPcahEncoder, Options(1), x), x);
  EXPECT_NE(itq.codes, pcah.codes);
  EXPECT_NE(itq.addresses, pcah.addresses);
}

TEST(PcaHash, BitsAreBalancedOnTheTrainingData) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 6);
  for (const Kind& kind : kKinds) {
    const Encoded e = Encode(*Train(kind.train, Options(1), x), x);
    for (uint32_t j = 0; j < 16; ++j) {
      double ones = 0;
      for (const Address a : e.addresses) ones += (a >> (15 - j)) & 1;
      EXPECT_GE(ones / kRows, 0.35) << kind.name << " address bit " << j;
      EXPECT_LE(ones / kRows, 0.65) << kind.name << " address bit " << j;
    }
    for (uint32_t j = 0; j < 64; ++j) {
      double ones = 0;
      for (size_t i = 0; i < kRows; ++i) ones += e.code_bit(i, 64, j);
      EXPECT_GE(ones / kRows, 0.35) << kind.name << " code bit " << j;
      EXPECT_LE(ones / kRows, 0.65) << kind.name << " code bit " << j;
    }
  }
}

TEST(PcaHash, SameOptionsGiveIdenticalModelBytes) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 7);
  for (const Kind& kind : kKinds) {
    const std::string first = Train(kind.train, Options(3), x)->Serialize();
    EXPECT_EQ(Train(kind.train, Options(3), x)->Serialize(), first)
        << kind.name;
  }
}

TEST(PcaHash, ItqSeedChoosesTheModel) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 8);
  const auto one = Train(TrainItqEncoder, Options(1), x);
  const auto two = Train(TrainItqEncoder, Options(2), x);
  EXPECT_NE(one->Serialize(), two->Serialize());
  EXPECT_NE(Encode(*one, x).codes, Encode(*two, x).codes);
  EXPECT_NE(Encode(*one, x).addresses, Encode(*two, x).addresses);
}

TEST(PcaHash, ItqAddressAndCodeAreSeparateRotations) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 9);
  const Encoded e = Encode(*Train(TrainItqEncoder, Options(1), x), x);
  int equal = 0;
  for (size_t i = 0; i < kRows; ++i) {
    equal += e.addresses[i] == AddressFromCode(e.code(i, 64), 16);
  }
  EXPECT_LT(equal, kRows / 10);
}

// Issue 16: `semhash train --encoder itq` showed "0/1 0%" for its whole
// training. Each iteration of both rotations is reported, in order, and the
// model is the one trained without a callback.
TEST(PcaHash, ItqReportsEachIterationAndTrainsTheSameModel) {
  const std::vector<float> x = AnisotropicGaussian(kRows, kDim, 12);
  EncoderOptions options = Options(4);
  options.itq_iterations = 7;
  std::vector<std::pair<uint64_t, uint64_t>> reports;
  options.itq_progress = [&reports](uint64_t done, uint64_t total) {
    reports.emplace_back(done, total);
  };
  const std::string reported = Train(TrainItqEncoder, options, x)->Serialize();
  ASSERT_EQ(reports.size(), 14u);
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i], std::make_pair(uint64_t{i + 1}, uint64_t{14}));
  }
  options.itq_progress = nullptr;
  EXPECT_EQ(Train(TrainItqEncoder, options, x)->Serialize(), reported);
}

TEST(PcaHash, RejectsMoreBitsThanDimensions) {
  const std::vector<float> x = AnisotropicGaussian(100, 63, 10);
  for (const Kind& kind : kKinds) {
    std::unique_ptr<Encoder> encoder;
    const Status s = kind.train(Options(1), 100, x.data(), 63, &encoder);
    EXPECT_TRUE(s.IsInvalidArgument()) << kind.name << ": " << s.ToString();
    for (const char* part : {"address_bits 16", "code_bits 64", "dim 63"}) {
      EXPECT_NE(s.message().find(part), std::string::npos) << s.ToString();
    }
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(PcaHash, RejectsFewerThanTwoVectors) {
  const std::vector<float> x = AnisotropicGaussian(2, kDim, 11);
  for (const Kind& kind : kKinds) {
    std::unique_ptr<Encoder> encoder;
    for (const size_t n : {0, 1}) {
      const Status s = kind.train(Options(1), n, x.data(), kDim, &encoder);
      EXPECT_TRUE(s.IsInvalidArgument()) << kind.name << ": " << s.ToString();
      EXPECT_EQ(encoder, nullptr);
    }
    EXPECT_TRUE(kind.train(Options(1), 2, x.data(), kDim, &encoder).ok());
  }
}

TEST(PcaHash, RejectsNonFiniteValuesAndBadBitCounts) {
  std::vector<float> x = AnisotropicGaussian(10, kDim, 12);
  EncoderOptions bad_code = Options(1);
  bad_code.code_bits = 72;
  for (const Kind& kind : kKinds) {
    std::unique_ptr<Encoder> encoder;
    EXPECT_TRUE(
        kind.train(bad_code, 10, x.data(), kDim, &encoder).IsInvalidArgument());
    x[5] = testing::kNaN;
    EXPECT_TRUE(kind.train(Options(1), 10, x.data(), kDim, &encoder)
                    .IsInvalidArgument());
    x[5] = 0;
    EXPECT_EQ(encoder, nullptr);
  }
}

}  // namespace
}  // namespace semhash

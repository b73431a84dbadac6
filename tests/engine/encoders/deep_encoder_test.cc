// DeepEncoder, the encoder of the deep kinds over stored networks: encoding
// and classifying against values worked out from the networks' definition,
// the model's round trip through bytes and a database, Load's refusals, and
// the deep kinds' canonical params. Needs no LibTorch: the networks are made
// by hand.
#include "engine/encoders/deep_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "engine/encoders/encoder_params.h"
#include "semhash/db.h"
#include "tests/engine/encoder_test_util.h"
#include "tests/engine/neural_net_test_util.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::Dense;
using testing::MakeNetOrFail;

constexpr uint32_t kDim = 3;
constexpr uint32_t kCodeBits = 64;

// features f = relu(2x). Address bit j (3 bits): f_j >= (1, 0, 5)_j. Code
// bit j: f_{j%3} >= 0.25 * (j/3). Classifier: logits (sum of the code
// units' sigmoids, -sum + 40) over two classes.
DeepHash TinyHash() {
  Layer scale;
  scale.kind = LayerKind::kScale;
  scale.scale = 2.0f;
  Layer relu;
  relu.kind = LayerKind::kRelu;
  std::vector<float> code_weights(kCodeBits * kDim, 0.0f), code_bias;
  for (uint32_t j = 0; j < kCodeBits; ++j) {
    code_weights[j * kDim + j % kDim] = 1.0f;
    code_bias.push_back(-0.25f * float(j / kDim));
  }
  std::vector<float> classifier_weights(2 * kCodeBits, 1.0f);
  for (uint32_t j = 0; j < kCodeBits; ++j) {
    classifier_weights[kCodeBits + j] = -1.0f;
  }
  DeepHash hash;
  hash.trunk = MakeNetOrFail({kDim, 1, 1}, {scale, relu});
  hash.address = MakeNetOrFail(
      {kDim, 1, 1},
      {Dense(3, {1, 0, 0, 0, 1, 0, 0, 0, 1}, {-1.0f, 0.0f, -5.0f})});
  hash.code =
      MakeNetOrFail({kDim, 1, 1}, {Dense(kCodeBits, code_weights, code_bias)});
  hash.classifier = MakeNetOrFail(
      {kCodeBits, 1, 1}, {Dense(2, classifier_weights, {0.0f, 40.0f})});
  hash.classes = 2;
  return hash;
}

std::unique_ptr<Encoder> TinyEncoder() {
  EXPECT_TRUE(CheckDeepHash(TinyHash()).ok());
  EncoderOptions options;
  options.kind = kSsdhEncoder;
  return MakeDeepEncoder(kSsdhEncoder, FormatEncoderParams(options),
                         TinyHash());
}

const std::vector<float> kVectors = {0.6f, 0.1f, 3.0f,  -1.0f, 2.0f,
                                     0.4f, 0.0f, 0.0f,  0.0f,  5.0f,
                                     5.0f, 5.0f, 0.45f, 0.2f,  2.4f};

TEST(DeepEncoderTest, EncodesByTheStoredNetworks) {
  const auto encoder = TinyEncoder();
  EXPECT_EQ(encoder->kind(), kSsdhEncoder);
  EXPECT_EQ(encoder->input_dim(), kDim);
  EXPECT_EQ(encoder->address_bits(), 3u);
  EXPECT_EQ(encoder->code_bits(), kCodeBits);
  const testing::Encoded encoded = testing::Encode(*encoder, kVectors);
  for (size_t i = 0; i < kVectors.size() / kDim; ++i) {
    float f[kDim];
    for (uint32_t d = 0; d < kDim; ++d) {
      f[d] = std::max(0.0f, 2.0f * kVectors[i * kDim + d]);
    }
    const Address address = (Address(f[0] >= 1.0f) << 2) |
                            (Address(f[1] >= 0.0f) << 1) | Address(f[2] >= 5);
    EXPECT_EQ(encoded.addresses[i], address) << "vector " << i;
    for (uint32_t j = 0; j < kCodeBits; ++j) {
      EXPECT_EQ(encoded.code_bit(i, kCodeBits, j),
                f[j % kDim] >= 0.25f * float(j / kDim))
          << "vector " << i << " bit " << j;
    }
  }
}

TEST(DeepEncoderTest, ClassifiesWithTheSoftmaxOfTheClassifier) {
  const auto encoder = TinyEncoder();
  ASSERT_EQ(encoder->class_count(), 2u);
  const size_t n = kVectors.size() / kDim;
  std::vector<uint32_t> classes(n);
  std::vector<float> probabilities(n);
  ASSERT_TRUE(encoder
                  ->Classify(n, kVectors.data(), kDim, classes.data(),
                             probabilities.data())
                  .ok());
  for (size_t i = 0; i < n; ++i) {
    double units = 0;  // Sum of sigmoid(code pre-activations).
    for (uint32_t j = 0; j < kCodeBits; ++j) {
      const double f = std::max(0.0f, 2.0f * kVectors[i * kDim + j % kDim]);
      units += 1 / (1 + std::exp(-(f - 0.25 * (j / kDim))));
    }
    const double logit0 = units, logit1 = 40 - units;
    const double p0 = 1 / (1 + std::exp(logit1 - logit0));
    EXPECT_EQ(classes[i], p0 >= 0.5 ? 0u : 1u) << "vector " << i;
    EXPECT_NEAR(probabilities[i], std::max(p0, 1 - p0), 1e-5);
  }
  // Both classes occur among these vectors, so the test sees each branch.
  EXPECT_NE(std::count(classes.begin(), classes.end(), 0u), 0);
  EXPECT_NE(std::count(classes.begin(), classes.end(), 1u), 0);
}

TEST(DeepEncoderTest, EncodeAndClassifyCheckTheirArguments) {
  const auto encoder = TinyEncoder();
  testing::ExpectEncodeRejected(*encoder, 1, {1, 2, 3, 4}, 4);
  testing::ExpectEncodeRejected(*encoder, 1, {1, testing::kNaN, 3}, kDim);
  uint32_t cls = 7;
  float probability = 0.25f;
  EXPECT_TRUE(encoder->Classify(1, kVectors.data(), 2, &cls, &probability)
                  .IsInvalidArgument());
  EXPECT_EQ(cls, 7u);
  EXPECT_EQ(probability, 0.25f);
}

TEST(DeepEncoderTest, OtherEncodersHaveNoClassifier) {
  DeepHash hash = TinyHash();
  hash.classifier = NeuralNet();
  hash.classes = 0;
  const auto encoder = MakeDeepEncoder(kAutoencoderEncoder,
                                       FormatEncoderParams(testing::MakeOptions(
                                           kAutoencoderEncoder, 3, kCodeBits)),
                                       std::move(hash));
  uint32_t cls = 0;
  float probability = 0;
  const Status s =
      encoder->Classify(1, kVectors.data(), kDim, &cls, &probability);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  const auto reloaded = testing::LoadOrDie(encoder->Serialize());
  ASSERT_NE(reloaded, nullptr);
  EXPECT_EQ(reloaded->class_count(), 0u);
  EXPECT_EQ(testing::Encode(*reloaded, kVectors),
            testing::Encode(*encoder, kVectors));
}

TEST(DeepEncoderTest, ModelRoundTripsThroughBytes) {
  const auto encoder = TinyEncoder();
  const std::string bytes = encoder->Serialize();
  const auto loaded = testing::LoadOrDie(bytes);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->kind(), encoder->kind());
  EXPECT_EQ(loaded->params(), encoder->params());
  EXPECT_EQ(loaded->class_count(), 2u);
  EXPECT_EQ(loaded->Serialize(), bytes);
  EXPECT_EQ(testing::Encode(*loaded, kVectors),
            testing::Encode(*encoder, kVectors));
}

TEST(DeepEncoderTest, ModelRoundTripsThroughADatabase) {
  testing::TempDir dir;
  const std::string bytes = TinyEncoder()->Serialize();
  const testing::Encoded encoded = testing::Encode(*TinyEncoder(), kVectors);
  {
    Options options;
    options.create_if_missing = true;
    options.address_bits = 8;
    options.code_bits = kCodeBits;
    options.encoder = TinyEncoder();
    std::unique_ptr<DB> db;
    // A 3-bit address is too narrow for a database: Open says so.
    const Status s = DB::Open(options, dir.Sub("narrow"), &db);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  // Widen the address to 8 bits (5 more rows of the identity's pattern).
  DeepHash hash = TinyHash();
  std::vector<float> weights(8 * kDim, 0.0f), bias(8, 0.0f);
  for (uint32_t j = 0; j < 8; ++j) weights[j * kDim + j % kDim] = 1.0f;
  hash.address = MakeNetOrFail({kDim, 1, 1}, {Dense(8, weights, bias)});
  std::shared_ptr<const Encoder> wide =
      MakeDeepEncoder(kSsdhEncoder, TinyEncoder()->params(), std::move(hash));
  const testing::Encoded wide_codes = testing::Encode(*wide, kVectors);
  {
    Options options;
    options.create_if_missing = true;
    options.address_bits = 8;
    options.code_bits = kCodeBits;
    options.encoder = wide;
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(options, dir.Sub("db"), &db).ok());
    for (uint64_t id = 0; id < kVectors.size() / kDim; ++id) {
      ASSERT_TRUE(db->Put(WriteOptions(), id, wide_codes.addresses[id],
                          wide_codes.code(id, kCodeBits))
                      .ok());
    }
  }
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(Options(), dir.Sub("db"), &db).ok());
  ASSERT_NE(db->encoder(), nullptr);
  EXPECT_EQ(db->encoder()->Serialize(), wide->Serialize());
  EXPECT_EQ(db->info().encoder_kind, kSsdhEncoder);
  EXPECT_EQ(testing::Encode(*db->encoder(), kVectors), wide_codes);
  EXPECT_EQ(db->encoder()->class_count(), 2u);
  EXPECT_NE(encoded.codes, std::vector<uint8_t>());
}

TEST(DeepEncoderTest, LoadRefusesNetworksThatDoNotFitTogether) {
  DeepHash wrong_classes = TinyHash();
  wrong_classes.classes = 3;
  testing::ExpectLoadCorruption(
      MakeDeepEncoder(kSsdhEncoder, TinyEncoder()->params(), wrong_classes)
          ->Serialize(),
      "the classifier's output size is 2, expected 3");
  DeepHash narrow_code = TinyHash();
  narrow_code.code = MakeNetOrFail(
      {kDim, 1, 1},
      {Dense(32, std::vector<float>(96, 1), std::vector<float>(32, 0))});
  testing::ExpectLoadCorruption(
      MakeDeepEncoder(kSsdhEncoder, TinyEncoder()->params(), narrow_code)
          ->Serialize(),
      "code width 32 is not a multiple of 64");
  DeepHash bad_params = TinyHash();
  testing::ExpectLoadCorruption(
      MakeDeepEncoder(kSsdhEncoder, "alpha=1.0", bad_params)->Serialize(),
      "are not canonical");
}

TEST(DeepEncoderTest, LoadRefusesDamagedModels) {
  const std::string bytes = TinyEncoder()->Serialize();
  testing::ExpectEveryTruncationRejected(bytes);
  testing::ExpectEveryByteFlipHandled(bytes, {0x01, 0x80, 0xff},
                                      {0.5f, 0.5f, 0.5f});
}

TEST(DeepEncoderTest, DeepParamsAreCanonical) {
  EncoderOptions options;
  options.kind = kSsdhEncoder;
  options.seed = 7;
  options.deep.hidden = {300, 100};
  options.deep.image_channels = 1;
  options.deep.image_height = 28;
  options.deep.image_width = 28;
  options.deep.learning_rate = 0.0003f;
  options.deep.beta = 0.1f;
  const std::string params = FormatEncoderParams(options);
  EXPECT_EQ(params,
            "alpha=1,batch=128,beta=0.1,epochs=30,gamma=1,hidden=300-100,"
            "holdout=0.1,image=1x28x28,lr=3e-04,patience=3,sample=0,seed=7,"
            "weight_decay=1e-05");
  EncoderOptions parsed;
  ASSERT_TRUE(ParseEncoderParams(kSsdhEncoder, params, &parsed).ok());
  EXPECT_EQ(parsed.deep.hidden, options.deep.hidden);
  EXPECT_EQ(parsed.deep.image_height, 28u);
  EXPECT_EQ(parsed.deep.learning_rate, 0.0003f);
  EXPECT_EQ(parsed.deep.beta, 0.1f);
  EXPECT_EQ(parsed.seed, 7u);
  // The default widths are recorded, so they are part of the identity.
  options.deep.hidden.clear();
  EXPECT_NE(FormatEncoderParams(options).find("hidden=256,"),
            std::string::npos);
  options.kind = kAutoencoderEncoder;
  EXPECT_EQ(FormatEncoderParams(options),
            "batch=128,epochs=30,hidden=512-256,holdout=0.1,lr=3e-04,"
            "patience=3,sample=0,seed=7,weight_decay=1e-05");
  for (const char* wrong :
       {"alpha=1.0,batch=128", "batch=128", "", "seed=7,sample=0",
        "alpha=1,batch=128,beta=0.1,epochs=30,gamma=1,hidden=300-100,"
        "holdout=0.1,image=1x28,lr=3e-04,patience=3,sample=0,seed=7,"
        "weight_decay=1e-05"}) {
    EXPECT_TRUE(ParseEncoderParams(kSsdhEncoder, wrong, &parsed).IsCorruption())
        << wrong;
  }
}

}  // namespace
}  // namespace semhash

// Tests for the persisted encoder model (engine/encoders/encoder_model.cc,
// format/encoder_model.fbs): round trips of every linear kind, and Load's
// refusal of damaged, inconsistent or non-canonical models.
#include "engine/encoders/encoder_model.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoders/fb_convert.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::AnisotropicGaussian;
using testing::Encode;
using testing::ExpectLoadCorruption;
using testing::kInf;
using testing::kNaN;
using testing::LoadOrDie;
using testing::MakeHash;
using testing::TinyAddressHash;
using testing::TinyCodeHash;

std::string TinyModel() {
  return SerializeLinearModel("lsh", "sample=0,seed=7", TinyAddressHash(),
                              TinyCodeHash());
}

TEST(EncoderModel, RoundTripsEveryLinearKind) {
  const std::vector<float> x = AnisotropicGaussian(600, 80, 1);
  for (const char* kind : {kLshEncoder, kPcahEncoder, kItqEncoder}) {
    EncoderOptions options = testing::MakeOptions(kind, 16, 64);
    options.itq_iterations = 10;
    std::unique_ptr<Encoder> trained;
    ASSERT_TRUE(TrainEncoder(options, 600, x.data(), 80, &trained).ok());
    const std::string bytes = trained->Serialize();
    const auto loaded = LoadOrDie(bytes);
    ASSERT_NE(loaded, nullptr) << kind;
    EXPECT_EQ(loaded->Serialize(), bytes) << kind;
    EXPECT_EQ(loaded->kind(), kind);
    EXPECT_EQ(loaded->params(), trained->params()) << kind;
    EXPECT_EQ(loaded->input_dim(), 80u) << kind;
    EXPECT_EQ(loaded->address_bits(), 16u) << kind;
    EXPECT_EQ(loaded->code_bits(), 64u) << kind;
    EXPECT_EQ(Encode(*loaded, x), Encode(*trained, x)) << kind;
  }
}

TEST(EncoderModel, LoadRejectsEveryTruncation) {
  testing::ExpectEveryTruncationRejected(TinyModel());
}

TEST(EncoderModel, LoadSurvivesEveryByteFlip) {
  testing::ExpectEveryByteFlipHandled(TinyModel(), {0x01, 0x80, 0xFF},
                                      {0.5f, 1});
}

TEST(EncoderModel, LoadNamesWhatIsInconsistent) {
  // Load must name `message` once mutate(address, code) spoils the model.
  const auto expect = [](const char* message, auto mutate) {
    LinearHash address = TinyAddressHash();
    LinearHash code = TinyCodeHash();
    mutate(address, code);
    ExpectLoadCorruption(
        SerializeLinearModel("lsh", "sample=0,seed=7", address, code), message);
  };
  expect("address hash: weights has 5 values, expected 6",
         [](LinearHash& a, LinearHash&) { a.weights.pop_back(); });
  expect("code hash: mean has 3 values, expected 2",
         [](LinearHash&, LinearHash& c) { c.mean.push_back(0); });
  expect("address hash: thresholds has 0 values, expected 3",
         [](LinearHash& a, LinearHash&) { a.thresholds.clear(); });
  expect("code hash: weights[3] is not finite",
         [](LinearHash&, LinearHash& c) { c.weights[3] = kNaN; });
  expect("address hash: mean[1] is not finite",
         [](LinearHash& a, LinearHash&) { a.mean[1] = kInf; });
  expect("code hash: thresholds[0] is not finite",
         [](LinearHash&, LinearHash& c) { c.thresholds[0] = -kInf; });
  expect("address hash: bits is 0", [](LinearHash& a, LinearHash&) {
    a = MakeHash(0, {1, 2}, {}, {});
  });
  expect("address hash: input_dim is 0", [](LinearHash& a, LinearHash&) {
    a = MakeHash(3, {}, {}, {0, 0, 0});
  });
  expect("address hash has 33 bits", [](LinearHash& a, LinearHash&) {
    a = MakeHash(33, {0, 0}, std::vector<float>(66), std::vector<float>(33));
  });
  expect("code hash has 72 bits", [](LinearHash&, LinearHash& c) {
    c = MakeHash(72, {0, 0}, std::vector<float>(144), std::vector<float>(72));
  });
  expect("code hash has 2048 bits", [](LinearHash&, LinearHash& c) {
    c = MakeHash(2048, {0, 0}, std::vector<float>(4096),
                 std::vector<float>(2048));
  });
  expect("differs from code hash input_dim 3", [](LinearHash&, LinearHash& c) {
    c = MakeHash(64, {0, 0, 0}, std::vector<float>(192),
                 std::vector<float>(64));
  });
}

// A model built field by field, for shapes SerializeLinearModel cannot make.
std::string HandMadeModel(const char* kind, uint32_t input_dim,
                          bool with_code) {
  flatbuffers::FlatBufferBuilder builder;
  const LinearHash a = TinyAddressHash();
  const LinearHash c = TinyCodeHash();
  const auto address = fb::CreateLinearHashDirect(
      builder, a.bits, a.input_dim, &a.mean, &a.weights, &a.thresholds);
  const auto code =
      with_code ? fb::CreateLinearHashDirect(builder, c.bits, c.input_dim,
                                             &c.mean, &c.weights, &c.thresholds)
                : 0;
  fb::FinishEncoderModelBuffer(
      builder, fb::CreateEncoderModelDirect(builder, kind, "sample=0,seed=7",
                                            input_dim, address, code));
  return FinishedBytes(builder);
}

TEST(EncoderModel, HandMadeModelLoads) {
  // Guards the three tests below: only the field they change is wrong.
  EXPECT_NE(LoadOrDie(HandMadeModel("lsh", 2, true)), nullptr);
}

TEST(EncoderModel, LoadRejectsModelInputDimMismatch) {
  ExpectLoadCorruption(HandMadeModel("lsh", 3, true), "model input_dim 3");
}

TEST(EncoderModel, LoadRejectsMissingHashOrKind) {
  ExpectLoadCorruption(HandMadeModel("lsh", 2, false), "code hash is missing");
  ExpectLoadCorruption(HandMadeModel(nullptr, 2, true), "kind is missing");
}

TEST(EncoderModel, UnknownKindIsNotSupported) {
  std::unique_ptr<Encoder> encoder;
  Status s = Encoder::Load(HandMadeModel("spectral", 2, true), &encoder);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("'spectral'"), std::string::npos);
  s = Encoder::Load(HandMadeModel("\x01z", 2, true), &encoder);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("'\\x01z'"), std::string::npos) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

TEST(EncoderModel, LoadsEveryLinearKindWithItsCanonicalParams) {
  const struct {
    const char* kind;
    const char* params;
  } cases[] = {{"lsh", "sample=0,seed=18446744073709551615"},
               {"pcah", "sample=100,seed=1"},
               {"itq", "iterations=50,sample=0,seed=42"},
               {"itq", "iterations=0,sample=0,seed=0"}};
  for (const auto& c : cases) {
    const auto encoder = LoadOrDie(SerializeLinearModel(
        c.kind, c.params, TinyAddressHash(), TinyCodeHash()));
    ASSERT_NE(encoder, nullptr) << c.kind << " " << c.params;
    EXPECT_EQ(encoder->kind(), c.kind);
    EXPECT_EQ(encoder->params(), c.params);
  }
}

TEST(EncoderModel, LoadRejectsNonCanonicalParams) {
  const struct {
    const char* kind;
    const char* params;
  } cases[] = {
      {"lsh", ""},
      {"lsh", "seed=7"},  // Before params were canonical.
      {"lsh", "sample=0,seed="},
      {"lsh", "sample=0,seed=042"},
      {"lsh", "sample=0,seed=+1"},
      {"lsh", "sample=0,seed=1,x=2"},
      {"lsh", "Sample=0,seed=1"},
      {"lsh", "seed=1,sample=0"},
      {"lsh", "sample=0,seed=18446744073709551616"},
      {"lsh", "iterations=50,sample=0,seed=1"},
      {"pcah", "iterations=50,sample=0,seed=1"},
      {"pcah", "sample=00,seed=1"},
      {"itq", "sample=0,seed=1"},
      {"itq", "iterations=4294967296,sample=0,seed=1"},
      {"itq", "iterations=50,seed=1"},
  };
  for (const auto& c : cases) {
    std::unique_ptr<Encoder> encoder;
    const Status s =
        Encoder::Load(SerializeLinearModel(c.kind, c.params, TinyAddressHash(),
                                           TinyCodeHash()),
                      &encoder);
    EXPECT_TRUE(s.IsCorruption())
        << c.kind << " " << c.params << ": " << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(EncoderModel, LoadRejectsForeignBytes) {
  std::string other_identifier = TinyModel();
  other_identifier[4] = 'X';
  for (const std::string& bytes :
       {std::string(), std::string("SHEM"), std::string(64, '\0'),
        std::string("not a model at all"), other_identifier}) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(bytes, &encoder);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(EncoderModel, LoadAcceptsMisalignedBytes) {
  const std::string bytes = TinyModel();
  const std::string shifted = "x" + bytes;
  const auto encoder = LoadOrDie(std::string_view(shifted).substr(1));
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->Serialize(), bytes);
}

}  // namespace
}  // namespace semhash

// Tests for a semhash built without LibTorch (engine/
// deep_trainers_without_torch.cc; compiled only in that build): it refuses
// to train the deep encoders and to load a torchscript model, as
// NotSupported saying what is missing, and leaves no encoder.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoders/deep_trainers.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

constexpr size_t kRows = 40;
constexpr size_t kDim = 8;

void ExpectNoTorch(const Status& s, const std::unique_ptr<Encoder>& encoder,
                   const std::string& what) {
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find(what + " needs LibTorch, and this semhash was "
                                    "built without it"),
            std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("-DSEMHASH_WITH_TORCH=ON"), std::string::npos);
  EXPECT_EQ(encoder, nullptr);
}

TEST(WithoutTorch, DeepKindsAreNotTrained) {
  EXPECT_FALSE(HaveTorch());
  const std::vector<float> x = testing::Gaussian(kRows, kDim, 1);
  const std::vector<uint32_t> labels(kRows, 1);
  const struct {
    const char* kind;
    const char* what;
  } cases[] = {{kAutoencoderEncoder, "training the autoencoder encoder"},
               {kSsdhEncoder, "training the ssdh encoder"},
               {kTorchScriptEncoder, "the torchscript encoder"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind);
    EncoderOptions options = testing::MakeOptions(c.kind, 16, 64);
    options.torchscript_path = "model.pt";
    std::unique_ptr<Encoder> encoder;
    const Status s =
        TrainEncoder(options, kRows, x.data(), kDim, labels.data(), &encoder);
    ExpectNoTorch(s, encoder, c.what);
  }
}

TEST(WithoutTorch, TorchScriptModelsAreNotLoaded) {
  flatbuffers::FlatBufferBuilder builder;
  const std::vector<uint8_t> module = {'P', 'K', 3, 4};
  const auto torchscript = fb::CreateTorchScriptModule(
      builder, builder.CreateVector(module), 0.0f, 16, 64);
  const auto kind = builder.CreateString(kTorchScriptEncoder);
  const auto params = builder.CreateString("threshold=0");
  fb::EncoderModelBuilder model(builder);
  model.add_kind(kind);
  model.add_params(params);
  model.add_input_dim(kDim);
  model.add_torchscript(torchscript);
  fb::FinishEncoderModelBuffer(builder, model.Finish());
  std::unique_ptr<Encoder> encoder;
  const Status s = Encoder::Load(
      std::string_view(
          reinterpret_cast<const char*>(builder.GetBufferPointer()),
          builder.GetSize()),
      &encoder);
  ExpectNoTorch(s, encoder, "a torchscript encoder model");
}

}  // namespace
}  // namespace semhash

// Tests for the autoencoder encoder (engine/encoders/torch_autoencoder.cc): the
// stochastic binary units and their straight-through gradient, the export
// of the encoder into semhash's layers, and training end to end.
#include "engine/encoders/torch_autoencoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/encoders/deep_trainers.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::Encode;
using testing::Gaussian;

constexpr size_t kDim = 12;

at::Generator Generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

EncoderOptions TinyOptions() {
  EncoderOptions options = testing::MakeOptions(kAutoencoderEncoder, 8, 64);
  options.deep.hidden = {16};
  options.deep.max_epochs = 3;
  options.deep.batch_size = 32;
  options.deep.threads = 1;
  return options;
}

std::unique_ptr<Encoder> TrainTiny(const EncoderOptions& options,
                                   const std::vector<float>& x) {
  return testing::TrainOrDie(TrainAutoencoderEncoder, options, x, kDim);
}

TEST(StochasticBinary, ForwardGivesExactlyZerosAndOnes) {
  at::Generator generator = Generator(1);
  const torch::Tensor logits = torch::linspace(-6, 6, 1001);
  const torch::Tensor bits = StochasticBinary(logits, generator);
  EXPECT_TRUE(((bits == 0) | (bits == 1)).all().item<bool>());
  // Saturated units are certain; units at 0 are a fair coin.
  EXPECT_EQ(
      StochasticBinary(torch::full({100}, 40.0), generator).sum().item<float>(),
      100.0f);
  EXPECT_EQ(StochasticBinary(torch::full({100}, -40.0), generator)
                .sum()
                .item<float>(),
            0.0f);
  const float ones =
      StochasticBinary(torch::zeros({10000}), generator).sum().item<float>();
  EXPECT_NEAR(ones, 5000, 300);
}

TEST(StochasticBinary, SameGeneratorSeedSameSample) {
  const torch::Tensor logits = torch::linspace(-3, 3, 500);
  at::Generator one = Generator(5), two = Generator(5), three = Generator(6);
  const torch::Tensor a = StochasticBinary(logits, one);
  EXPECT_TRUE(a.equal(StochasticBinary(logits, two)));
  EXPECT_FALSE(a.equal(StochasticBinary(logits, three)));
}

TEST(StochasticBinary, GradientPassesStraightThroughTheSample) {
  at::Generator generator = Generator(2);
  torch::manual_seed(2);
  const torch::Tensor logits = torch::randn({64}).requires_grad_();
  const torch::Tensor upstream = torch::randn({64});
  (StochasticBinary(logits, generator) * upstream).sum().backward();
  const torch::Tensor sigmoid = torch::sigmoid(logits.detach());
  const torch::Tensor expected = sigmoid * (1 - sigmoid) * upstream;
  ASSERT_TRUE(logits.grad().defined());
  EXPECT_TRUE((logits.grad() != 0).all().item<bool>());
  EXPECT_TRUE(torch::allclose(logits.grad(), expected, 1e-6, 1e-7));
}

TEST(BinaryAutoencoder, ExportedEncoderMatchesTorch) {
  torch::manual_seed(3);
  BinaryAutoencoder autoencoder(kDim, std::vector<uint32_t>{24, 16}, 64,
                                InputScale{0.5f, -0.25f}, 3);
  autoencoder->eval();
  NeuralNet net;
  ASSERT_TRUE(autoencoder->ExportEncoder(&net).ok());
  EXPECT_EQ(net.input_shape(), (TensorShape{kDim, 1, 1}));
  EXPECT_EQ(net.output_shape(), (TensorShape{64, 1, 1}));
  ASSERT_EQ(net.layers().size(), 6u);  // scale, (dense, relu) x 2, dense.

  const torch::Tensor inputs = torch::randn({50, kDim}) * 3 + 1;
  const torch::Tensor expected = autoencoder->CodeLogits(inputs).detach();
  std::vector<float> ours;
  net.Forward(50, inputs.data_ptr<float>(), &ours);
  ASSERT_EQ(ours.size(), 50u * 64);
  EXPECT_TRUE(torch::allclose(torch::tensor(ours).view({50, 64}), expected,
                              1e-4, 1e-4));
}

TEST(BinaryAutoencoder, FewStepsLowerTheLoss) {
  const std::vector<float> x = Gaussian(256, kDim, 4);
  const torch::Tensor inputs = torch::tensor(x).view({256, kDim});
  TorchTrainingScope scope(4, 1);
  BinaryAutoencoder autoencoder(kDim, std::vector<uint32_t>{32}, 8,
                                InputScale{}, 4);
  autoencoder->eval();
  const float before = autoencoder->ReconstructionLoss(inputs).item<float>();
  DeepTrainingOptions options;
  options.max_epochs = 5;
  options.batch_size = 32;
  options.holdout = 0;
  options.learning_rate = 3e-3f;
  TrainModule("code", options, 4, TrainingSet{inputs, {}}, *autoencoder,
              [&](const torch::Tensor& batch, const torch::Tensor&) {
                return BatchLoss{autoencoder->ReconstructionLoss(batch), {}};
              });
  const float after = autoencoder->ReconstructionLoss(inputs).item<float>();
  EXPECT_LT(after, 0.9f * before) << before << " -> " << after;
}

TEST(TrainAutoencoderEncoder, ModelReloadsAndEncodesAlike) {
  const std::vector<float> x = Gaussian(200, kDim, 5, 2.0f);
  const auto encoder = TrainTiny(TinyOptions(), x);
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->kind(), kAutoencoderEncoder);
  EXPECT_EQ(encoder->input_dim(), kDim);
  EXPECT_EQ(encoder->address_bits(), 8u);
  EXPECT_EQ(encoder->code_bits(), 64u);
  EXPECT_EQ(encoder->class_count(), 0u);
  const auto loaded = testing::LoadOrDie(encoder->Serialize());
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->params(), encoder->params());
  EXPECT_EQ(Encode(*loaded, x), Encode(*encoder, x));
  EXPECT_EQ(loaded->Serialize(), encoder->Serialize());
}

TEST(TrainAutoencoderEncoder, CodesVaryAcrossInputs) {
  const std::vector<float> x = Gaussian(200, kDim, 6);
  const auto encoder = TrainTiny(TinyOptions(), x);
  ASSERT_NE(encoder, nullptr);
  const testing::Encoded encoded = Encode(*encoder, x);
  size_t distinct_codes = 0;
  for (size_t i = 1; i < 200; ++i) {
    distinct_codes +=
        HammingDistance(encoded.code(i, 64), encoded.code(0, 64)) > 0;
  }
  EXPECT_GT(distinct_codes, 100u);
}

TEST(TrainAutoencoderEncoder, SameSeedGivesIdenticalModelBytes) {
  const std::vector<float> x = Gaussian(200, kDim, 7);
  const std::string first = TrainTiny(TinyOptions(), x)->Serialize();
  EXPECT_EQ(TrainTiny(TinyOptions(), x)->Serialize(), first);
  EncoderOptions other_seed = TinyOptions();
  other_seed.seed = 43;
  EXPECT_NE(TrainTiny(other_seed, x)->Serialize(), first);
}

TEST(TrainAutoencoderEncoder, ReportsBothModels) {
  const std::vector<float> x = Gaussian(100, kDim, 8);
  EncoderOptions options = TinyOptions();
  std::vector<std::string> models;
  options.deep.progress = [&](const TrainingProgress& p) {
    if (p.epoch_done && p.stopping) models.push_back(p.model);
  };
  ASSERT_NE(TrainTiny(options, x), nullptr);
  EXPECT_EQ(models, (std::vector<std::string>{"address", "code"}));
}

TEST(TrainAutoencoderEncoder, RejectsInvalidOptions) {
  const std::vector<float> x = Gaussian(50, kDim, 9);
  EncoderOptions options = TinyOptions();
  options.deep.batch_size = 0;
  std::unique_ptr<Encoder> encoder;
  Status s = TrainAutoencoderEncoder(options, 50, x.data(), kDim, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options = TinyOptions();
  options.code_bits = 65;
  s = TrainAutoencoderEncoder(options, 50, x.data(), kDim, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

}  // namespace
}  // namespace semhash

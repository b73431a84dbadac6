// Tests for the deep trainers' shared loop (engine/encoders/torch_training.cc):
// the checks of the options, the input scale, progress reports, early stopping
// that keeps the best epoch's weights, and the LibTorch settings a training
// scope changes and restores.
#include "engine/encoders/torch_training.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "semhash/encoder_training.h"

namespace semhash {
namespace {

EncoderOptions ValidOptions() {
  EncoderOptions options;
  options.address_bits = 16;
  options.code_bits = 64;
  return options;
}

// A module of one weight w, initially 1.
struct OneWeightImpl : torch::nn::Module {
  OneWeightImpl() : w(register_parameter("w", torch::ones({1}))) {}
  torch::Tensor w;
};
TORCH_MODULE(OneWeight);

TEST(CheckDeepOptions, AcceptsTheDefaults) {
  EXPECT_TRUE(CheckDeepOptions(ValidOptions(), 10, true).ok());
  EXPECT_TRUE(CheckDeepOptions(ValidOptions(), 10, false).ok());
}

TEST(CheckDeepOptions, RejectsEachBadOption) {
  const struct {
    const char* what;
    void (*spoil)(EncoderOptions*);
  } cases[] = {
      {"address_bits", [](EncoderOptions* o) { o->address_bits = 33; }},
      {"code_bits", [](EncoderOptions* o) { o->code_bits = 100; }},
      {"batch_size", [](EncoderOptions* o) { o->deep.batch_size = 0; }},
      {"max_epochs", [](EncoderOptions* o) { o->deep.max_epochs = 0; }},
      {"holdout", [](EncoderOptions* o) { o->deep.holdout = 0.6f; }},
      {"holdout", [](EncoderOptions* o) { o->deep.holdout = -0.1f; }},
      {"holdout", [](EncoderOptions* o) { o->deep.holdout = NAN; }},
      {"patience", [](EncoderOptions* o) { o->deep.patience = 0; }},
      {"learning_rate", [](EncoderOptions* o) { o->deep.learning_rate = 0; }},
      {"learning_rate",
       [](EncoderOptions* o) { o->deep.learning_rate = INFINITY; }},
      {"weight_decay", [](EncoderOptions* o) { o->deep.weight_decay = -1; }},
      {"alpha", [](EncoderOptions* o) { o->deep.alpha = NAN; }},
      {"beta", [](EncoderOptions* o) { o->deep.beta = -1; }},
      {"gamma", [](EncoderOptions* o) { o->deep.gamma = INFINITY; }},
      {"hidden width",
       [](EncoderOptions* o) {
         o->deep.hidden = {8, 0};
       }},
  };
  for (const auto& c : cases) {
    EncoderOptions options = ValidOptions();
    c.spoil(&options);
    const Status s = CheckDeepOptions(options, 10, false);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.what), std::string::npos) << s.ToString();
  }
}

TEST(CheckDeepOptions, PatienceMayBeZeroWithoutHoldout) {
  EncoderOptions options = ValidOptions();
  options.deep.holdout = 0;
  options.deep.patience = 0;
  EXPECT_TRUE(CheckDeepOptions(options, 10, false).ok());
}

TEST(CheckDeepOptions, ImageShapeMustHoldDim) {
  EncoderOptions options = ValidOptions();
  options.deep.image_channels = 1;
  options.deep.image_height = 28;
  options.deep.image_width = 28;
  EXPECT_TRUE(CheckDeepOptions(options, 784, true).ok());
  EXPECT_TRUE(CheckDeepOptions(options, 785, true).IsInvalidArgument());
  // The autoencoder takes no image shape and ignores it.
  EXPECT_TRUE(CheckDeepOptions(options, 785, false).ok());
  options.deep.image_channels = 0;
  EXPECT_TRUE(CheckDeepOptions(options, 784, true).IsInvalidArgument());
}

TEST(CheckDeepOptions, ImageNetworkTakesOneHiddenWidthAndFourPixels) {
  EncoderOptions options = ValidOptions();
  options.deep.image_channels = 3;
  options.deep.image_height = 3;
  options.deep.image_width = 10;
  EXPECT_TRUE(CheckDeepOptions(options, 90, true).IsInvalidArgument());
  options.deep.image_height = 4;
  EXPECT_TRUE(CheckDeepOptions(options, 120, true).ok());
  options.deep.hidden = {64, 32};
  EXPECT_TRUE(CheckDeepOptions(options, 120, true).IsInvalidArgument());
}

TEST(CheckModelParameterCount, RefusesModelsOver2GiB) {
  EXPECT_TRUE(CheckModelParameterCount(100'000'000).ok());
  EXPECT_TRUE(CheckModelParameterCount(600'000'000).IsInvalidArgument());
}

TEST(CatchTorchErrors, TurnsExceptionsIntoInvalidArgument) {
  const Status s = CatchTorchErrors("multiplying", [] {
    (void)torch::mm(torch::ones({2, 3}), torch::ones({2, 3}));
    return Status::OK();
  });
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("multiplying failed in LibTorch"),
            std::string::npos);
}

TEST(MeasureInputScale, MapsToMeanZeroDeviationOne) {
  // Mean 3, deviation sqrt((4 + 0 + 4 + 0) / 4) = sqrt(2).
  const float values[] = {1, 3, 5, 3};
  const InputScale scale = MeasureInputScale(2, values, 2);
  EXPECT_FLOAT_EQ(scale.scale, 1 / std::sqrt(2.0f));
  EXPECT_FLOAT_EQ(scale.shift, -3 / std::sqrt(2.0f));
}

TEST(MeasureInputScale, ConstantInputOnlyShifts) {
  const float values[] = {2, 2, 2};
  const InputScale scale = MeasureInputScale(3, values, 1);
  EXPECT_EQ(scale.scale, 1.0f);
  EXPECT_EQ(scale.shift, -2.0f);
}

TEST(TorchTrainingScope, RestoresThreadsAndDeterminism) {
  torch::set_num_threads(1);
  {
    TorchTrainingScope scope(1, 2);
    EXPECT_EQ(torch::get_num_threads(), 2);
    EXPECT_TRUE(at::globalContext().deterministicAlgorithms());
  }
  EXPECT_EQ(torch::get_num_threads(), 1);
  EXPECT_FALSE(at::globalContext().deterministicAlgorithms());
}

TEST(TrainModule, ReportsEachBatchAndEachEpoch) {
  DeepTrainingOptions options;
  options.max_epochs = 2;
  options.batch_size = 4;
  options.holdout = 0;
  std::vector<TrainingProgress> reports;
  options.progress = [&](const TrainingProgress& p) { reports.push_back(p); };
  TorchTrainingScope scope(7, 1);
  OneWeight module;
  const TrainingSet data{torch::arange(10, torch::kFloat).view({10, 1}), {}};
  TrainModule("test", options, 7, data, *module,
              [&](const torch::Tensor& x, const torch::Tensor&) {
                const torch::Tensor half = (module->w * x).square().mean();
                return BatchLoss{half * 2, {{"half", half}}};
              });
  // Per epoch: batches of 4, 4 and 2 examples, then the epoch's end.
  ASSERT_EQ(reports.size(), 8u);
  const size_t done[] = {4, 8, 10, 10};
  for (size_t i = 0; i < reports.size(); ++i) {
    const TrainingProgress& p = reports[i];
    EXPECT_EQ(p.model, "test");
    EXPECT_EQ(p.epoch, i / 4 + 1);
    EXPECT_EQ(p.max_epochs, 2u);
    EXPECT_EQ(p.examples_done, done[i % 4]);
    EXPECT_EQ(p.examples_per_epoch, 10u);
    EXPECT_EQ(p.epoch_done, i % 4 == 3);
    EXPECT_EQ(p.stopping, i == 7);
    EXPECT_EQ(p.losses.rfind("loss ", 0), 0u) << p.losses;
    EXPECT_NE(p.losses.find(" half "), std::string::npos) << p.losses;
  }
}

TEST(TrainModule, LossTextHasThreeSignificantDigits) {
  DeepTrainingOptions options;
  options.max_epochs = 1;
  options.holdout = 0;
  std::string losses;
  options.progress = [&](const TrainingProgress& p) { losses = p.losses; };
  TorchTrainingScope scope(7, 1);
  OneWeight module;
  const TrainingSet data{torch::zeros({3, 1}), {}};
  TrainModule("test", options, 7, data, *module,
              [&](const torch::Tensor&, const torch::Tensor&) {
                const torch::Tensor zero = module->w.sum() * 0;
                return BatchLoss{zero + 0.41234, {{"push", zero - 0.0021234}}};
              });
  EXPECT_EQ(losses, "loss 0.412 push -0.00212");
}

// Training pulls w from 1 towards 10 while the held-out loss, (w - 0)^2 in
// eval() mode, only grows: the first epoch is the best, training stops
// `patience` epochs later and returns to its weights.
TEST(TrainModule, StopsEarlyAndKeepsTheBestEpoch) {
  DeepTrainingOptions options;
  options.max_epochs = 20;
  options.patience = 2;
  options.holdout = 0.2f;
  options.learning_rate = 0.1f;
  options.weight_decay = 0;
  std::vector<float> weight_after_epoch;
  std::vector<TrainingProgress> epochs;
  TorchTrainingScope scope(7, 1);
  OneWeight module;
  options.progress = [&](const TrainingProgress& p) {
    if (!p.epoch_done) return;
    epochs.push_back(p);
    weight_after_epoch.push_back(module->w.item<float>());
  };
  const TrainingSet data{torch::zeros({20, 1}), {}};
  TrainModule("test", options, 7, data, *module,
              [&](const torch::Tensor&, const torch::Tensor&) {
                const float target = module->is_training() ? 10.0f : 0.0f;
                return BatchLoss{(module->w - target).square().sum(), {}};
              });
  ASSERT_EQ(epochs.size(), 3u);
  EXPECT_EQ(epochs[0].examples_per_epoch, 16u);
  EXPECT_LT(epochs[0].holdout_loss, epochs[1].holdout_loss);
  EXPECT_LT(epochs[1].holdout_loss, epochs[2].holdout_loss);
  EXPECT_FALSE(epochs[1].stopping);
  EXPECT_TRUE(epochs[2].stopping);
  EXPECT_GT(weight_after_epoch[2], weight_after_epoch[0]);
  EXPECT_EQ(module->w.item<float>(), weight_after_epoch[0]);
  EXPECT_FALSE(module->is_training());
}

// The held-out loss falls by `step` (of 1) each epoch.
uint32_t EpochsRunWithHeldOutLossFalling(double step) {
  DeepTrainingOptions options;
  options.max_epochs = 10;
  options.patience = 3;
  options.holdout = 0.5f;
  uint32_t epochs = 0;
  options.progress = [&](const TrainingProgress& p) { epochs = p.epoch; };
  TorchTrainingScope scope(7, 1);
  OneWeight module;
  int evaluations = 0;
  TrainModule("test", options, 7, TrainingSet{torch::zeros({8, 1}), {}},
              *module, [&](const torch::Tensor&, const torch::Tensor&) {
                const torch::Tensor w = module->w.sum() * 0;
                if (module->is_training()) return BatchLoss{w, {}};
                return BatchLoss{w + (1 - step * ++evaluations), {}};
              });
  return epochs;
}

TEST(TrainModule, ImprovementsUnderOnePercentDoNotCount) {
  EXPECT_EQ(EpochsRunWithHeldOutLossFalling(0.003), 4u);
  EXPECT_EQ(EpochsRunWithHeldOutLossFalling(0.02), 10u);
}

TEST(ExportLayers, CopyTorchWeightsInTheirLayout) {
  torch::manual_seed(3);
  torch::nn::Linear linear(3, 2);
  const Layer dense = DenseLayer(linear);
  EXPECT_EQ(dense.kind, LayerKind::kDense);
  EXPECT_EQ(dense.outputs, 2u);
  ASSERT_EQ(dense.weights.size(), 6u);
  EXPECT_EQ(dense.weights[1 * 3 + 2], linear->weight[1][2].item<float>());
  EXPECT_EQ(dense.bias[1], linear->bias[1].item<float>());

  torch::nn::Conv2d conv(
      torch::nn::Conv2dOptions(2, 4, 3).stride(2).padding(1));
  const Layer layer = Conv2dLayer(conv);
  EXPECT_EQ(layer.kind, LayerKind::kConv2d);
  EXPECT_EQ(layer.outputs, 4u);
  EXPECT_EQ(layer.kernel, 3u);
  EXPECT_EQ(layer.stride, 2u);
  EXPECT_EQ(layer.padding, 1u);
  ASSERT_EQ(layer.weights.size(), 4u * 2 * 3 * 3);
  EXPECT_EQ(layer.weights[((3 * 2 + 1) * 3 + 2) * 3 + 0],
            conv->weight[3][1][2][0].item<float>());
  EXPECT_EQ(layer.bias[3], conv->bias[3].item<float>());

  const Layer scale = ScaleLayer(InputScale{0.5f, -1.0f});
  EXPECT_EQ(scale.kind, LayerKind::kScale);
  EXPECT_EQ(scale.scale, 0.5f);
  EXPECT_EQ(scale.shift, -1.0f);
}

}  // namespace
}  // namespace semhash

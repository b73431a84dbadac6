// Tests for the ssdh encoder (engine/encoders/torch_ssdh.cc): its objective
// against numbers worked by hand, the export of the CNN and MLP networks into
// semhash's layers, and training end to end.
#include "engine/encoders/torch_ssdh.h"

#include <gtest/gtest.h>

#include <cmath>
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

// Images of 1 x 8 x 8 pixels, or vectors of 64 floats.
constexpr size_t kDim = 64;
constexpr uint32_t kClasses = 3;

// Examples around one well separated centre per class; label i % kClasses.
struct LabelledSet {
  std::vector<float> x;
  std::vector<uint32_t> labels;
};
LabelledSet Clusters(size_t n, uint64_t seed) {
  const std::vector<float> centres = Gaussian(kClasses, kDim, seed);
  LabelledSet set{Gaussian(n, kDim, seed + 1), std::vector<uint32_t>(n)};
  for (size_t i = 0; i < n; ++i) {
    set.labels[i] = i % kClasses;
    for (size_t j = 0; j < kDim; ++j) {
      set.x[i * kDim + j] =
          0.5f * set.x[i * kDim + j] + 2 * centres[set.labels[i] * kDim + j];
    }
  }
  return set;
}

EncoderOptions TinyOptions(bool images) {
  EncoderOptions options = testing::MakeOptions(kSsdhEncoder, 8, 64);
  options.deep.hidden =
      images ? std::vector<uint32_t>{16} : std::vector<uint32_t>{32, 16};
  if (images) {
    options.deep.image_channels = 1;
    options.deep.image_height = 8;
    options.deep.image_width = 8;
  }
  options.deep.max_epochs = 3;
  options.deep.batch_size = 32;
  options.deep.threads = 1;
  return options;
}

Status TrainTiny(const EncoderOptions& options, const LabelledSet& set,
                 std::unique_ptr<Encoder>* out) {
  return TrainSsdhEncoder(options, set.labels.size(), set.x.data(), kDim,
                          set.labels.data(), out);
}

std::unique_ptr<Encoder> TrainTinyOrDie(const EncoderOptions& options,
                                        const LabelledSet& set) {
  std::unique_ptr<Encoder> encoder;
  const Status s = TrainTiny(options, set, &encoder);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return encoder;
}

torch::Tensor Forward(const NeuralNet& net, const torch::Tensor& inputs) {
  std::vector<float> out;
  net.Forward(inputs.size(0), inputs.contiguous().data_ptr<float>(), &out);
  return torch::tensor(out).view({inputs.size(0), -1});
}

bool Close(const torch::Tensor& ours, const torch::Tensor& torchs) {
  return torch::allclose(ours, torchs.detach(), 1e-4, 1e-4);
}

// Two examples of two units, two classes:
//   a = [[0.9, 0.2], [0.5, 0.7]], logits [[ln 3, 0], [0, 0]], labels [0, 1].
// classification: softmax rows [3/4, 1/4] and [1/2, 1/2], so
//   (-ln(3/4) + -ln(1/2)) / 2 = (0.2876821 + 0.6931472) / 2 = 0.4904146;
// push: ((0.4^2 + 0.3^2) / 2 + (0^2 + 0.2^2) / 2) / 2
//   = (0.125 + 0.02) / 2 = 0.0725;
// mean: unit means 0.55 and 0.6, so (0.05^2 + 0.1^2) / 2 = 0.00625.
TEST(SsdhObjective, TermsMatchHandComputation) {
  const torch::Tensor activations = torch::tensor({0.9f, 0.2f, 0.5f, 0.7f});
  const torch::Tensor logits =
      torch::tensor({std::log(3.0f), 0.0f, 0.0f, 0.0f});
  const SsdhTerms terms =
      SsdhObjective(activations.view({2, 2}), logits.view({2, 2}),
                    torch::tensor({0, 1}, torch::kInt64));
  EXPECT_NEAR(terms.classification.item<float>(), 0.4904146f, 1e-6);
  EXPECT_NEAR(terms.push.item<float>(), 0.0725f, 1e-6);
  EXPECT_NEAR(terms.mean.item<float>(), 0.00625f, 1e-6);
}

TEST(SsdhObjective, PushIsLargestAtZeroOrOne) {
  const torch::Tensor logits = torch::zeros({2, 2});
  const torch::Tensor labels = torch::tensor({0, 1}, torch::kInt64);
  const torch::Tensor binary = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f});
  const SsdhTerms terms = SsdhObjective(binary.view({2, 2}), logits, labels);
  EXPECT_FLOAT_EQ(terms.push.item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(terms.mean.item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(SsdhObjective(torch::full({2, 2}, 0.5), logits, labels)
                      .push.item<float>(),
                  0.0f);
}

void ExpectExportMatchesTorch(bool images) {
  torch::manual_seed(11);
  SsdhNet net(TinyOptions(images), kDim, kClasses, InputScale{0.5f, -0.3f});
  net->eval();
  DeepHash hash;
  ASSERT_TRUE(net->Export(&hash).ok());
  EXPECT_EQ(hash.classes, kClasses);
  EXPECT_EQ(hash.trunk.input_shape(),
            images ? (TensorShape{1, 8, 8}) : (TensorShape{kDim, 1, 1}));
  EXPECT_EQ(hash.trunk.layers().size(), images ? 9u : 5u);

  const torch::Tensor inputs = torch::randn({40, kDim}) * 2 + 0.5;
  const SsdhOutputs expected = net->forward(inputs);
  const torch::Tensor features = Forward(hash.trunk, inputs);
  const torch::Tensor code = Forward(hash.code, features);
  EXPECT_TRUE(Close(Forward(hash.address, features), expected.address));
  EXPECT_TRUE(Close(code, expected.code));
  EXPECT_TRUE(Close(Forward(hash.classifier, torch::sigmoid(code)),
                    expected.code_logits));
}

TEST(SsdhNet, ExportedCnnMatchesTorch) { ExpectExportMatchesTorch(true); }

TEST(SsdhNet, ExportedMlpMatchesTorch) { ExpectExportMatchesTorch(false); }

TEST(SsdhNet, FewStepsLowerTheLoss) {
  const LabelledSet set = Clusters(192, 12);
  const TrainingSet data{torch::tensor(set.x).view({192, kDim}),
                         torch::tensor(std::vector<int64_t>(set.labels.begin(),
                                                            set.labels.end()))};
  EncoderOptions options = TinyOptions(true);
  options.deep.max_epochs = 5;
  options.deep.holdout = 0;
  TorchTrainingScope scope(12, 1);
  SsdhNet net(options, kDim, kClasses,
              MeasureInputScale(192, set.x.data(), kDim));
  const auto classification = [&] {
    const SsdhOutputs out = net->forward(data.inputs);
    return SsdhObjective(torch::sigmoid(out.code), out.code_logits, data.labels)
        .classification.item<float>();
  };
  net->eval();
  const float before = classification();
  TrainModule(
      "ssdh", options.deep, 12, data, *net,
      [&](const torch::Tensor& inputs, const torch::Tensor& labels) {
        const SsdhOutputs out = net->forward(inputs);
        const SsdhTerms terms =
            SsdhObjective(torch::sigmoid(out.code), out.code_logits, labels);
        return BatchLoss{terms.classification - terms.push + terms.mean, {}};
      });
  const float after = classification();
  EXPECT_LT(after, 0.8f * before) << before << " -> " << after;
}

TEST(TrainSsdhEncoder, ModelReloadsEncodesAndClassifiesAlike) {
  const LabelledSet set = Clusters(150, 13);
  const auto encoder = TrainTinyOrDie(TinyOptions(true), set);
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->kind(), kSsdhEncoder);
  EXPECT_EQ(encoder->input_dim(), kDim);
  EXPECT_EQ(encoder->class_count(), kClasses);
  const auto loaded = testing::LoadOrDie(encoder->Serialize());
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->params(), encoder->params());
  EXPECT_EQ(Encode(*loaded, set.x), Encode(*encoder, set.x));
  std::vector<uint32_t> classes(150), loaded_classes(150);
  std::vector<float> probabilities(150), loaded_probabilities(150);
  ASSERT_TRUE(encoder
                  ->Classify(150, set.x.data(), kDim, classes.data(),
                             probabilities.data())
                  .ok());
  ASSERT_TRUE(loaded
                  ->Classify(150, set.x.data(), kDim, loaded_classes.data(),
                             loaded_probabilities.data())
                  .ok());
  EXPECT_EQ(loaded_classes, classes);
  EXPECT_EQ(loaded_probabilities, probabilities);
}

TEST(TrainSsdhEncoder, LearnsSeparableClasses) {
  const LabelledSet set = Clusters(300, 14);
  EncoderOptions options = TinyOptions(false);
  options.deep.max_epochs = 10;
  options.deep.holdout = 0;
  const auto encoder = TrainTinyOrDie(options, set);
  ASSERT_NE(encoder, nullptr);
  std::vector<uint32_t> classes(300);
  std::vector<float> probabilities(300);
  ASSERT_TRUE(encoder
                  ->Classify(300, set.x.data(), kDim, classes.data(),
                             probabilities.data())
                  .ok());
  size_t correct = 0;
  for (size_t i = 0; i < 300; ++i) correct += classes[i] == set.labels[i];
  EXPECT_GT(correct, 290u);
  // Examples of one class share most code bits; other classes' differ.
  const testing::Encoded encoded = Encode(*encoder, set.x);
  const auto distance = [&](size_t i, size_t j) {
    return HammingDistance(encoded.code(i, 64), encoded.code(j, 64));
  };
  double same = 0, other = 0;
  for (size_t i = 0; i + 3 < 300; ++i) {
    same += distance(i, i + 3);
    other += distance(i, i + 1);
  }
  EXPECT_LT(same * 3, other);
}

TEST(TrainSsdhEncoder, SameSeedGivesIdenticalModelBytes) {
  const LabelledSet set = Clusters(120, 15);
  for (const bool images : {true, false}) {
    const std::string first =
        TrainTinyOrDie(TinyOptions(images), set)->Serialize();
    EXPECT_EQ(TrainTinyOrDie(TinyOptions(images), set)->Serialize(), first)
        << images;
  }
}

TEST(TrainSsdhEncoder, RejectsInvalidOptionsAndLabels) {
  const LabelledSet set = Clusters(60, 16);
  std::unique_ptr<Encoder> encoder;
  EncoderOptions options = TinyOptions(true);
  options.deep.image_width = 7;  // 1 x 8 x 7 is not 64 values.
  Status s = TrainTiny(options, set, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options = TinyOptions(false);
  options.deep.max_epochs = 0;
  s = TrainTiny(options, set, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options = TinyOptions(false);
  options.deep.holdout = 0.75f;
  s = TrainTiny(options, set, &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();

  s = TrainSsdhEncoder(TinyOptions(false), 60, set.x.data(), kDim, nullptr,
                       &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  const std::vector<uint32_t> one_class(60, 0);
  s = TrainSsdhEncoder(TinyOptions(false), 60, set.x.data(), kDim,
                       one_class.data(), &encoder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

TEST(TrainSsdhEncoder, ReportsTheObjectiveTerms) {
  const LabelledSet set = Clusters(60, 17);
  EncoderOptions options = TinyOptions(false);
  options.deep.max_epochs = 1;
  std::string losses;
  options.deep.progress = [&](const TrainingProgress& p) {
    EXPECT_EQ(p.model, "ssdh");
    losses = p.losses;
  };
  std::unique_ptr<Encoder> encoder;
  ASSERT_TRUE(TrainTiny(options, set, &encoder).ok());
  EXPECT_EQ(losses.rfind("loss ", 0), 0u) << losses;
  for (const char* term : {" class ", " push -", " mean "}) {
    EXPECT_NE(losses.find(term), std::string::npos) << losses;
  }
}

}  // namespace
}  // namespace semhash

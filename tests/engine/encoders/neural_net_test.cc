// NeuralNet, semhash's own inference path for the deep encoders: each layer
// kind against values worked out by hand, blocking, and Make's refusals.
#include "engine/encoders/neural_net.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/engine/neural_net_test_util.h"

namespace semhash {
namespace {

using testing::Dense;
using testing::MakeNetOrFail;

std::vector<float> Forward(const NeuralNet& net, const std::vector<float>& in) {
  std::vector<float> out;
  net.Forward(in.size() / net.input_shape().size(), in.data(), &out);
  return out;
}

Layer Simple(LayerKind kind, uint32_t kernel = 0) {
  Layer layer;
  layer.kind = kind;
  layer.kernel = kernel;
  return layer;
}

TEST(NeuralNetTest, DenseScaleAndActivationsByHand) {
  Layer scale = Simple(LayerKind::kScale);
  scale.scale = 0.5f;
  scale.shift = -1.0f;
  // x = (2, 4) -> scale -> (0, 1); dense rows (1, 2), (-3, 1) with bias
  // (0.5, -2): (2.5, -1); relu: (2.5, 0); sigmoid: (0.924142, 0.5).
  const NeuralNet net = MakeNetOrFail(
      {2, 1, 1}, {scale, Dense(2, {1, 2, -3, 1}, {0.5f, -2}),
                  Simple(LayerKind::kRelu), Simple(LayerKind::kSigmoid)});
  EXPECT_EQ(net.output_shape(), (TensorShape{2, 1, 1}));
  const std::vector<float> out = Forward(net, {2, 4, 0, 0});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NEAR(out[0], 1 / (1 + std::exp(-2.5)), 1e-6);
  EXPECT_NEAR(out[1], 0.5, 1e-6);
  // x = (0, 0) -> (-1, -1); dense: (-2.5, 0); relu (0, 0); sigmoid 0.5s.
  EXPECT_NEAR(out[2], 0.5, 1e-6);
  EXPECT_NEAR(out[3], 0.5, 1e-6);
}

TEST(NeuralNetTest, ConvolutionWithPaddingAndStrideByHand) {
  // One 3x3 input channel, two 2x2 filters, padding 1, stride 2: output
  // positions (0,0), (0,1), (1,0), (1,1) see windows starting at input
  // (-1,-1), (-1,1), (1,-1), (1,1).
  Layer conv;
  conv.kind = LayerKind::kConv2d;
  conv.outputs = 2;
  conv.kernel = 2;
  conv.stride = 2;
  conv.padding = 1;
  conv.weights = {1, 0, 0, 0,   // Filter 0 reads the window's top left.
                  1, 1, 1, 1};  // Filter 1 sums the window.
  conv.bias = {0, 10};
  const NeuralNet net = MakeNetOrFail({1, 3, 3}, {conv});
  ASSERT_EQ(net.output_shape(), (TensorShape{2, 2, 2}));
  // Input rows: 1 2 3 / 4 5 6 / 7 8 9.
  const std::vector<float> out = Forward(net, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // Filter 0: top-left of each window: pad, pad, pad, 5.
  // Filter 1: window sums + 10: (1)+10, (2+3)+10, (4+7)+10, (5+6+8+9)+10.
  const std::vector<float> expected = {0, 0, 0, 5, 11, 15, 21, 38};
  EXPECT_EQ(out, expected);
}

TEST(NeuralNetTest, MultiChannelConvolutionMatchesDirectSum) {
  // 2 input channels 4x5, 3 filters 3x3, padding 1, stride 1: compare with
  // the definition summed directly.
  const TensorShape in{2, 4, 5};
  Layer conv;
  conv.kind = LayerKind::kConv2d;
  conv.outputs = 3;
  conv.kernel = 3;
  conv.padding = 1;
  for (int i = 0; i < 3 * 2 * 9; ++i) conv.weights.push_back((i % 7) - 3.0f);
  conv.bias = {0.5f, -1.0f, 2.0f};
  const NeuralNet net = MakeNetOrFail(in, {conv});
  ASSERT_EQ(net.output_shape(), (TensorShape{3, 4, 5}));
  std::vector<float> x(in.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 5) % 11) - 4.0f;
  const std::vector<float> out = Forward(net, x);
  for (int o = 0; o < 3; ++o) {
    for (int y = 0; y < 4; ++y) {
      for (int z = 0; z < 5; ++z) {
        double sum = conv.bias[o];
        for (int c = 0; c < 2; ++c) {
          for (int ky = 0; ky < 3; ++ky) {
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = y + ky - 1, ix = z + kx - 1;
              if (iy < 0 || iy >= 4 || ix < 0 || ix >= 5) continue;
              sum += conv.weights[((o * 2 + c) * 3 + ky) * 3 + kx] *
                     x[(c * 4 + iy) * 5 + ix];
            }
          }
        }
        EXPECT_NEAR(out[(o * 4 + y) * 5 + z], sum, 1e-4)
            << "output " << o << " at " << y << "," << z;
      }
    }
  }
}

TEST(NeuralNetTest, MaxPoolDropsTheRaggedEdgeAndFlattensInChwOrder) {
  // A 1x3x5 input pooled 2x2 -> 1x1x2 (row 2 and column 4 dropped), then a
  // dense layer that reads the flattened values in order.
  const NeuralNet net = MakeNetOrFail(
      {1, 3, 5}, {Simple(LayerKind::kMaxPool2d, 2), Dense(1, {1, 100}, {0})});
  const std::vector<float> out =
      Forward(net, {1, 9, 2, 3, 99, 4, 0, 7, 8, 99, 99, 99, 99, 99, 99});
  // Windows: max(1,9,4,0) = 9 and max(2,3,7,8) = 8 -> 9 + 800.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FLOAT_EQ(out[0], 809);
}

TEST(NeuralNetTest, ManyRowsGiveTheSameAnswerAsOneAtATime) {
  // More rows than one block of the forward pass.
  Layer conv;
  conv.kind = LayerKind::kConv2d;
  conv.outputs = 2;
  conv.kernel = 3;
  conv.padding = 1;
  for (int i = 0; i < 18; ++i) conv.weights.push_back(0.1f * float(i - 9));
  conv.bias = {0.1f, -0.2f};
  const NeuralNet net = MakeNetOrFail(
      {1, 4, 4},
      {conv, Simple(LayerKind::kRelu), Simple(LayerKind::kMaxPool2d, 2),
       Dense(3, std::vector<float>(24, 0.25f), {1, 2, 3})});
  const size_t rows = 600;
  std::vector<float> x(rows * 16);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37) % 19) / 7.0f;
  const std::vector<float> all = Forward(net, x);
  ASSERT_EQ(all.size(), rows * 3);
  for (size_t r = 0; r < rows; r += 149) {
    const std::vector<float> one = Forward(
        net, std::vector<float>(x.begin() + r * 16, x.begin() + r * 16 + 16));
    for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(all[r * 3 + j], one[j]);
  }
}

void ExpectRefused(TensorShape input, std::vector<Layer> layers,
                   const std::string& message, bool not_supported = false) {
  NeuralNet net;
  const Status s = NeuralNet::Make(input, std::move(layers), &net);
  EXPECT_EQ(s.IsNotSupported(), not_supported) << s.ToString();
  EXPECT_EQ(s.IsCorruption(), !not_supported) << s.ToString();
  EXPECT_NE(s.ToString().find(message), std::string::npos) << s.ToString();
}

TEST(NeuralNetTest, MakeRefusesLayersThatDoNotFit) {
  ExpectRefused({0, 1, 1}, {}, "is empty");
  ExpectRefused({3, 1, 1}, {Dense(2, {1, 2, 3}, {0, 0})},
                "layer 0 (dense): weights has 3 values, expected 6");
  ExpectRefused({2, 1, 1}, {Dense(1, {1, 2}, {})},
                "bias has 0 values, expected 1");
  Layer wide = Simple(LayerKind::kConv2d, 5);
  wide.outputs = 1;
  wide.weights.assign(25, 1);
  wide.bias = {0};
  ExpectRefused({1, 3, 3}, {Simple(LayerKind::kRelu), wide},
                "layer 1 (conv2d): a 5x5 kernel with padding 0 does not fit");
  ExpectRefused({1, 3, 3}, {Simple(LayerKind::kMaxPool2d, 4)},
                "pool does not fit a 1x3x3 input");
  ExpectRefused({2, 1, 1},
                {Dense(1, {1, std::numeric_limits<float>::infinity()}, {0})},
                "not finite");
  Layer relu_with_weights = Simple(LayerKind::kRelu);
  relu_with_weights.weights = {1};
  ExpectRefused({1, 1, 1}, {relu_with_weights}, "does not use");
  ExpectRefused({1, 1, 1}, {Simple(static_cast<LayerKind>(9))},
                "unknown layer kind 9", /*not_supported=*/true);
}

}  // namespace
}  // namespace semhash

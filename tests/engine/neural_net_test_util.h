// Helpers for tests that build NeuralNets by hand (neural_net_test.cc,
// deep_encoder_test.cc).
#ifndef SEMHASH_TESTS_ENGINE_NEURAL_NET_TEST_UTIL_H_
#define SEMHASH_TESTS_ENGINE_NEURAL_NET_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "engine/encoders/neural_net.h"

namespace semhash {
namespace testing {

// The network NeuralNet::Make builds, failing the test if it refuses.
inline NeuralNet MakeNetOrFail(TensorShape input, std::vector<Layer> layers) {
  NeuralNet net;
  const Status s = NeuralNet::Make(input, std::move(layers), &net);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return net;
}

// A dense layer of `outputs` units: weights row-major [outputs][inputs].
inline Layer Dense(uint32_t outputs, std::vector<float> weights,
                   std::vector<float> bias) {
  Layer layer;
  layer.kind = LayerKind::kDense;
  layer.outputs = outputs;
  layer.weights = std::move(weights);
  layer.bias = std::move(bias);
  return layer;
}

}  // namespace testing
}  // namespace semhash

#endif  // SEMHASH_TESTS_ENGINE_NEURAL_NET_TEST_UTIL_H_

// NeuralNet: the small feed-forward networks of the deep encoders
// (autoencoder, ssdh), as stored in their models and run at query time by
// semhash itself, without LibTorch (internal).
//
// Why our own inference path: a database built with a deep encoder must open
// and answer queries in a semhash built without LibTorch (an optional part
// of the build, engine/CMakeLists.txt), and every stored byte must be
// specified in docs/format.md. The layers here are the few the trainers use
// (engine/torch_*.cc export into them); LibTorch is needed only to train.
//
// A network maps a tensor of shape (channels, height, width) to another; a
// flat vector of n floats is (n, 1, 1). Layers run in order; each checks at
// Make time that its input shape fits:
//   kScale      y = x * scale + shift, elementwise (pixel normalisation).
//   kDense      y = W x + b over the flattened input (C*H*W, in row-major
//               CHW order, as torch's flatten), W out x in row-major.
//   kConv2d     2-D cross-correlation as torch.nn.Conv2d (dilation 1,
//               groups 1): W out_channels x in_channels x k x k, stride,
//               zero padding on every side; y gets b[out_channel] added.
//   kMaxPool2d  max over k x k windows with stride k (no padding; a ragged
//               edge is dropped, as torch's floor mode).
//   kRelu       max(x, 0).
//   kSigmoid    1 / (1 + exp(-x)).
//
// Arithmetic: float, with Eigen's matrix products; results may differ from
// LibTorch's in the last bits, so a bit whose pre-activation is within
// rounding of its threshold may differ (docs/format.md, "Deep hash").
//
// Thread safety: immutable once made; Forward may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_NEURAL_NET_H_
#define SEMHASH_ENGINE_ENCODERS_NEURAL_NET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash {

// Stored in the model as a byte: never renumber.
enum class LayerKind : uint8_t {
  kScale = 1,
  kDense = 2,
  kConv2d = 3,
  kMaxPool2d = 4,
  kRelu = 5,
  kSigmoid = 6,
};

// "scale", "dense", ...; "unknown" for a value not above.
const char* LayerKindName(LayerKind kind);

struct TensorShape {
  uint32_t channels = 1;
  uint32_t height = 1;
  uint32_t width = 1;
  size_t size() const { return size_t(channels) * height * width; }
  bool operator==(const TensorShape&) const = default;
};

// One layer; the fields a kind does not use stay at their defaults.
struct Layer {
  LayerKind kind = LayerKind::kRelu;
  // kDense: output size. kConv2d: output channels.
  uint32_t outputs = 0;
  // kConv2d, kMaxPool2d: the window's side. kConv2d: stride and padding.
  uint32_t kernel = 0;
  uint32_t stride = 1;
  uint32_t padding = 0;
  // kScale only.
  float scale = 1.0f;
  float shift = 0.0f;
  // kDense: outputs x inputs. kConv2d: outputs x in_channels x k x k.
  std::vector<float> weights;
  // kDense, kConv2d: `outputs` values.
  std::vector<float> bias;
};

class NeuralNet {
 public:
  NeuralNet() = default;

  // Checks every layer against the shape it receives (sizes of weights and
  // bias, kernel fits, finite values) and computes the output shape.
  // Corruption naming the layer (by index and kind) and the problem.
  static Status Make(TensorShape input, std::vector<Layer> layers,
                     NeuralNet* out);

  TensorShape input_shape() const { return input_; }
  TensorShape output_shape() const { return output_; }
  const std::vector<Layer>& layers() const { return layers_; }

  // Runs `n` inputs of input_shape().size() floats each (row-major) and
  // writes n x output_shape().size() floats to *out (resized). Inputs are
  // processed in blocks, so memory stays bounded whatever n.
  void Forward(size_t n, const float* inputs, std::vector<float>* out) const;

 private:
  TensorShape input_;
  TensorShape output_;
  std::vector<Layer> layers_;
  std::vector<TensorShape> shapes_;  // Input shape of each layer.
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_NEURAL_NET_H_

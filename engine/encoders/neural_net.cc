// NeuralNet (see neural_net.h): shape checks at Make time, and a forward
// pass over blocks of inputs with Eigen's matrix products (dense layers as
// one product per block; convolutions as im2col then one product per image).
#include "engine/encoders/neural_net.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/encoders/eigen_types.h"

namespace semhash {
namespace {

// Inputs per block in Forward: bounds the activations' memory whatever n.
constexpr size_t kBlockRows = 256;

using ColumnMatrixF = Eigen::MatrixXf;

std::string ShapeText(TensorShape shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) +
         "x" + std::to_string(shape.width);
}

bool AllFinite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(),
                     [](float v) { return std::isfinite(v); });
}

// The output shape of `layer` on `in`, or Corruption naming the problem.
Status OutputShape(const Layer& layer, TensorShape in, TensorShape* out) {
  const auto wrong_size = [](const char* field, size_t actual,
                             size_t expected) {
    return Status::Corruption(std::string(field) + " has " +
                              std::to_string(actual) + " values, expected " +
                              std::to_string(expected));
  };
  const bool has_parameters =
      layer.kind == LayerKind::kDense || layer.kind == LayerKind::kConv2d;
  if (!has_parameters && (!layer.weights.empty() || !layer.bias.empty())) {
    return Status::Corruption("has weights, which this kind does not use");
  }
  switch (layer.kind) {
    case LayerKind::kScale:
      if (!std::isfinite(layer.scale) || !std::isfinite(layer.shift)) {
        return Status::Corruption("scale or shift is not finite");
      }
      *out = in;
      return Status::OK();
    case LayerKind::kRelu:
    case LayerKind::kSigmoid:
      *out = in;
      return Status::OK();
    case LayerKind::kDense: {
      if (layer.outputs == 0) return Status::Corruption("has no outputs");
      const size_t expected = size_t(layer.outputs) * in.size();
      if (layer.weights.size() != expected) {
        return wrong_size("weights", layer.weights.size(), expected);
      }
      if (layer.bias.size() != layer.outputs) {
        return wrong_size("bias", layer.bias.size(), layer.outputs);
      }
      *out = {layer.outputs, 1, 1};
      break;
    }
    case LayerKind::kConv2d: {
      const uint32_t k = layer.kernel;
      if (layer.outputs == 0 || k == 0 || layer.stride == 0) {
        return Status::Corruption("outputs, kernel and stride must be >= 1");
      }
      if (layer.padding >= k || in.height + 2 * layer.padding < k ||
          in.width + 2 * layer.padding < k) {
        return Status::Corruption(
            "a " + std::to_string(k) + "x" + std::to_string(k) +
            " kernel with padding " + std::to_string(layer.padding) +
            " does not fit a " + ShapeText(in) + " input");
      }
      const size_t expected = size_t(layer.outputs) * in.channels * k * k;
      if (layer.weights.size() != expected) {
        return wrong_size("weights", layer.weights.size(), expected);
      }
      if (layer.bias.size() != layer.outputs) {
        return wrong_size("bias", layer.bias.size(), layer.outputs);
      }
      *out = {layer.outputs,
              (in.height + 2 * layer.padding - k) / layer.stride + 1,
              (in.width + 2 * layer.padding - k) / layer.stride + 1};
      break;
    }
    case LayerKind::kMaxPool2d:
      if (layer.kernel == 0 || layer.kernel > in.height ||
          layer.kernel > in.width) {
        return Status::Corruption("a " + std::to_string(layer.kernel) +
                                  "-wide pool does not fit a " + ShapeText(in) +
                                  " input");
      }
      *out = {in.channels, in.height / layer.kernel, in.width / layer.kernel};
      return Status::OK();
    default:
      return Status::NotSupported("unknown layer kind " +
                                  std::to_string(int(layer.kind)));
  }
  if (!AllFinite(layer.weights) || !AllFinite(layer.bias)) {
    return Status::Corruption("has a weight that is not finite");
  }
  return Status::OK();
}

// in: rows x in_size (row-major); out: rows x layer.outputs.
void Dense(const Layer& layer, size_t in_size, const RowMatrixF& in,
           RowMatrixF* out) {
  const Eigen::Map<const RowMatrixF> weights(layer.weights.data(),
                                             layer.outputs, in_size);
  const Eigen::Map<const Eigen::RowVectorXf> bias(layer.bias.data(),
                                                  layer.outputs);
  out->noalias() = in * weights.transpose();
  out->rowwise() += bias;
}

// One image: in is channels x (height * width) values; writes
// outputs x (out_height * out_width) values to out.
void Conv2d(const Layer& layer, TensorShape in_shape, TensorShape out_shape,
            const float* in, float* out, ColumnMatrixF* columns) {
  const uint32_t k = layer.kernel;
  const int pad = static_cast<int>(layer.padding);
  const size_t patch = size_t(in_shape.channels) * k * k;
  const size_t positions = size_t(out_shape.height) * out_shape.width;
  columns->resize(patch, positions);
  // im2col: column p holds the input patch under output position p, in the
  // weights' (channel, row, column) order; outside the input reads 0.
  for (uint32_t c = 0; c < in_shape.channels; ++c) {
    const float* plane = in + size_t(c) * in_shape.height * in_shape.width;
    for (uint32_t ky = 0; ky < k; ++ky) {
      for (uint32_t kx = 0; kx < k; ++kx) {
        float* row = columns->data() + ((c * k + ky) * k + kx);
        for (uint32_t oy = 0; oy < out_shape.height; ++oy) {
          const int y = int(oy * layer.stride + ky) - pad;
          for (uint32_t ox = 0; ox < out_shape.width; ++ox) {
            const int x = int(ox * layer.stride + kx) - pad;
            const bool inside = y >= 0 && y < int(in_shape.height) && x >= 0 &&
                                x < int(in_shape.width);
            row[(size_t(oy) * out_shape.width + ox) * patch] =
                inside ? plane[size_t(y) * in_shape.width + x] : 0.0f;
          }
        }
      }
    }
  }
  const Eigen::Map<const RowMatrixF> weights(layer.weights.data(),
                                             layer.outputs, patch);
  Eigen::Map<RowMatrixF> result(out, layer.outputs, positions);
  result.noalias() = weights * *columns;
  result.colwise() +=
      Eigen::Map<const Eigen::VectorXf>(layer.bias.data(), layer.outputs);
}

void MaxPool(uint32_t k, TensorShape in_shape, TensorShape out_shape,
             const float* in, float* out) {
  for (uint32_t c = 0; c < in_shape.channels; ++c) {
    const float* plane = in + size_t(c) * in_shape.height * in_shape.width;
    for (uint32_t oy = 0; oy < out_shape.height; ++oy) {
      for (uint32_t ox = 0; ox < out_shape.width; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        for (uint32_t ky = 0; ky < k; ++ky) {
          const float* line = plane + size_t(oy * k + ky) * in_shape.width;
          for (uint32_t kx = 0; kx < k; ++kx) {
            best = std::max(best, line[ox * k + kx]);
          }
        }
        *out++ = best;
      }
    }
  }
}

}  // namespace

const char* LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kScale:
      return "scale";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kConv2d:
      return "conv2d";
    case LayerKind::kMaxPool2d:
      return "max-pool";
    case LayerKind::kRelu:
      return "relu";
    case LayerKind::kSigmoid:
      return "sigmoid";
  }
  return "unknown";
}

Status NeuralNet::Make(TensorShape input, std::vector<Layer> layers,
                       NeuralNet* out) {
  if (input.size() == 0) {
    return Status::Corruption("network input shape " + ShapeText(input) +
                              " is empty");
  }
  std::vector<TensorShape> shapes;
  TensorShape shape = input;
  for (size_t i = 0; i < layers.size(); ++i) {
    shapes.push_back(shape);
    const Status s = OutputShape(layers[i], shape, &shape);
    if (!s.ok()) {
      return s.WithContext("layer " + std::to_string(i) + " (" +
                           LayerKindName(layers[i].kind) + ")");
    }
  }
  out->input_ = input;
  out->output_ = shape;
  out->layers_ = std::move(layers);
  out->shapes_ = std::move(shapes);
  return Status::OK();
}

void NeuralNet::Forward(size_t n, const float* inputs,
                        std::vector<float>* out) const {
  const size_t in_size = input_.size();
  const size_t out_size = output_.size();
  out->resize(n * out_size);
  RowMatrixF current, next;
  ColumnMatrixF columns;
  for (size_t first = 0; first < n; first += kBlockRows) {
    const size_t rows = std::min(kBlockRows, n - first);
    current =
        Eigen::Map<const RowMatrixF>(inputs + first * in_size, rows, in_size);
    for (size_t i = 0; i < layers_.size(); ++i) {
      const Layer& layer = layers_[i];
      const TensorShape in_shape = shapes_[i];
      const TensorShape out_shape =
          i + 1 < layers_.size() ? shapes_[i + 1] : output_;
      switch (layer.kind) {
        case LayerKind::kScale:
          current.array() = current.array() * layer.scale + layer.shift;
          break;
        case LayerKind::kRelu:
          current = current.cwiseMax(0.0f);
          break;
        case LayerKind::kSigmoid:
          current.array() = 1.0f / (1.0f + (-current.array()).exp());
          break;
        case LayerKind::kDense:
          Dense(layer, in_shape.size(), current, &next);
          std::swap(current, next);
          break;
        case LayerKind::kConv2d:
          next.resize(rows, out_shape.size());
          for (size_t r = 0; r < rows; ++r) {
            Conv2d(layer, in_shape, out_shape, current.row(r).data(),
                   next.row(r).data(), &columns);
          }
          std::swap(current, next);
          break;
        case LayerKind::kMaxPool2d:
          next.resize(rows, out_shape.size());
          for (size_t r = 0; r < rows; ++r) {
            MaxPool(layer.kernel, in_shape, out_shape, current.row(r).data(),
                    next.row(r).data());
          }
          std::swap(current, next);
          break;
      }
    }
    Eigen::Map<RowMatrixF>(out->data() + first * out_size, rows, out_size) =
        current;
  }
}

}  // namespace semhash

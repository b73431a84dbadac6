// TrainSsdhEncoder (deep_trainers.h), its network and its objective (see
// torch_ssdh.h).
#include "engine/encoders/torch_ssdh.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/encoder_params.h"

namespace semhash {
namespace {

// The CNN: output channels of its two convolutions, their kernel side (with
// the padding that keeps the image size) and the pooling window's side.
// On Fashion-MNIST, 32 and 64 channels took 3 times as long per epoch as
// 16 and 32, which already classify 91% of the test set.
constexpr int64_t kConvChannels[] = {16, 32};
constexpr int64_t kConvKernel = 5;
constexpr int64_t kConvPadding = 2;
constexpr int64_t kPool = 2;
// Dropout after each hidden layer of the trunk, during training.
constexpr double kDropout = 0.3;

bool HasImageShape(const DeepTrainingOptions& deep) {
  return deep.image_channels != 0;
}

uint32_t ClassCount(size_t n, const uint32_t* labels) {
  return *std::max_element(labels, labels + n) + 1;
}

// The loss of a batch: the SSDH objective of both heads, summed.
BatchLoss SsdhLoss(SsdhNet& net, const DeepTrainingOptions& deep,
                   const torch::Tensor& inputs, const torch::Tensor& labels) {
  const SsdhOutputs out = net->forward(inputs);
  const SsdhTerms address =
      SsdhObjective(torch::sigmoid(out.address), out.address_logits, labels);
  const SsdhTerms code =
      SsdhObjective(torch::sigmoid(out.code), out.code_logits, labels);
  const torch::Tensor classification =
      deep.alpha * (address.classification + code.classification);
  const torch::Tensor push = -deep.beta * (address.push + code.push);
  const torch::Tensor mean = deep.gamma * (address.mean + code.mean);
  return BatchLoss{classification + push + mean,
                   {{"class", classification}, {"push", push}, {"mean", mean}}};
}

Status Train(EncoderOptions options, size_t n, const float* vectors, size_t dim,
             const uint32_t* labels, std::unique_ptr<Encoder>* out) {
  options.kind = kSsdhEncoder;  // For the default widths and the params.
  Status s = CheckDeepOptions(options, dim, /*image_input=*/true);
  if (!s.ok()) return s;
  if (labels == nullptr) {
    return Status::InvalidArgument("ssdh needs a class label per vector");
  }
  const uint32_t classes = ClassCount(n, labels);
  if (classes < 2) {
    return Status::InvalidArgument("ssdh needs labels of at least 2 classes");
  }
  TorchTrainingScope scope(options.seed, options.deep.threads);
  SsdhNet net(options, dim, classes, MeasureInputScale(n, vectors, dim));
  int64_t parameters = 0;
  for (const auto& p : net->parameters()) parameters += p.numel();
  s = CheckModelParameterCount(parameters);
  if (!s.ok()) return s;

  TrainingSet data;
  // Read only: the tensor does not own the caller's vectors.
  data.inputs = torch::from_blob(
      const_cast<float*>(vectors),
      {static_cast<int64_t>(n), static_cast<int64_t>(dim)}, torch::kFloat);
  data.labels = torch::from_blob(const_cast<uint32_t*>(labels),
                                 {static_cast<int64_t>(n)}, torch::kInt32)
                    .to(torch::kInt64);
  TrainModule(kSsdhEncoder, options.deep, options.seed, data, *net,
              [&](const torch::Tensor& inputs, const torch::Tensor& labels) {
                return SsdhLoss(net, options.deep, inputs, labels);
              });
  DeepHash hash;
  s = net->Export(&hash);
  if (s.ok()) s = CheckDeepHash(hash);
  if (!s.ok()) return s;
  *out = MakeDeepEncoder(options.kind, FormatEncoderParams(options),
                         std::move(hash));
  return Status::OK();
}

}  // namespace

SsdhTerms SsdhObjective(const torch::Tensor& activations,
                        const torch::Tensor& logits,
                        const torch::Tensor& labels) {
  return SsdhTerms{torch::nn::functional::cross_entropy(logits, labels),
                   (activations - 0.5).square().mean(),
                   (activations.mean(1) - 0.5).square().mean()};
}

SsdhNetImpl::SsdhNetImpl(const EncoderOptions& options, size_t dim,
                         uint32_t classes, InputScale input_scale)
    : input_shape_{static_cast<uint32_t>(dim), 1, 1},
      image_input_(HasImageShape(options.deep)),
      classes_(classes),
      input_scale_(input_scale),
      dropout_(register_module("dropout", torch::nn::Dropout(kDropout))) {
  const DeepTrainingOptions& deep = options.deep;
  int64_t width = static_cast<int64_t>(dim);
  if (image_input_) {
    input_shape_ = {deep.image_channels, deep.image_height, deep.image_width};
    int64_t channels = deep.image_channels;
    int64_t height = deep.image_height, width_pixels = deep.image_width;
    for (const int64_t outputs : kConvChannels) {
      convolutions_.push_back(
          register_module("conv" + std::to_string(convolutions_.size()),
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                channels, outputs, kConvKernel)
                                                .padding(kConvPadding))));
      channels = outputs;
      height /= kPool;
      width_pixels /= kPool;
    }
    width = channels * height * width_pixels;
  }
  for (const uint32_t outputs : DeepHiddenWidths(options)) {
    hidden_.push_back(register_module("hidden" + std::to_string(hidden_.size()),
                                      torch::nn::Linear(width, outputs)));
    width = outputs;
  }
  address_ = register_module("address",
                             torch::nn::Linear(width, options.address_bits));
  code_ = register_module("code", torch::nn::Linear(width, options.code_bits));
  address_classifier_ = register_module(
      "address_classifier", torch::nn::Linear(options.address_bits, classes));
  code_classifier_ = register_module(
      "code_classifier", torch::nn::Linear(options.code_bits, classes));
}

torch::Tensor SsdhNetImpl::Trunk(const torch::Tensor& inputs) {
  torch::Tensor x = inputs * input_scale_.scale + input_scale_.shift;
  if (image_input_) {
    x = x.view(
        {-1, input_shape_.channels, input_shape_.height, input_shape_.width});
    for (auto& conv : convolutions_) {
      x = torch::max_pool2d(torch::relu(conv->forward(x)), kPool);
    }
    x = x.flatten(1);
  }
  for (auto& layer : hidden_) x = dropout_->forward(torch::relu(layer(x)));
  return x;
}

SsdhOutputs SsdhNetImpl::forward(const torch::Tensor& inputs) {
  const torch::Tensor features = Trunk(inputs);
  SsdhOutputs out;
  out.address = address_->forward(features);
  out.code = code_->forward(features);
  out.address_logits =
      address_classifier_->forward(torch::sigmoid(out.address));
  out.code_logits = code_classifier_->forward(torch::sigmoid(out.code));
  return out;
}

Status SsdhNetImpl::ExportTrunk(NeuralNet* out) {
  std::vector<Layer> layers = {ScaleLayer(input_scale_)};
  for (auto& conv : convolutions_) {
    layers.push_back(Conv2dLayer(conv));
    layers.push_back(ActivationLayer(LayerKind::kRelu));
    layers.push_back(MaxPool2dLayer(kPool));
  }
  for (auto& layer : hidden_) {
    layers.push_back(DenseLayer(layer));
    layers.push_back(ActivationLayer(LayerKind::kRelu));
  }
  return NeuralNet::Make(input_shape_, std::move(layers), out);
}

Status SsdhNetImpl::Export(DeepHash* out) {
  DeepHash hash;
  hash.classes = classes_;
  Status s = ExportTrunk(&hash.trunk);
  if (s.ok()) {
    s = NeuralNet::Make(hash.trunk.output_shape(), {DenseLayer(address_)},
                        &hash.address);
  }
  if (s.ok()) {
    s = NeuralNet::Make(hash.trunk.output_shape(), {DenseLayer(code_)},
                        &hash.code);
  }
  if (s.ok()) {
    s = NeuralNet::Make(hash.code.output_shape(),
                        {DenseLayer(code_classifier_)}, &hash.classifier);
  }
  if (s.ok()) *out = std::move(hash);
  return s;
}

Status TrainSsdhEncoder(const EncoderOptions& options, size_t n,
                        const float* vectors, size_t dim,
                        const uint32_t* labels, std::unique_ptr<Encoder>* out) {
  return CatchTorchErrors("training the ssdh encoder", [&] {
    return Train(options, n, vectors, dim, labels, out);
  });
}

}  // namespace semhash

// TrainAutoencoderEncoder (deep_trainers.h) and its network (see
// torch_autoencoder.h): two autoencoders, one for the address and one for
// the long code, each trained on its own.
#include "engine/encoders/torch_autoencoder.h"

#include <ATen/CPUGeneratorImpl.h>

#include <string>
#include <utility>

#include "engine/encoders/deep_encoder.h"
#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/encoder_params.h"

namespace semhash {
namespace {

// Bernoulli samples of `probabilities` in the forward pass; the gradient
// passes to the probabilities unchanged.
struct StraightThroughSample
    : public torch::autograd::Function<StraightThroughSample> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context,
                               const torch::Tensor& probabilities,
                               at::Generator generator) {
    return torch::bernoulli(probabilities, generator);
  }
  static torch::autograd::variable_list backward(
      torch::autograd::AutogradContext* context,
      torch::autograd::variable_list output_gradients) {
    return {output_gradients[0], torch::Tensor()};
  }
};

torch::nn::Linear AddLinear(torch::nn::Module& module, const std::string& name,
                            int64_t inputs, int64_t outputs) {
  return module.register_module(name, torch::nn::Linear(inputs, outputs));
}

// Trains one autoencoder of `bits` code units and exports its encoder.
Status TrainOne(const std::string& model_name, const EncoderOptions& options,
                uint32_t bits, uint64_t seed, const torch::Tensor& inputs,
                InputScale input_scale, NeuralNet* out) {
  TorchTrainingScope scope(seed, options.deep.threads);
  BinaryAutoencoder autoencoder(inputs.size(1), DeepHiddenWidths(options), bits,
                                input_scale, seed);
  int64_t parameters = 0;
  for (const auto& p : autoencoder->parameters()) parameters += p.numel();
  // The stored encoder is about half of the parameters.
  Status s = CheckModelParameterCount(parameters / 2);
  if (!s.ok()) return s;
  TrainModule(model_name, options.deep, seed, TrainingSet{inputs, {}},
              *autoencoder,
              [&](const torch::Tensor& batch, const torch::Tensor&) {
                return BatchLoss{autoencoder->ReconstructionLoss(batch), {}};
              });
  return autoencoder->ExportEncoder(out);
}

Status Train(EncoderOptions options, size_t n, const float* vectors, size_t dim,
             std::unique_ptr<Encoder>* out) {
  options.kind = kAutoencoderEncoder;  // For the default widths and params.
  Status s = CheckDeepOptions(options, dim, /*image_input=*/false);
  if (!s.ok()) return s;
  // Read only: the tensor does not own the caller's vectors.
  const torch::Tensor inputs = torch::from_blob(
      const_cast<float*>(vectors),
      {static_cast<int64_t>(n), static_cast<int64_t>(dim)}, torch::kFloat);
  const InputScale input_scale = MeasureInputScale(n, vectors, dim);
  DeepHash hash;
  s = NeuralNet::Make(TensorShape{static_cast<uint32_t>(dim), 1, 1}, {},
                      &hash.trunk);
  if (s.ok()) {
    s = TrainOne("address", options, options.address_bits, options.seed, inputs,
                 input_scale, &hash.address);
  }
  if (s.ok()) {
    // Its own seed, so that its weights do not start as the address's.
    s = TrainOne("code", options, options.code_bits, options.seed + 1, inputs,
                 input_scale, &hash.code);
  }
  if (s.ok()) s = CheckDeepHash(hash);
  if (!s.ok()) return s;
  *out = MakeDeepEncoder(options.kind, FormatEncoderParams(options),
                         std::move(hash));
  return Status::OK();
}

}  // namespace

torch::Tensor StochasticBinary(const torch::Tensor& logits,
                               at::Generator& generator) {
  return StraightThroughSample::apply(torch::sigmoid(logits), generator);
}

BinaryAutoencoderImpl::BinaryAutoencoderImpl(
    size_t dim, const std::vector<uint32_t>& hidden, uint32_t bits,
    InputScale input_scale, uint64_t seed)
    : dim_(dim),
      input_scale_(input_scale),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  int64_t width = static_cast<int64_t>(dim);
  for (size_t i = 0; i < hidden.size(); ++i) {
    encoder_.push_back(
        AddLinear(*this, "encoder" + std::to_string(i), width, hidden[i]));
    width = hidden[i];
  }
  encoder_.push_back(AddLinear(*this, "code", width, bits));
  width = bits;
  for (size_t i = hidden.size(); i-- > 0;) {
    decoder_.push_back(
        AddLinear(*this, "decoder" + std::to_string(i), width, hidden[i]));
    width = hidden[i];
  }
  decoder_.push_back(
      AddLinear(*this, "output", width, static_cast<int64_t>(dim)));
}

torch::Tensor BinaryAutoencoderImpl::Normalise(
    const torch::Tensor& inputs) const {
  return inputs * input_scale_.scale + input_scale_.shift;
}

torch::Tensor BinaryAutoencoderImpl::CodeLogits(const torch::Tensor& inputs) {
  torch::Tensor x = Normalise(inputs);
  for (size_t i = 0; i + 1 < encoder_.size(); ++i) {
    x = torch::relu(encoder_[i]->forward(x));
  }
  return encoder_.back()->forward(x);
}

torch::Tensor BinaryAutoencoderImpl::ReconstructionLoss(
    const torch::Tensor& inputs) {
  const torch::Tensor logits = CodeLogits(inputs);
  torch::Tensor x = is_training() ? StochasticBinary(logits, generator_)
                                  : (logits >= 0).to(torch::kFloat);
  for (size_t i = 0; i + 1 < decoder_.size(); ++i) {
    x = torch::relu(decoder_[i]->forward(x));
  }
  return torch::mse_loss(decoder_.back()->forward(x), Normalise(inputs));
}

Status BinaryAutoencoderImpl::ExportEncoder(NeuralNet* out) {
  std::vector<Layer> layers = {ScaleLayer(input_scale_)};
  for (size_t i = 0; i < encoder_.size(); ++i) {
    if (i > 0) layers.push_back(ActivationLayer(LayerKind::kRelu));
    layers.push_back(DenseLayer(encoder_[i]));
  }
  return NeuralNet::Make(TensorShape{static_cast<uint32_t>(dim_), 1, 1},
                         std::move(layers), out);
}

Status TrainAutoencoderEncoder(const EncoderOptions& options, size_t n,
                               const float* vectors, size_t dim,
                               std::unique_ptr<Encoder>* out) {
  return CatchTorchErrors("training the autoencoder encoder",
                          [&] { return Train(options, n, vectors, dim, out); });
}

}  // namespace semhash

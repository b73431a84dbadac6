// The network of the "autoencoder" encoder (internal, built only with
// LibTorch), trained by TrainAutoencoderEncoder (deep_trainers.h): an MLP
// encoder to logistic code units, made binary by stochastic binary units
// (Krizhevsky's variant of Salakhutdinov & Hinton's semantic hashing), and
// a decoder mirroring the encoder's hidden widths back to the input.
//
// Thread safety: a module is used by one thread at a time.
#ifndef SEMHASH_ENGINE_ENCODERS_TORCH_AUTOENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_TORCH_AUTOENCODER_H_

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/encoders/neural_net.h"
#include "engine/encoders/torch_training.h"
#include "semhash/status.h"

namespace semhash {

// Stochastic binary units over pre-activations z: the forward pass gives
// exactly 0 or 1, a sample of Bernoulli(sigmoid(z)) drawn from `generator`;
// the backward pass goes straight through the sampling, as if the output
// were sigmoid(z): d loss / d z = d loss / d output * sigmoid'(z).
torch::Tensor StochasticBinary(const torch::Tensor& logits,
                               at::Generator& generator);

// Encoder: [inputs * scale + shift] -> (Linear, ReLU) per hidden width ->
// Linear to `bits` code pre-activations. Decoder: the hidden widths in
// reverse, each Linear + ReLU, then a linear output of `dim` values that
// reconstructs the normalised input.
class BinaryAutoencoderImpl : public torch::nn::Module {
 public:
  // `seed` seeds the stochastic units' generator; the weights come from
  // LibTorch's global generator.
  BinaryAutoencoderImpl(size_t dim, const std::vector<uint32_t>& hidden,
                        uint32_t bits, InputScale input_scale, uint64_t seed);

  // The code pre-activations [b, bits] of raw inputs [b, dim].
  torch::Tensor CodeLogits(const torch::Tensor& inputs);
  // The mean squared error of the reconstruction of inputs [b, dim] (as
  // normalised) through the code: sampled units in train() mode, units
  // thresholded at 0.5 (bit = pre-activation >= 0) in eval() mode.
  torch::Tensor ReconstructionLoss(const torch::Tensor& inputs);

  // The encoder as semhash's layers (scale, then dense and ReLU per hidden
  // width, then dense to the code pre-activations), on inputs of shape
  // (dim, 1, 1).
  Status ExportEncoder(NeuralNet* out);

 private:
  torch::Tensor Normalise(const torch::Tensor& inputs) const;

  size_t dim_;
  InputScale input_scale_;
  std::vector<torch::nn::Linear> encoder_;  // Hidden layers, then the code.
  std::vector<torch::nn::Linear> decoder_;  // Hidden layers, then the output.
  at::Generator generator_;
};
TORCH_MODULE(BinaryAutoencoder);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_TORCH_AUTOENCODER_H_

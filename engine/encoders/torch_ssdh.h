// The network and objective of the "ssdh" encoder (internal, built only
// with LibTorch), trained by TrainSsdhEncoder (deep_trainers.h):
// supervised semantics-preserving deep hashing (Lin, Yang, Hsiao & Chen,
// CVPRW 2015). A trunk (a small CNN for images, an MLP for vectors) feeds
// two latent layers of sigmoid units, H_address and H_code, each followed
// by its own linear classifier; both are trained jointly, each with the
// SSDH objective.
//
// Thread safety: a module is used by one thread at a time.
#ifndef SEMHASH_ENGINE_ENCODERS_TORCH_SSDH_H_
#define SEMHASH_ENGINE_ENCODERS_TORCH_SSDH_H_

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/encoders/deep_encoder.h"
#include "engine/encoders/torch_training.h"
#include "semhash/encoder_training.h"

namespace semhash {

// The three terms of the SSDH objective of a latent layer over a batch of
// N examples, with the paper's sums over examples replaced by means (so the
// weights do not depend on the batch size):
//   classification  mean_n L(y_n, yhat_n), L the softmax cross-entropy;
//   push            mean_n (1/K) ||a_n - 0.5 e||^2, which the objective
//                   subtracts: it rewards activations far from 0.5;
//   mean            mean_n (mean_k a_nk - 0.5)^2, keeping codes balanced.
// The objective is alpha * classification - beta * push + gamma * mean
// (plus Adam's weight decay for lambda ||W||^2).
struct SsdhTerms {
  torch::Tensor classification;
  torch::Tensor push;
  torch::Tensor mean;
};

// The terms for activations a [N, K] (sigmoid outputs of the latent layer),
// the classifier's logits [N, classes] and labels [N] (int64).
SsdhTerms SsdhObjective(const torch::Tensor& activations,
                        const torch::Tensor& logits,
                        const torch::Tensor& labels);

// What the network computes for a batch: each head's pre-activations (bit
// j = pre-activation j >= 0) and its classifier's logits, which take the
// head's sigmoid.
struct SsdhOutputs {
  torch::Tensor address;
  torch::Tensor code;
  torch::Tensor address_logits;
  torch::Tensor code_logits;
};

// Images (options.deep.image_* set): [inputs * scale + shift] -> two
// blocks of Conv2d 5x5 (padding 2), ReLU and 2x2 max-pooling -> Linear to
// the hidden width (default 256), ReLU, dropout. Vectors: [inputs * scale
// + shift] -> per hidden width (default 512, 256) Linear, ReLU, dropout.
// Then the heads: Linear to address_bits, Linear to code_bits.
class SsdhNetImpl : public torch::nn::Module {
 public:
  // REQUIRES: CheckDeepOptions(options, dim, true) passed; options.kind is
  // "ssdh" (for the default hidden widths, DeepHiddenWidths).
  SsdhNetImpl(const EncoderOptions& options, size_t dim, uint32_t classes,
              InputScale input_scale);

  // For raw inputs [b, dim].
  SsdhOutputs forward(const torch::Tensor& inputs);

  // The trunk, both heads and the code head's classifier as semhash's
  // networks.
  Status Export(DeepHash* out);

 private:
  torch::Tensor Trunk(const torch::Tensor& inputs);
  Status ExportTrunk(NeuralNet* out);

  TensorShape input_shape_;  // (dim, 1, 1) for vectors.
  bool image_input_;
  uint32_t classes_;
  InputScale input_scale_;
  std::vector<torch::nn::Conv2d> convolutions_;
  std::vector<torch::nn::Linear> hidden_;
  torch::nn::Dropout dropout_;
  torch::nn::Linear address_{nullptr}, code_{nullptr};
  torch::nn::Linear address_classifier_{nullptr}, code_classifier_{nullptr};
};
TORCH_MODULE(SsdhNet);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_TORCH_SSDH_H_

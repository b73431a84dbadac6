// The training loop shared by the deep trainers (torch_autoencoder.cc,
// torch_ssdh.cc), and the export of trained LibTorch layers into semhash's
// own network layers (neural_net.h). Internal; built only with LibTorch
// (SEMHASH_HAVE_TORCH).
//
// Reproducibility: a TorchTrainingScope seeds LibTorch's global generator
// (weight initialisation, dropout) and the loop draws its holdout split and
// shuffles from its own std::mt19937_64, so two trainings with the same
// seed, input and thread count give the same bytes. LibTorch offers no
// more than that: its CPU kernels and OpenBLAS split reductions (sums in
// matrix products, gradients of shared weights) by thread, so another
// thread count, another machine or another LibTorch build may change the
// last bits of the weights, and through them a few bits of the codes.
//
// Speed: LibTorch's OpenMP threads spin while they wait for work. On a
// machine whose cores are busy with other processes, two threads trained
// the Fashion-MNIST autoencoder up to 28 times slower than one (2 cores),
// unless OMP_WAIT_POLICY=PASSIVE was set before the program started (it is
// read when libgomp loads); DeepTrainingOptions::threads = 1 avoids it.
//
// Thread safety: LibTorch's seed, thread count and determinism flag, and
// glibc's malloc settings, are process-wide; trainings must not run
// concurrently with each other (or with other LibTorch users) if they are
// to be reproducible.
#ifndef SEMHASH_ENGINE_ENCODERS_TORCH_TRAINING_H_
#define SEMHASH_ENGINE_ENCODERS_TORCH_TRAINING_H_

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/encoders/neural_net.h"
#include "semhash/encoder_training.h"

namespace semhash {

// InvalidArgument naming the first option of `options` that does not fit
// `dim`-float inputs: bit widths (encoder_bit_widths.h), batch size, epochs,
// holdout in [0, 0.5], patience (>= 1 with a holdout), a positive finite
// learning rate, finite non-negative weight decay, alpha, beta and gamma,
// and no zero hidden width. With `image_input` (ssdh) an image shape, if
// given, must hold `dim` values, be at least 4 x 4 and come with at most one
// hidden width; without it (autoencoder) the image shape is ignored.
Status CheckDeepOptions(const EncoderOptions& options, size_t dim,
                        bool image_input);

// InvalidArgument if a network of `parameters` floats would not fit in a
// model (one FlatBuffer, under 2 GiB).
Status CheckModelParameterCount(int64_t parameters);

// Runs `train`, turning an exception of LibTorch's (or std::bad_alloc) into
// InvalidArgument saying what failed, so none leaves the library.
Status CatchTorchErrors(const std::string& what,
                        const std::function<Status()>& train);

// Seeds LibTorch's global generator, sets its thread count (0: every core),
// asks for deterministic algorithms and keeps freed memory in the process
// (glibc's mallopt; torch_training.cc says why); the destructor restores
// the previous thread count and determinism flag, glibc's default
// thresholds, and returns the freed memory (malloc_trim).
class TorchTrainingScope {
 public:
  TorchTrainingScope(uint64_t seed, uint32_t threads);
  ~TorchTrainingScope();
  TorchTrainingScope(const TorchTrainingScope&) = delete;
  TorchTrainingScope& operator=(const TorchTrainingScope&) = delete;

 private:
  int previous_threads_;
  bool previous_deterministic_;
  bool previous_warn_only_;
};

// The affine map y = x * scale + shift that brings the training inputs to
// mean 0 and standard deviation 1 (one mean and deviation over all values,
// as for pixels); scale 1 when every value is the same.
struct InputScale {
  float scale = 1.0f;
  float shift = 0.0f;
};
InputScale MeasureInputScale(size_t n, const float* vectors, size_t dim);

// The loss of one minibatch: `total` is minimised; `terms` (name, value)
// are shown after it in TrainingProgress::losses.
struct BatchLoss {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> terms;
};
// Computes the loss of a minibatch of inputs [b, dim] and labels [b]
// (int64; undefined when training without labels) with the module in its
// current mode (train() or eval()).
using LossFunction = std::function<BatchLoss(const torch::Tensor& inputs,
                                             const torch::Tensor& labels)>;

// The examples to train on: inputs [n, dim] float, labels [n] int64 or
// undefined.
struct TrainingSet {
  torch::Tensor inputs;
  torch::Tensor labels;
};

// Trains `module` on `data` with Adam (options.learning_rate,
// options.weight_decay) in minibatches of options.batch_size, shuffled each
// epoch. A seeded options.holdout fraction of the examples (rounded down;
// none if that is 0) is kept aside: after each epoch its loss, in eval()
// mode, decides early stopping (options.patience epochs without
// improvement: none lower than the best epoch's by 1% of its size), and the
// module ends with the weights of its best epoch.
// Calls options.progress, if set, after each batch and each epoch, naming
// the model `model_name`. REQUIRES: CheckDeepOptions passed; data has at
// least one example; runs inside a TorchTrainingScope.
void TrainModule(const std::string& model_name,
                 const DeepTrainingOptions& options, uint64_t seed,
                 const TrainingSet& data, torch::nn::Module& module,
                 const LossFunction& loss);

// Layers holding trained torch layers' weights, for neural_net.h.
Layer ScaleLayer(InputScale input_scale);
Layer DenseLayer(torch::nn::Linear& linear);
Layer Conv2dLayer(torch::nn::Conv2d& conv);
Layer MaxPool2dLayer(uint32_t kernel);
Layer ActivationLayer(LayerKind kind);  // kRelu or kSigmoid.

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_TORCH_TRAINING_H_

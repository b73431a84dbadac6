// Training an encoder: TrainEncoder and its options, the deep encoders'
// hyper-parameters and progress reports. The trained model is an Encoder
// (semhash/encoder.h), which is all a storage user needs to read.
//
// Thread safety: TrainEncoder of lsh, pcah, itq and sh may be called from
// many threads at once. The deep kinds (autoencoder, ssdh) set LibTorch's
// process-wide seed, thread count and deterministic mode while they train:
// train one of them at a time in a process, or results are not reproducible.
// The progress callbacks are called from the training thread.
#ifndef SEMHASH_ENCODER_TRAINING_H_
#define SEMHASH_ENCODER_TRAINING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "semhash/encoder.h"
#include "semhash/export.h"
#include "semhash/status.h"

namespace semhash {

// What a deep encoder's training reports, once per batch and at the end of
// each epoch.
struct TrainingProgress {
  // The model being trained: "address", "code" (autoencoder) or "ssdh".
  std::string model;
  uint32_t epoch = 0;  // From 1.
  uint32_t max_epochs = 0;
  // Training examples done in this epoch, of examples_per_epoch.
  size_t examples_done = 0;
  size_t examples_per_epoch = 0;
  // The loss terms averaged over the epoch so far, e.g.
  // "loss 0.412 class 0.301 push -0.212 mean 0.0021".
  std::string losses;
  // At the end of an epoch (epoch_done): the loss on the held-out split,
  // and whether training stops here (early stop or last epoch).
  bool epoch_done = false;
  double holdout_loss = 0;
  bool stopping = false;
};

// Training options of the deep encoders (autoencoder, ssdh).
struct DeepTrainingOptions {
  // Hidden layer widths, input side first; empty: the kind's default.
  // autoencoder: the encoder's layers before the code units (the decoder
  // mirrors them; default 512,256). ssdh on vectors: the MLP before H
  // (default 512,256); ssdh on images: the fully connected layer after the
  // convolutions (one width, default 256).
  std::vector<uint32_t> hidden;
  // ssdh: inputs are images of this shape (channels x height x width =
  // dim), run through a small CNN; 0: vectors, run through an MLP.
  uint32_t image_channels = 0, image_height = 0, image_width = 0;
  // Most epochs; training stops earlier when the held-out loss has not
  // improved for `patience` epochs, and keeps the best epoch's weights.
  uint32_t max_epochs = 30;
  uint32_t patience = 3;
  // Fraction of the training vectors held out (seeded) for early stopping;
  // 0: none (every epoch up to max_epochs is run).
  float holdout = 0.1f;
  uint32_t batch_size = 128;
  // Adam's step size, and the L2 weight decay (the objective's lambda).
  float learning_rate = 1e-3f;
  float weight_decay = 1e-5f;
  // ssdh's objective: alpha * classification - beta * push + gamma * mean.
  float alpha = 1.0f, beta = 1.0f, gamma = 1.0f;
  // Threads for training; 0: every core.
  uint32_t threads = 0;
  // Called from the training thread; may be empty. Not persisted.
  std::function<void(const TrainingProgress&)> progress;
};

// The kinds an encoder may be trained as (EncoderOptions::kind; the
// constants are in semhash/encoder.h):
// - lsh: random hyperplanes (Charikar 2002): bit j is 1 iff
//   r_j . (x - mean) >= 0, r_j standard normal. Learns only the mean.
// - pcah: PCA-sign, the signs of the top principal components.
// - itq: PCA + iterative quantisation (Gong & Lazebnik, CVPR 2011): PCA to
//   `bits` dimensions, then a rotation that minimises the quantisation loss.
// - sh: spectral hashing (Weiss, Torralba & Fergus, NIPS 2008): thresholded
//   analytical Laplacian eigenfunctions along the principal directions.
// - autoencoder: a deep autoencoder (Salakhutdinov & Hinton's semantic
//   hashing, with Krizhevsky's stochastic binary code units): an MLP encoder
//   to a layer of logistic code units, sampled to 0/1 in the forward pass
//   with the gradient passed straight through, and a mirrored decoder
//   trained to reconstruct the input; at inference the code units are
//   thresholded at 0.5. The address and the long code are two autoencoders,
//   each trained on its own.
// - ssdh: supervised semantics-preserving deep hashing (SSDH: Yang, Lin &
//   Chen, CVPRW 2015): a latent layer H of sigmoid units between a network's
//   feature layer and a classifier, trained with the classification loss, a
//   term pushing each unit away from 0.5 and a term keeping each code's mean
//   near 0.5; codes are H thresholded at 0.5. A small CNN for image inputs,
//   an MLP for vectors. Needs labels; keeps its classifier (Classify).
// - torchscript: a TorchScript module of the user's (e.g. exported from
//   PyTorch), stored in the database: its outputs thresholded into the
//   address and the code (EncoderOptions::torchscript_path).
// The deep kinds are trained with LibTorch, an optional part of the build: a
// semhash built without it refuses to train them (NotSupported) but encodes
// with their stored models all the same, through its own inference path.
// Encoding with a torchscript model needs LibTorch.
struct EncoderOptions {
  // One of the kinds above.
  std::string kind = kLshEncoder;
  // Width of the address, 1..32 (a database needs 8..32). The address is a
  // model of its own, trained separately from the long code: a 30-bit ITQ
  // address is a far better probe than the first 30 bits of a 256-bit code.
  uint32_t address_bits = 30;
  // Width of the long code: a multiple of 64 in 64..1024; pcah and itq make
  // one bit per principal direction, so at most the input dimension.
  uint32_t code_bits = 256;
  // Seeds the hyperplanes (lsh), ITQ's initial rotation and the training
  // sample. Training is deterministic for a given seed and input.
  uint64_t seed = 42;
  // Train on this many vectors drawn at random (seeded) from the input; 0 or
  // at least the input's size: all of them.
  size_t training_sample = 0;
  // itq only: rounds of alternating binarisation and Procrustes rotation.
  uint32_t itq_iterations = 50;
  // itq only: called after each round with the rounds done and the total,
  // 2 * itq_iterations (the address's rotation, then the code's), from the
  // training thread; may be empty. Not persisted.
  std::function<void(uint64_t done, uint64_t total)> itq_progress;
  // autoencoder and ssdh.
  DeepTrainingOptions deep;
  // torchscript: the TorchScript file (torch.jit.save) to store. Its
  // forward(x) takes a float tensor [n, dim] and returns [n, address_bits +
  // code_bits] (address first) or a tuple of [n, address_bits] and
  // [n, code_bits]; bit j is 1 iff output j >= torchscript_threshold.
  std::string torchscript_path;
  float torchscript_threshold = 0.0f;
};

// Trains an encoder on `n` vectors of `dim` floats, row-major. Its params()
// record every option above that applies to its kind, in canonical form
// ("iterations=50,sample=0,seed=42"). InvalidArgument on an unknown kind,
// n == 0 (pcah, itq, sh: fewer than 2 vectors), dim == 0, non-finite values
// or bit counts out of range.
SEMHASH_EXPORT Status TrainEncoder(const EncoderOptions& options, size_t n,
                                   const float* vectors, size_t dim,
                                   std::unique_ptr<Encoder>* out);
// The same with a class label per vector (labels[n], each below 2^16), which
// ssdh requires and the other kinds ignore.
SEMHASH_EXPORT Status TrainEncoder(const EncoderOptions& options, size_t n,
                                   const float* vectors, size_t dim,
                                   const uint32_t* labels,
                                   std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENCODER_TRAINING_H_

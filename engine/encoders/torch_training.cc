// The deep trainers' shared training loop and layer export (see
// torch_training.h).
#include "engine/encoders/torch_training.h"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <new>
#include <random>
#include <thread>

#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/encoder_bit_widths.h"

namespace semhash {
namespace {

// glibc's malloc while training: LibTorch allocates every batch's
// activations afresh (megabytes each), and glibc would map and unmap them
// from the OS each time (its dynamic threshold lags behind), so every batch
// paid page faults on all of them; that made training 2 to 3 times slower
// on a virtual machine. Below kMmapThreshold blocks come from the heap, and
// up to kTrimThreshold of freed heap stays in the process until the scope
// ends and returns it (malloc_trim).
constexpr int kMmapThreshold = 32 << 20;  // glibc's maximum.
constexpr int kTrimThreshold = 1 << 30;
// glibc's defaults, which the scope restores (without the dynamic
// threshold, which mallopt turns off for good).
constexpr int kDefaultMmapThreshold = 128 << 10;
constexpr int kDefaultTrimThreshold = 128 << 10;

// An epoch improves on the best one when its held-out loss is lower by at
// least this fraction of the best's magnitude: near convergence the loss
// creeps down by a fraction of a percent per epoch, and running on for that
// (the autoencoder did, for all 30 epochs) nearly doubled training time.
constexpr double kMinRelativeImprovement = 0.01;

// The smallest image side the CNN takes: two 2 x 2 poolings leave 1 x 1.
constexpr uint32_t kMinImageSide = 4;

bool IsFiniteNonNegative(float value) {
  return std::isfinite(value) && value >= 0.0f;
}

Status CheckOptimisation(const DeepTrainingOptions& deep) {
  if (deep.batch_size == 0) return Status::InvalidArgument("batch_size is 0");
  if (deep.max_epochs == 0) return Status::InvalidArgument("max_epochs is 0");
  if (!(deep.holdout >= 0.0f && deep.holdout <= 0.5f)) {
    return Status::InvalidArgument("holdout " + std::to_string(deep.holdout) +
                                   " is not in [0, 0.5]");
  }
  if (deep.holdout > 0.0f && deep.patience == 0) {
    return Status::InvalidArgument("patience is 0 with a holdout");
  }
  if (!(std::isfinite(deep.learning_rate) && deep.learning_rate > 0.0f)) {
    return Status::InvalidArgument("learning_rate " +
                                   std::to_string(deep.learning_rate) +
                                   " is not positive and finite");
  }
  const std::pair<const char*, float> weights[] = {
      {"weight_decay", deep.weight_decay},
      {"alpha", deep.alpha},
      {"beta", deep.beta},
      {"gamma", deep.gamma}};
  for (const auto& [name, value] : weights) {
    if (!IsFiniteNonNegative(value)) {
      return Status::InvalidArgument(std::string(name) + " " +
                                     std::to_string(value) +
                                     " is not finite and non-negative");
    }
  }
  return Status::OK();
}

Status CheckImageShape(const DeepTrainingOptions& deep, size_t dim) {
  const uint32_t sides[] = {deep.image_channels, deep.image_height,
                            deep.image_width};
  const bool any = std::any_of(std::begin(sides), std::end(sides),
                               [](uint32_t side) { return side != 0; });
  if (!any) return Status::OK();
  const std::string shape = std::to_string(deep.image_channels) + "x" +
                            std::to_string(deep.image_height) + "x" +
                            std::to_string(deep.image_width);
  if (size_t{deep.image_channels} * deep.image_height * deep.image_width !=
      dim) {
    return Status::InvalidArgument("image shape " + shape +
                                   " does not hold dim " + std::to_string(dim) +
                                   " values");
  }
  if (deep.image_height < kMinImageSide || deep.image_width < kMinImageSide) {
    return Status::InvalidArgument("image shape " + shape +
                                   " is smaller than 4 x 4");
  }
  if (deep.hidden.size() > 1) {
    return Status::InvalidArgument(
        "an image network takes one hidden width (after its convolutions), "
        "got " +
        std::to_string(deep.hidden.size()));
  }
  return Status::OK();
}

// The examples of `data` at `rows`.
TrainingSet Rows(const TrainingSet& data, const torch::Tensor& rows) {
  TrainingSet subset{data.inputs.index_select(0, rows), torch::Tensor()};
  if (data.labels.defined()) subset.labels = data.labels.index_select(0, rows);
  return subset;
}

torch::Tensor IndexTensor(const std::vector<int64_t>& rows) {
  return torch::tensor(rows, torch::kInt64);
}

// Row numbers 0..n-1 in an order drawn from `rng` (Fisher-Yates with plain
// modulo reduction: the same order on every platform).
std::vector<int64_t> ShuffledRows(size_t n, std::mt19937_64& rng) {
  std::vector<int64_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = static_cast<int64_t>(i);
  for (size_t i = n; i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);
  return rows;
}

// Averages of the loss terms over the examples seen so far.
class LossAverages {
 public:
  void Add(const BatchLoss& loss, size_t examples) {
    if (sums_.empty()) sums_.assign(loss.terms.size() + 1, 0.0);
    sums_[0] += loss.total.item<double>() * examples;
    for (size_t i = 0; i < loss.terms.size(); ++i) {
      sums_[i + 1] += loss.terms[i].second.item<double>() * examples;
    }
    if (names_.empty()) {
      names_.push_back("loss");
      for (const auto& term : loss.terms) names_.push_back(term.first);
    }
    examples_ += examples;
  }
  double total() const { return examples_ == 0 ? 0.0 : sums_[0] / examples_; }
  // "loss 0.412 class 0.301 push -0.212 mean 0.0021".
  std::string ToString() const {
    std::string text;
    for (size_t i = 0; i < names_.size(); ++i) {
      char value[32];
      std::snprintf(value, sizeof value, "%.3g", sums_[i] / examples_);
      text += (i == 0 ? "" : " ") + names_[i] + " " + value;
    }
    return text;
  }

 private:
  std::vector<std::string> names_;
  std::vector<double> sums_;
  size_t examples_ = 0;
};

// The mean loss of `module` in eval() mode over `data`, in batches.
double HoldoutLoss(const TrainingSet& data, size_t batch_size,
                   torch::nn::Module& module, const LossFunction& loss) {
  torch::NoGradGuard no_grad;
  module.eval();
  LossAverages averages;
  const int64_t n = data.inputs.size(0);
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t last = std::min<int64_t>(n, first + batch_size);
    const torch::Tensor labels = data.labels.defined()
                                     ? data.labels.slice(0, first, last)
                                     : torch::Tensor();
    averages.Add(loss(data.inputs.slice(0, first, last), labels), last - first);
  }
  module.train();
  return averages.total();
}

// Copies of a module's parameters and buffers, to return to its best epoch.
std::vector<torch::Tensor> SnapshotWeights(torch::nn::Module& module) {
  std::vector<torch::Tensor> weights;
  for (const auto& parameter : module.parameters()) {
    weights.push_back(parameter.detach().clone());
  }
  for (const auto& buffer : module.buffers()) {
    weights.push_back(buffer.detach().clone());
  }
  return weights;
}

void RestoreWeights(const std::vector<torch::Tensor>& weights,
                    torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& parameter : module.parameters()) parameter.copy_(weights[i++]);
  for (auto& buffer : module.buffers()) buffer.copy_(weights[i++]);
}

// One pass over `train` in shuffled minibatches; returns the loss averages.
LossAverages RunEpoch(const TrainingSet& train, std::mt19937_64& rng,
                      torch::optim::Optimizer& optimizer,
                      const LossFunction& loss, TrainingProgress* progress,
                      const DeepTrainingOptions& options) {
  const size_t n = static_cast<size_t>(train.inputs.size(0));
  const torch::Tensor order = IndexTensor(ShuffledRows(n, rng));
  LossAverages averages;
  for (size_t first = 0; first < n; first += options.batch_size) {
    const size_t last = std::min(n, first + options.batch_size);
    const TrainingSet batch = Rows(train, order.slice(0, first, last));
    optimizer.zero_grad();
    const BatchLoss batch_loss = loss(batch.inputs, batch.labels);
    batch_loss.total.backward();
    optimizer.step();
    averages.Add(batch_loss, last - first);
    if (options.progress) {
      progress->examples_done = last;
      progress->losses = averages.ToString();
      options.progress(*progress);
    }
  }
  return averages;
}

}  // namespace

Status CheckDeepOptions(const EncoderOptions& options, size_t dim,
                        bool image_input) {
  Status s = CheckTrainingBitWidths(options);
  if (s.ok()) s = CheckOptimisation(options.deep);
  if (s.ok() && image_input) s = CheckImageShape(options.deep, dim);
  if (!s.ok()) return s;
  for (const uint32_t width : options.deep.hidden) {
    if (width == 0) return Status::InvalidArgument("a hidden width is 0");
  }
  return Status::OK();
}

Status CheckModelParameterCount(int64_t parameters) {
  // Left for everything but the weights: names, shapes, framing.
  constexpr int64_t kMaxModelBytes = (int64_t{1} << 31) - (int64_t{1} << 20);
  if (parameters > kMaxModelBytes / int64_t{sizeof(float)}) {
    return Status::InvalidArgument("the network's " +
                                   std::to_string(parameters) +
                                   " weights make the model larger than 2 GiB");
  }
  return Status::OK();
}

Status CatchTorchErrors(const std::string& what,
                        const std::function<Status()>& train) {
  try {
    return train();
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument(what + ": out of memory");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(what + " failed in LibTorch: " + e.what());
  }
}

TorchTrainingScope::TorchTrainingScope(uint64_t seed, uint32_t threads)
    : previous_threads_(torch::get_num_threads()),
      previous_deterministic_(at::globalContext().deterministicAlgorithms()),
      previous_warn_only_(
          at::globalContext().deterministicAlgorithmsWarnOnly()) {
  torch::manual_seed(seed);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  torch::set_num_threads(static_cast<int>(threads != 0 ? threads : cores));
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

TorchTrainingScope::~TorchTrainingScope() {
  mallopt(M_TRIM_THRESHOLD, kDefaultTrimThreshold);
  mallopt(M_MMAP_THRESHOLD, kDefaultMmapThreshold);
  malloc_trim(0);
  at::globalContext().setDeterministicAlgorithms(previous_deterministic_,
                                                 previous_warn_only_);
  torch::set_num_threads(previous_threads_);
}

InputScale MeasureInputScale(size_t n, const float* vectors, size_t dim) {
  const size_t count = n * dim;
  double sum = 0;
  for (size_t i = 0; i < count; ++i) sum += vectors[i];
  const double mean = sum / count;
  double squares = 0;
  for (size_t i = 0; i < count; ++i) {
    squares += (vectors[i] - mean) * (vectors[i] - mean);
  }
  const double deviation = std::sqrt(squares / count);
  const double scale = deviation > 0 ? 1.0 / deviation : 1.0;
  return InputScale{static_cast<float>(scale),
                    static_cast<float>(-mean * scale)};
}

void TrainModule(const std::string& model_name,
                 const DeepTrainingOptions& options, uint64_t seed,
                 const TrainingSet& data, torch::nn::Module& module,
                 const LossFunction& loss) {
  const size_t n = static_cast<size_t>(data.inputs.size(0));
  const size_t holdout_rows = static_cast<size_t>(n * double{options.holdout});
  std::mt19937_64 rng(seed);
  const std::vector<int64_t> split = ShuffledRows(n, rng);
  const auto holdout_end = split.begin() + holdout_rows;
  const TrainingSet holdout =
      Rows(data, IndexTensor(std::vector<int64_t>(split.begin(), holdout_end)));
  const TrainingSet train =
      Rows(data, IndexTensor(std::vector<int64_t>(holdout_end, split.end())));

  torch::optim::Adam optimizer(module.parameters(),
                               torch::optim::AdamOptions(options.learning_rate)
                                   .weight_decay(options.weight_decay));
  TrainingProgress progress;
  progress.model = model_name;
  progress.max_epochs = options.max_epochs;
  progress.examples_per_epoch = n - holdout_rows;
  double best_loss = 0;
  std::vector<torch::Tensor> best_weights;
  uint32_t epochs_without_improvement = 0;
  module.train();
  for (uint32_t epoch = 1; epoch <= options.max_epochs; ++epoch) {
    progress.epoch = epoch;
    progress.epoch_done = false;
    const LossAverages averages =
        RunEpoch(train, rng, optimizer, loss, &progress, options);
    if (holdout_rows > 0) {
      progress.holdout_loss =
          HoldoutLoss(holdout, options.batch_size, module, loss);
      if (best_weights.empty() ||
          progress.holdout_loss <
              best_loss - kMinRelativeImprovement * std::abs(best_loss)) {
        best_loss = progress.holdout_loss;
        best_weights = SnapshotWeights(module);
        epochs_without_improvement = 0;
      } else {
        ++epochs_without_improvement;
      }
    }
    progress.epoch_done = true;
    progress.stopping =
        epoch == options.max_epochs ||
        (holdout_rows > 0 && epochs_without_improvement >= options.patience);
    if (options.progress) {
      progress.examples_done = progress.examples_per_epoch;
      progress.losses = averages.ToString();
      options.progress(progress);
    }
    if (progress.stopping) break;
  }
  if (!best_weights.empty()) RestoreWeights(best_weights, module);
  module.eval();
}

namespace {

std::vector<float> Floats(const torch::Tensor& tensor) {
  const torch::Tensor values =
      tensor.detach().to(torch::kFloat).contiguous().flatten();
  const float* data = values.data_ptr<float>();
  return std::vector<float>(data, data + values.numel());
}

}  // namespace

Layer ScaleLayer(InputScale input_scale) {
  Layer layer;
  layer.kind = LayerKind::kScale;
  layer.scale = input_scale.scale;
  layer.shift = input_scale.shift;
  return layer;
}

Layer DenseLayer(torch::nn::Linear& linear) {
  Layer layer;
  layer.kind = LayerKind::kDense;
  layer.outputs = static_cast<uint32_t>(linear->options.out_features());
  layer.weights = Floats(linear->weight);
  layer.bias = Floats(linear->bias);
  return layer;
}

Layer Conv2dLayer(torch::nn::Conv2d& conv) {
  const auto& options = conv->options;
  Layer layer;
  layer.kind = LayerKind::kConv2d;
  layer.outputs = static_cast<uint32_t>(options.out_channels());
  layer.kernel = static_cast<uint32_t>((*options.kernel_size())[0]);
  layer.stride = static_cast<uint32_t>((*options.stride())[0]);
  layer.padding = static_cast<uint32_t>(
      (*c10::get<torch::ExpandingArray<2>>(options.padding()))[0]);
  layer.weights = Floats(conv->weight);
  layer.bias = Floats(conv->bias);
  return layer;
}

Layer MaxPool2dLayer(uint32_t kernel) {
  Layer layer;
  layer.kind = LayerKind::kMaxPool2d;
  layer.kernel = kernel;
  return layer;
}

Layer ActivationLayer(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  return layer;
}

}  // namespace semhash

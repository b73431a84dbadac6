// DeepTrainingFlags (see deep_training_flags.h).
#include "tools/deep_training_flags.h"

#include <charconv>

#include "tools/number_flags.h"

namespace semhash::cli {
namespace po = boost::program_options;
namespace {

// "512,256" or "1x28x28" into numbers, each at least 1; false if malformed.
bool ParseNumberList(const std::string& text, char separator,
                     std::vector<uint32_t>* numbers) {
  numbers->clear();
  std::string_view rest = text;
  while (true) {
    const size_t end = rest.find(separator);
    const std::string_view item = rest.substr(0, end);
    uint32_t value = 0;
    const auto [next, ec] =
        std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec != std::errc() || next != item.data() + item.size() || value == 0) {
      return false;
    }
    numbers->push_back(value);
    if (end == std::string_view::npos) return true;
    rest.remove_prefix(end + 1);
  }
}

}  // namespace

void DeepTrainingFlags::AddTo(po::options_description* options) {
  // clang-format off
  options->add_options()
      ("labels", po::value<std::string>(), "ssdh: class labels of the vectors (IDX labels or 1-D integer .npy)")
      ("hidden", po::value<std::string>(), "autoencoder, ssdh: hidden layer widths, input side first, e.g. 512,256 (default 512,256 for autoencoder and for ssdh on vectors; 256, after the convolutions, for ssdh on images)")
      ("image-shape", po::value<std::string>(), "ssdh: inputs are CxHxW images for the CNN, or 'none' for the MLP (default the IDX images' shape, else none)")
      ("epochs", WholeNumber<uint32_t>(nullptr, 1), "autoencoder, ssdh: most training epochs (default 30)")
      ("patience", WholeNumber<uint32_t>(nullptr, 1), "autoencoder, ssdh: stop after this many epochs without a better held-out loss (default 3)")
      ("holdout", RealNumber<float>(nullptr, {0, 0.5}), "autoencoder, ssdh: fraction held out for early stopping (default 0.1)")
      ("batch", WholeNumber<uint32_t>(nullptr, 1), "autoencoder, ssdh: minibatch size (default 128)")
      ("lr", RealNumber<float>(nullptr, {0, kNoLimit, true}), "autoencoder, ssdh: Adam's learning rate (default 0.001)")
      ("weight-decay", RealNumber<float>(nullptr, {0}), "autoencoder, ssdh: L2 weight decay (default 1e-05)")
      ("alpha", RealNumber<float>(nullptr, {0}), "ssdh: weight of the classification loss (default 1)")
      ("beta", RealNumber<float>(nullptr, {0}), "ssdh: weight of the term pushing units away from 0.5 (default 1)")
      ("gamma", RealNumber<float>(nullptr, {0}), "ssdh: weight of the term keeping each code's mean near 0.5 (default 1)")
      ("threads", WholeNumber<uint32_t>(nullptr, 0, kMaxThreads), "autoencoder, ssdh: training threads; image inputs: decoding and encoding threads; 0 for one per core (default 0)");
  // clang-format on
}

void DeepTrainingFlags::Read(const po::variables_map& vm) {
  const auto get = [&vm](const char* name, auto* field) {
    using T = typename std::remove_reference_t<decltype(*field)>::value_type;
    if (vm.count(name)) *field = vm[name].as<T>();
  };
  get("labels", &labels);
  get("hidden", &hidden);
  get("image-shape", &image_shape);
  get("epochs", &epochs);
  get("patience", &patience);
  get("holdout", &holdout);
  get("batch", &batch);
  get("lr", &learning_rate);
  get("weight-decay", &weight_decay);
  get("alpha", &alpha);
  get("beta", &beta);
  get("gamma", &gamma);
  get("threads", &threads);
}

bool DeepTrainingFlags::any_training_option() const {
  return hidden || image_shape || epochs || patience || holdout || batch ||
         learning_rate || weight_decay || alpha || beta || gamma;
}

Status DeepTrainingFlags::ApplyTo(const io::Vectors& input,
                                  EncoderOptions* options) const {
  DeepTrainingOptions& deep = options->deep;
  if (hidden && !ParseNumberList(*hidden, ',', &deep.hidden)) {
    return Status::InvalidArgument(
        "--hidden takes widths such as 512,256, not '" + *hidden + "'");
  }
  if (options->kind == kSsdhEncoder) {
    std::vector<uint32_t> shape = {1, uint32_t(input.image_height),
                                   uint32_t(input.image_width)};
    if (image_shape && *image_shape == "none") {
      shape = {0, 0, 0};
    } else if (image_shape && (!ParseNumberList(*image_shape, 'x', &shape) ||
                               shape.size() != 3)) {
      return Status::InvalidArgument(
          "--image-shape takes CxHxW, e.g. 1x28x28, or none, not '" +
          *image_shape + "'");
    } else if (!image_shape && input.image_height == 0) {
      shape = {0, 0, 0};
    }
    deep.image_channels = shape[0];
    deep.image_height = shape[1];
    deep.image_width = shape[2];
  }
  deep.max_epochs = epochs.value_or(deep.max_epochs);
  deep.patience = patience.value_or(deep.patience);
  deep.holdout = holdout.value_or(deep.holdout);
  deep.batch_size = batch.value_or(deep.batch_size);
  deep.learning_rate = learning_rate.value_or(deep.learning_rate);
  deep.weight_decay = weight_decay.value_or(deep.weight_decay);
  deep.alpha = alpha.value_or(deep.alpha);
  deep.beta = beta.value_or(deep.beta);
  deep.gamma = gamma.value_or(deep.gamma);
  deep.threads = threads.value_or(deep.threads);
  return Status::OK();
}

Status DeepTrainingFlags::ReadLabels(const std::string& kind, size_t rows,
                                     std::vector<uint32_t>* out) const {
  out->clear();
  if (kind != kSsdhEncoder) return Status::OK();
  if (!labels) {
    return Status::InvalidArgument(
        "--encoder ssdh learns from classes: give --labels FILE");
  }
  std::vector<int32_t> read;
  Status s = io::ReadLabels(*labels, &read);
  if (!s.ok()) return s;
  if (read.size() < rows) {
    return Status::InvalidArgument(
        *labels + ": " + std::to_string(read.size()) + " labels for " +
        std::to_string(rows) + " vectors");
  }
  out->assign(read.begin(), read.begin() + rows);
  return Status::OK();
}

}  // namespace semhash::cli

// Canonical encoder parameters (see encoder_params.h).
#include "engine/encoders/encoder_params.h"

#include <charconv>
#include <cstdint>
#include <map>

namespace semhash {
namespace {

bool IsDeep(std::string_view kind) {
  return kind == kAutoencoderEncoder || kind == kSsdhEncoder;
}

std::string FloatText(float value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, result.ptr);
}

std::string WidthsText(const std::vector<uint32_t>& widths,
                       const char* separator) {
  std::string text;
  for (size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) text += separator;
    text += std::to_string(widths[i]);
  }
  return text;
}

// The key=value pairs of each kind, sorted by key.
std::map<std::string, std::string> ParamsOf(const EncoderOptions& options) {
  const std::string& kind = options.kind;
  if (kind == kTorchScriptEncoder) {
    return {{"threshold", FloatText(options.torchscript_threshold)}};
  }
  std::map<std::string, std::string> params = {
      {"sample", std::to_string(options.training_sample)},
      {"seed", std::to_string(options.seed)}};
  if (kind == kItqEncoder) {
    params["iterations"] = std::to_string(options.itq_iterations);
  }
  if (!IsDeep(kind)) return params;
  const DeepTrainingOptions& deep = options.deep;
  params["batch"] = std::to_string(deep.batch_size);
  params["epochs"] = std::to_string(deep.max_epochs);
  params["hidden"] = WidthsText(DeepHiddenWidths(options), "-");
  params["holdout"] = FloatText(deep.holdout);
  params["lr"] = FloatText(deep.learning_rate);
  params["patience"] = std::to_string(deep.patience);
  params["weight_decay"] = FloatText(deep.weight_decay);
  if (kind == kSsdhEncoder) {
    params["alpha"] = FloatText(deep.alpha);
    params["beta"] = FloatText(deep.beta);
    params["gamma"] = FloatText(deep.gamma);
    params["image"] = WidthsText(
        {deep.image_channels, deep.image_height, deep.image_width}, "x");
  }
  return params;
}

template <typename T>
bool ReadNumber(std::string_view text, T* value) {
  const char* last = text.data() + text.size();
  const auto [next, ec] = std::from_chars(text.data(), last, *value);
  return ec == std::errc() && next == last && !text.empty();
}

// "512-256" or "1x28x28" into widths; false if malformed.
bool ReadWidths(std::string_view text, char separator,
                std::vector<uint32_t>* widths) {
  widths->clear();
  while (true) {
    const size_t end = text.find(separator);
    uint32_t width = 0;
    if (!ReadNumber(text.substr(0, end), &width)) return false;
    widths->push_back(width);
    if (end == std::string_view::npos) return true;
    text.remove_prefix(end + 1);
  }
}

// Sets the option named `key` of *options from `value`; false if the key
// is unknown or the value malformed. FormatEncoderParams then decides
// whether the whole string is canonical.
bool SetParam(std::string_view key, std::string_view value,
              EncoderOptions* options) {
  DeepTrainingOptions& deep = options->deep;
  if (key == "sample") return ReadNumber(value, &options->training_sample);
  if (key == "seed") return ReadNumber(value, &options->seed);
  if (key == "iterations") return ReadNumber(value, &options->itq_iterations);
  if (key == "threshold") {
    return ReadNumber(value, &options->torchscript_threshold);
  }
  if (key == "batch") return ReadNumber(value, &deep.batch_size);
  if (key == "epochs") return ReadNumber(value, &deep.max_epochs);
  if (key == "patience") return ReadNumber(value, &deep.patience);
  if (key == "holdout") return ReadNumber(value, &deep.holdout);
  if (key == "lr") return ReadNumber(value, &deep.learning_rate);
  if (key == "weight_decay") return ReadNumber(value, &deep.weight_decay);
  if (key == "alpha") return ReadNumber(value, &deep.alpha);
  if (key == "beta") return ReadNumber(value, &deep.beta);
  if (key == "gamma") return ReadNumber(value, &deep.gamma);
  if (key == "hidden") return ReadWidths(value, '-', &deep.hidden);
  if (key == "image") {
    std::vector<uint32_t> shape;
    if (!ReadWidths(value, 'x', &shape) || shape.size() != 3) return false;
    deep.image_channels = shape[0];
    deep.image_height = shape[1];
    deep.image_width = shape[2];
    return true;
  }
  return false;
}

}  // namespace

std::vector<uint32_t> DeepHiddenWidths(const EncoderOptions& options) {
  if (!options.deep.hidden.empty()) return options.deep.hidden;
  if (options.kind == kSsdhEncoder && options.deep.image_channels != 0) {
    return {256};
  }
  return {512, 256};
}

std::string FormatEncoderParams(const EncoderOptions& options) {
  std::string text;
  for (const auto& [key, value] : ParamsOf(options)) {
    if (!text.empty()) text += ',';
    text += key + "=" + value;
  }
  return text;
}

Status ParseEncoderParams(std::string_view kind, std::string_view params,
                          EncoderOptions* options) {
  EncoderOptions parsed;
  parsed.kind = std::string(kind);
  std::string_view rest = params;
  bool well_formed = true;
  while (well_formed && !rest.empty()) {
    const std::string_view pair = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    const size_t equals = pair.find('=');
    well_formed =
        equals != std::string_view::npos &&
        SetParam(pair.substr(0, equals), pair.substr(equals + 1), &parsed);
  }
  if (!well_formed || FormatEncoderParams(parsed) != params) {
    return Status::Corruption("encoder params '" + std::string(params) +
                              "' are not canonical for kind " +
                              std::string(kind));
  }
  *options = parsed;
  return Status::OK();
}

}  // namespace semhash

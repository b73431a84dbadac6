// Canonical encoder parameters (see encoder_params.h).
#include "engine/encoder_params.h"

#include <charconv>
#include <cstdint>

namespace semhash {

std::string FormatEncoderParams(const EncoderOptions& options) {
  std::string params;
  if (options.kind == kItqEncoder) {
    params = "iterations=" + std::to_string(options.itq_iterations) + ",";
  }
  return params + "sample=" + std::to_string(options.training_sample) +
         ",seed=" + std::to_string(options.seed);
}

Status ParseEncoderParams(std::string_view kind, std::string_view params,
                          EncoderOptions* options) {
  EncoderOptions parsed;
  parsed.kind = std::string(kind);
  const auto corrupt = [&] {
    return Status::Corruption("encoder params '" + std::string(params) +
                              "' are not canonical for kind " +
                              std::string(kind));
  };
  // Reads "key=<decimal>" then the separator `end` from the front of rest.
  std::string_view rest = params;
  const auto take = [&](std::string_view key, char end, uint64_t* value) {
    if (rest.substr(0, key.size() + 1) != std::string(key) + "=") return false;
    rest.remove_prefix(key.size() + 1);
    const char* first = rest.data();
    const char* last = rest.data() + rest.size();
    const auto [next, ec] = std::from_chars(first, last, *value);
    if (ec != std::errc() || next == first ||
        (*first == '0' && next - first > 1)) {
      return false;
    }
    rest.remove_prefix(next - first);
    if (end == '\0') return rest.empty();
    if (rest.empty() || rest[0] != end) return false;
    rest.remove_prefix(1);
    return true;
  };
  uint64_t iterations = 0, sample = 0, seed = 0;
  if (kind == kItqEncoder) {
    if (!take("iterations", ',', &iterations) || iterations > UINT32_MAX) {
      return corrupt();
    }
    parsed.itq_iterations = static_cast<uint32_t>(iterations);
  }
  if (!take("sample", ',', &sample) || !take("seed", '\0', &seed)) {
    return corrupt();
  }
  parsed.training_sample = sample;
  parsed.seed = seed;
  if (FormatEncoderParams(parsed) != params) return corrupt();
  options->itq_iterations = parsed.itq_iterations;
  options->training_sample = parsed.training_sample;
  options->seed = parsed.seed;
  return Status::OK();
}

}  // namespace semhash

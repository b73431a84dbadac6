// The encoder of kind "torchscript" (see torchscript_encoder.h), made by
// MakeTorchScriptEncoder (deep_trainers.h). Compiled only with LibTorch;
// every LibTorch exception is caught here and returned as a Status.
#include "engine/encoders/torchscript_encoder.h"

#include <flatbuffers/flatbuffers.h>
#include <torch/script.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/common/mutex.h"
#include "engine/common/thread_annotations.h"
#include "engine/encoders/bit_packing.h"
#include "engine/encoders/deep_trainers.h"
#include "engine/encoders/encoder_bit_widths.h"
#include "engine/encoders/encoder_params.h"
#include "engine/encoders/fb_convert.h"
#include "engine/encoders/hash_pair_encoder.h"
#include "engine/encoders/model_checks.h"

namespace semhash {
namespace {

// Vectors per forward() call: bounds the module's working memory whatever
// the number of vectors encoded.
constexpr size_t kBatchRows = 256;
// Vectors MakeTorchScriptEncoder runs the module on to check its outputs.
constexpr size_t kProbeRows = 16;
// The module must fit in the model's FlatBuffer (under 2 GiB), with 64 KiB
// left for the rest of the model.
constexpr size_t kMaxModuleBytes = (size_t{1} << 31) - (size_t{1} << 16);

// An exception's message, without the C++ backtrace c10::Error appends.
std::string TorchMessage(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) {
    return torch_error->what_without_backtrace();
  }
  return error.what();
}

// Reads the module in `bytes` (what torch.jit.save writes), in eval mode.
// On failure returns false with LibTorch's reason in *error.
bool LoadModule(const std::string& bytes, torch::jit::Module* module,
                std::string* error) {
  try {
    std::istringstream in(bytes);
    *module = torch::jit::load(in, torch::kCPU);
    module->eval();
    return true;
  } catch (const std::exception& e) {
    *error = TorchMessage(e);
    return false;
  }
}

// The bytes of the module file `path`: IOError if it cannot be read,
// InvalidArgument if no path is given or the file is too large to store.
Status ReadModuleFile(const std::string& path, std::string* bytes) {
  if (path.empty()) {
    return Status::InvalidArgument(
        "the torchscript encoder needs torchscript_path, the module file "
        "(torch.jit.save)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": " + std::strerror(errno));
  bytes->assign(std::istreambuf_iterator<char>(in),
                std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path + ": read failed");
  if (bytes->size() > kMaxModuleBytes) {
    return Status::InvalidArgument(
        path + ": a module of " + std::to_string(bytes->size()) +
        " bytes; a model holds at most " + std::to_string(kMaxModuleBytes));
  }
  return Status::OK();
}

// "a Float tensor [16, 94]", "a tuple (a Float tensor [16, 30], a value of
// type Int)".
std::string Describe(const c10::IValue& value) {
  if (value.isTensor()) {
    const torch::Tensor& tensor = value.toTensor();
    std::string shape;
    for (const int64_t size : tensor.sizes()) {
      shape += (shape.empty() ? "" : ", ") + std::to_string(size);
    }
    return std::string("a ") + c10::toString(tensor.scalar_type()) +
           " tensor [" + shape + "]";
  }
  if (value.isTuple()) {
    std::string elements;
    for (const c10::IValue& element : value.toTupleRef().elements()) {
      elements += (elements.empty() ? "" : ", ") + Describe(element);
    }
    return "a tuple (" + elements + ")";
  }
  return std::string("a value of type ") + value.tagKind();
}

bool IsFloatMatrix(const c10::IValue& value, size_t rows, uint32_t columns) {
  if (!value.isTensor()) return false;
  const torch::Tensor& tensor = value.toTensor();
  return tensor.is_floating_point() && tensor.dim() == 2 &&
         tensor.size(0) == static_cast<int64_t>(rows) &&
         tensor.size(1) == static_cast<int64_t>(columns);
}

// The module's `result` for `rows` vectors as one contiguous double matrix
// [rows, address_bits + code_bits], address first. InvalidArgument saying
// what was expected and what came if it has another form, or holds a NaN
// (which has no side of a threshold).
Status ToOutputMatrix(const c10::IValue& result, size_t rows,
                      uint32_t address_bits, uint32_t code_bits,
                      torch::Tensor* outputs) {
  const uint32_t width = address_bits + code_bits;
  if (IsFloatMatrix(result, rows, width)) {
    *outputs = result.toTensor();
  } else if (result.isTuple() && result.toTupleRef().elements().size() == 2 &&
             IsFloatMatrix(result.toTupleRef().elements()[0], rows,
                           address_bits) &&
             IsFloatMatrix(result.toTupleRef().elements()[1], rows,
                           code_bits)) {
    const auto& elements = result.toTupleRef().elements();
    *outputs = torch::cat({elements[0].toTensor().to(torch::kFloat64),
                           elements[1].toTensor().to(torch::kFloat64)},
                          1);
  } else {
    const std::string r = std::to_string(rows);
    return Status::InvalidArgument(
        "the module returned " + Describe(result) +
        "; expected a float tensor [" + r + ", " + std::to_string(width) +
        "] (" + std::to_string(address_bits) + " address outputs, then " +
        std::to_string(code_bits) + " code outputs) or a tuple of two, [" + r +
        ", " + std::to_string(address_bits) + "] and [" + r + ", " +
        std::to_string(code_bits) + "]");
  }
  *outputs = outputs->to(torch::kCPU, torch::kFloat64).contiguous();
  const double* values = outputs->data_ptr<double>();
  for (size_t i = 0; i < rows * width; ++i) {
    if (std::isnan(values[i])) {
      return Status::InvalidArgument(
          "the module's output " + std::to_string(i % width) + " for vector " +
          std::to_string(i / width) + " is NaN");
    }
  }
  return Status::OK();
}

// Runs `module` on `rows` vectors of `dim` floats: *outputs as
// ToOutputMatrix gives them. InvalidArgument with LibTorch's message if the
// module fails.
Status RunModule(torch::jit::Module* module, size_t rows, const float* vectors,
                 size_t dim, uint32_t address_bits, uint32_t code_bits,
                 torch::Tensor* outputs) {
  try {
    c10::InferenceMode inference;
    // A copy: the module may change its input in place, and `vectors` are
    // the caller's.
    const torch::Tensor input = torch::from_blob(const_cast<float*>(vectors),
                                                 {static_cast<int64_t>(rows),
                                                  static_cast<int64_t>(dim)},
                                                 torch::kFloat32)
                                    .clone();
    const c10::IValue result = module->forward({input});
    return ToOutputMatrix(result, rows, address_bits, code_bits, outputs);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("the module failed: " + TorchMessage(e));
  }
}

class TorchScriptEncoder final : public Encoder {
 public:
  // REQUIRES: `module` is loaded from `module_bytes`; widths in range
  // (encoder_bit_widths.h); `params` canonical for `threshold`.
  TorchScriptEncoder(std::string params, std::string module_bytes,
                     torch::jit::Module module, float threshold,
                     uint32_t input_dim, uint32_t address_bits,
                     uint32_t code_bits)
      : params_(std::move(params)),
        module_bytes_(std::move(module_bytes)),
        threshold_(threshold),
        input_dim_(input_dim),
        address_bits_(address_bits),
        code_bits_(code_bits),
        module_(std::move(module)) {}

  const std::string& kind() const override { return kind_; }
  const std::string& params() const override { return params_; }
  uint32_t input_dim() const override { return input_dim_; }
  uint32_t address_bits() const override { return address_bits_; }
  uint32_t code_bits() const override { return code_bits_; }

  Status Encode(size_t n, const float* vectors, size_t dim, Address* addresses,
                uint8_t* codes) const override {
    Status s =
        CheckEncodeArguments(n, vectors, dim, input_dim_, addresses, codes);
    if (!s.ok() || n == 0) return s;
    // Staged, so that a module failing on a later batch leaves the outputs
    // untouched.
    const size_t code_bytes = code_bits_ / 8;
    std::vector<Address> staged_addresses(n);
    std::vector<uint8_t> staged_codes(n * code_bytes);
    for (size_t first = 0; first < n; first += kBatchRows) {
      const size_t rows = std::min(kBatchRows, n - first);
      torch::Tensor outputs;
      {
        MutexLock lock(&module_mutex_);
        s = RunModule(&module_, rows, vectors + first * dim, dim, address_bits_,
                      code_bits_, &outputs);
      }
      if (!s.ok()) {
        return s.WithContext("vectors " + std::to_string(first) + ".." +
                             std::to_string(first + rows - 1));
      }
      PackBits(outputs, rows, staged_addresses.data() + first,
               staged_codes.data() + first * code_bytes);
    }
    std::copy(staged_addresses.begin(), staged_addresses.end(), addresses);
    std::copy(staged_codes.begin(), staged_codes.end(), codes);
    return Status::OK();
  }

  std::string Serialize() const override {
    flatbuffers::FlatBufferBuilder builder(module_bytes_.size() + 1024);
    const auto module = builder.CreateVector(
        reinterpret_cast<const uint8_t*>(module_bytes_.data()),
        module_bytes_.size());
    const auto torchscript = fb::CreateTorchScriptModule(
        builder, module, threshold_, address_bits_, code_bits_);
    const auto kind = builder.CreateString(kind_);
    const auto params = builder.CreateString(params_);
    fb::EncoderModelBuilder model(builder);
    model.add_kind(kind);
    model.add_params(params);
    model.add_input_dim(input_dim_);
    model.add_torchscript(torchscript);
    fb::FinishEncoderModelBuffer(builder, model.Finish());
    return FinishedBytes(builder);
  }

 private:
  // Row i of `outputs` (from ToOutputMatrix) to addresses[i] and code i.
  void PackBits(const torch::Tensor& outputs, size_t rows, Address* addresses,
                uint8_t* codes) const {
    const uint32_t width = address_bits_ + code_bits_;
    const double threshold = threshold_;
    for (size_t i = 0; i < rows; ++i) {
      const double* row = outputs.data_ptr<double>() + i * width;
      addresses[i] = PackAddress(
          address_bits_, [&](uint32_t j) { return row[j] >= threshold; });
      PackCode(
          code_bits_ / 8,
          [&](uint32_t j) { return row[address_bits_ + j] >= threshold; },
          codes + i * (code_bits_ / 8));
    }
  }

  const std::string kind_ = kTorchScriptEncoder;
  const std::string params_;
  const std::string module_bytes_;  // As stored; module_ is read from them.
  const float threshold_;
  const uint32_t input_dim_;
  const uint32_t address_bits_;
  const uint32_t code_bits_;
  // forward() is not const, and may change the module's attributes: one
  // call at a time.
  mutable Mutex module_mutex_;
  mutable torch::jit::Module module_ GUARDED_BY(module_mutex_);
};

}  // namespace

Status MakeTorchScriptEncoder(const EncoderOptions& options, size_t n,
                              const float* vectors, size_t dim,
                              std::unique_ptr<Encoder>* out) {
  out->reset();
  const std::string& path = options.torchscript_path;
  Status s = CheckTrainingBitWidths(options);
  if (s.ok() && !std::isfinite(options.torchscript_threshold)) {
    s = Status::InvalidArgument("torchscript_threshold is not finite");
  }
  if (s.ok() && dim > UINT32_MAX) {
    s = Status::InvalidArgument("dim " + std::to_string(dim) +
                                " is above 2^32 - 1");
  }
  std::string bytes;
  if (s.ok()) s = ReadModuleFile(path, &bytes);
  torch::jit::Module module;
  std::string error;
  if (s.ok() && !LoadModule(bytes, &module, &error)) {
    s = Status::InvalidArgument(path + ": not a TorchScript module: " + error);
  }
  torch::Tensor outputs;
  if (s.ok()) {
    s = RunModule(&module, std::min(n, kProbeRows), vectors, dim,
                  options.address_bits, options.code_bits, &outputs)
            .WithContext(path);
  }
  if (!s.ok()) return s;
  EncoderOptions identity;
  identity.kind = kTorchScriptEncoder;
  // -0 and 0 threshold alike: one identity for both.
  identity.torchscript_threshold =
      options.torchscript_threshold == 0 ? 0.0f : options.torchscript_threshold;
  *out = std::make_unique<TorchScriptEncoder>(
      FormatEncoderParams(identity), std::move(bytes), std::move(module),
      identity.torchscript_threshold, static_cast<uint32_t>(dim),
      options.address_bits, options.code_bits);
  return Status::OK();
}

Status LoadTorchScriptModel(const fb::EncoderModel& model,
                            std::unique_ptr<Encoder>* out) {
  out->reset();
  const fb::TorchScriptModule* stored = model.torchscript();
  if (stored == nullptr) {
    return Status::Corruption("the torchscript module is missing");
  }
  if (model.address() != nullptr || model.code() != nullptr ||
      model.spectral_address() != nullptr || model.spectral_code() != nullptr ||
      model.deep() != nullptr) {
    return Status::Corruption("a torchscript model holds another kind's hash");
  }
  const std::string_view params = ReadString(model.params());
  EncoderOptions options;
  Status s = ParseEncoderParams(kTorchScriptEncoder, params, &options);
  if (s.ok()) {
    s = CheckHashPairShapes({stored->address_bits(), model.input_dim()},
                            {stored->code_bits(), model.input_dim()});
  }
  if (s.ok() && model.input_dim() == 0) {
    s = Status::Corruption("input_dim is 0");
  }
  if (s.ok() && !std::isfinite(stored->threshold())) {
    s = Status::Corruption("the threshold is not finite");
  }
  if (s.ok() && !(stored->threshold() == options.torchscript_threshold)) {
    EncoderOptions stored_threshold;
    stored_threshold.kind = kTorchScriptEncoder;
    stored_threshold.torchscript_threshold = stored->threshold();
    s = Status::Corruption("the module's " +
                           FormatEncoderParams(stored_threshold) +
                           " differs from the params' " + std::string(params));
  }
  const flatbuffers::Vector<uint8_t>* stored_bytes = stored->module_();
  if (s.ok() && (stored_bytes == nullptr || stored_bytes->size() == 0)) {
    s = Status::Corruption("the torchscript module has no bytes");
  }
  if (!s.ok()) return s;
  std::string bytes(reinterpret_cast<const char*>(stored_bytes->data()),
                    stored_bytes->size());
  torch::jit::Module module;
  std::string error;
  if (!LoadModule(bytes, &module, &error)) {
    return Status::Corruption("the torchscript module does not load: " + error);
  }
  *out = std::make_unique<TorchScriptEncoder>(
      std::string(params), std::move(bytes), std::move(module),
      stored->threshold(), model.input_dim(), stored->address_bits(),
      stored->code_bits());
  return Status::OK();
}

}  // namespace semhash

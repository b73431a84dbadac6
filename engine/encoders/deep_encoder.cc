// DeepEncoder (see deep_encoder.h): encoding and classifying through the
// stored networks, and the DeepHash table of the model.
#include "engine/encoders/deep_encoder.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/common/in_parallel.h"
#include "engine/encoders/bit_packing.h"
#include "engine/encoders/encoder_bit_widths.h"
#include "engine/encoders/encoder_params.h"
#include "engine/encoders/fb_convert.h"
#include "engine/encoders/hash_pair_encoder.h"

namespace semhash {
namespace {

// Vectors per block in Encode and Classify: bounds the activations' memory
// per thread.
constexpr size_t kBlockRows = 512;

// Runs block(first, rows) over [0, n) in blocks of at most kBlockRows
// vectors, the blocks shared among the cores.
template <typename Block>
Status InParallelBlocks(size_t n, const Block& block) {
  const size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  return InParallel(blocks, 0, [&](size_t first_block, size_t count) {
    const size_t end = std::min(n, (first_block + count) * kBlockRows);
    for (size_t first = first_block * kBlockRows; first < end;
         first += kBlockRows) {
      block(first, std::min(kBlockRows, end - first));
    }
    return Status::OK();
  });
}

class DeepEncoder final : public Encoder {
 public:
  DeepEncoder(std::string kind, std::string params, DeepHash hash)
      : kind_(std::move(kind)),
        params_(std::move(params)),
        hash_(std::move(hash)) {}

  const std::string& kind() const override { return kind_; }
  const std::string& params() const override { return params_; }
  uint32_t input_dim() const override {
    return static_cast<uint32_t>(hash_.trunk.input_shape().size());
  }
  uint32_t address_bits() const override {
    return static_cast<uint32_t>(hash_.address.output_shape().size());
  }
  uint32_t code_bits() const override {
    return static_cast<uint32_t>(hash_.code.output_shape().size());
  }
  uint32_t class_count() const override { return hash_.classes; }

  Status Encode(size_t n, const float* vectors, size_t dim, Address* addresses,
                uint8_t* codes) const override;
  Status Classify(size_t n, const float* vectors, size_t dim, uint32_t* classes,
                  float* probabilities) const override;
  std::string Serialize() const override;

 private:
  // The trunk's output for rows [first, first + rows): *features, or the
  // input itself when the trunk has no layers.
  const float* Features(size_t first, size_t rows, const float* vectors,
                        std::vector<float>* features) const;

  const std::string kind_;
  const std::string params_;
  const DeepHash hash_;
};

const float* DeepEncoder::Features(size_t first, size_t rows,
                                   const float* vectors,
                                   std::vector<float>* features) const {
  const float* block = vectors + first * input_dim();
  if (hash_.trunk.layers().empty()) return block;
  hash_.trunk.Forward(rows, block, features);
  return features->data();
}

Status DeepEncoder::Encode(size_t n, const float* vectors, size_t dim,
                           Address* addresses, uint8_t* codes) const {
  const Status s =
      CheckEncodeArguments(n, vectors, dim, input_dim(), addresses, codes);
  if (!s.ok() || n == 0) return s;
  const size_t code_bytes = code_bits() / 8;
  return InParallelBlocks(n, [&](size_t first, size_t rows) {
    std::vector<float> features, address_values, code_values;
    const float* block = Features(first, rows, vectors, &features);
    hash_.address.Forward(rows, block, &address_values);
    hash_.code.Forward(rows, block, &code_values);
    for (size_t r = 0; r < rows; ++r) {
      const float* address_row = address_values.data() + r * address_bits();
      const float* code_row = code_values.data() + r * code_bits();
      addresses[first + r] = PackAddress(
          address_bits(), [&](uint32_t j) { return address_row[j] >= 0.0f; });
      PackCode(
          code_bytes, [&](uint32_t j) { return code_row[j] >= 0.0f; },
          codes + (first + r) * code_bytes);
    }
  });
}

Status DeepEncoder::Classify(size_t n, const float* vectors, size_t dim,
                             uint32_t* classes, float* probabilities) const {
  if (hash_.classes == 0) {
    return Encoder::Classify(n, vectors, dim, classes, probabilities);
  }
  // Encode's checks; its outputs are never written for n == 0.
  Address unused_address = 0;
  uint8_t unused_code = 0;
  const Status s = CheckEncodeArguments(n, vectors, dim, input_dim(),
                                        &unused_address, &unused_code);
  if (!s.ok() || n == 0) return s;
  if (classes == nullptr || probabilities == nullptr) {
    return Status::InvalidArgument("no output buffers for the classes");
  }
  return InParallelBlocks(n, [&](size_t first, size_t rows) {
    std::vector<float> features, code_values, logits;
    hash_.code.Forward(rows, Features(first, rows, vectors, &features),
                       &code_values);
    for (float& value : code_values) value = 1.0f / (1.0f + std::exp(-value));
    hash_.classifier.Forward(rows, code_values.data(), &logits);
    for (size_t r = 0; r < rows; ++r) {
      const float* row = logits.data() + r * hash_.classes;
      const float* best = std::max_element(row, row + hash_.classes);
      double sum = 0;  // Softmax of the best class, shifted for stability.
      for (uint32_t c = 0; c < hash_.classes; ++c) {
        sum += std::exp(double(row[c]) - *best);
      }
      classes[first + r] = static_cast<uint32_t>(best - row);
      probabilities[first + r] = static_cast<float>(1.0 / sum);
    }
  });
}

flatbuffers::Offset<fb::Network> BuildNetwork(
    flatbuffers::FlatBufferBuilder* builder, const NeuralNet& net) {
  std::vector<flatbuffers::Offset<fb::NetLayer>> layers;
  for (const Layer& layer : net.layers()) {
    // Absent rather than empty when unused: no unreferenced bytes.
    const auto optional_vector = [builder](const std::vector<float>& values) {
      return values.empty() ? 0 : builder->CreateVector(values);
    };
    const auto weights = optional_vector(layer.weights);
    const auto bias = optional_vector(layer.bias);
    layers.push_back(fb::CreateNetLayer(
        *builder, static_cast<uint8_t>(layer.kind), layer.outputs, layer.kernel,
        layer.stride, layer.padding, layer.scale, layer.shift, weights, bias));
  }
  const TensorShape input = net.input_shape();
  return fb::CreateNetwork(*builder, input.channels, input.height, input.width,
                           builder->CreateVector(layers));
}

std::string DeepEncoder::Serialize() const {
  // The networks go first, so the buffer ends with weights rather than a
  // string's padding: no truncation of the model can still verify.
  flatbuffers::FlatBufferBuilder builder(1 << 20);
  const auto trunk = BuildNetwork(&builder, hash_.trunk);
  const auto address = BuildNetwork(&builder, hash_.address);
  const auto code = BuildNetwork(&builder, hash_.code);
  const auto classifier = BuildNetwork(&builder, hash_.classifier);
  const auto deep = fb::CreateDeepHash(builder, trunk, address, code,
                                       classifier, hash_.classes);
  const auto kind = builder.CreateString(kind_);
  const auto params = builder.CreateString(params_);
  fb::EncoderModelBuilder model(builder);
  model.add_kind(kind);
  model.add_params(params);
  model.add_input_dim(input_dim());
  model.add_deep(deep);
  fb::FinishEncoderModelBuffer(builder, model.Finish());
  return FinishedBytes(builder);
}

Status ReadNetwork(const fb::Network* in, const char* role, NeuralNet* out) {
  if (in == nullptr) {
    return Status::Corruption(std::string("the ") + role +
                              " network is missing");
  }
  std::vector<Layer> layers;
  if (in->layers() != nullptr) {
    for (const fb::NetLayer* stored : *in->layers()) {
      Layer layer;
      layer.kind = static_cast<LayerKind>(stored->kind());
      layer.outputs = stored->outputs();
      layer.kernel = stored->kernel();
      layer.stride = stored->stride();
      layer.padding = stored->padding();
      layer.scale = stored->scale();
      layer.shift = stored->shift();
      layer.weights = ReadVector(stored->weights());
      layer.bias = ReadVector(stored->bias());
      layers.push_back(std::move(layer));
    }
  }
  const TensorShape input{in->input_channels(), in->input_height(),
                          in->input_width()};
  return NeuralNet::Make(input, std::move(layers), out)
      .WithContext(std::string(role) + " network");
}

}  // namespace

Status CheckDeepHash(const DeepHash& hash) {
  const size_t features = hash.trunk.output_shape().size();
  const auto mismatch = [](const std::string& what, size_t actual,
                           size_t expected) {
    return Status::Corruption(what + " is " + std::to_string(actual) +
                              ", expected " + std::to_string(expected));
  };
  if (hash.address.input_shape().size() != features) {
    return mismatch("the address network's input size",
                    hash.address.input_shape().size(), features);
  }
  if (hash.code.input_shape().size() != features) {
    return mismatch("the code network's input size",
                    hash.code.input_shape().size(), features);
  }
  const size_t address_bits = hash.address.output_shape().size();
  const size_t code_bits = hash.code.output_shape().size();
  if (address_bits > kMaxAddressBits ||
      !IsEncoderAddressWidth(static_cast<uint32_t>(address_bits))) {
    return Status::Corruption("address width " + std::to_string(address_bits) +
                              " is not in 1..32");
  }
  if (code_bits > kMaxCodeBits ||
      !IsCodeWidth(static_cast<uint32_t>(code_bits))) {
    return Status::Corruption("code width " + std::to_string(code_bits) +
                              " is not a multiple of 64 in 64..1024");
  }
  if (hash.classes == 0) {
    if (!hash.classifier.layers().empty()) {
      return Status::Corruption("a classifier without classes");
    }
    return Status::OK();
  }
  if (hash.classifier.input_shape().size() != code_bits) {
    return mismatch("the classifier's input size",
                    hash.classifier.input_shape().size(), code_bits);
  }
  if (hash.classifier.output_shape().size() != hash.classes) {
    return mismatch("the classifier's output size",
                    hash.classifier.output_shape().size(), hash.classes);
  }
  return Status::OK();
}

std::unique_ptr<Encoder> MakeDeepEncoder(std::string kind, std::string params,
                                         DeepHash hash) {
  return std::make_unique<DeepEncoder>(std::move(kind), std::move(params),
                                       std::move(hash));
}

Status LoadDeepModel(const fb::EncoderModel& model, std::string_view kind,
                     std::unique_ptr<Encoder>* out) {
  const fb::DeepHash* stored = model.deep();
  if (stored == nullptr) {
    return Status::Corruption("the deep networks are missing");
  }
  const std::string_view params = ReadString(model.params());
  EncoderOptions options;
  DeepHash hash;
  hash.classes = stored->classes();
  Status s = ParseEncoderParams(kind, params, &options);
  if (s.ok()) s = ReadNetwork(stored->trunk(), "trunk", &hash.trunk);
  if (s.ok()) s = ReadNetwork(stored->address(), "address", &hash.address);
  if (s.ok()) s = ReadNetwork(stored->code(), "code", &hash.code);
  if (s.ok()) {
    s = ReadNetwork(stored->classifier(), "classifier", &hash.classifier);
  }
  if (s.ok()) s = CheckDeepHash(hash);
  if (s.ok() && model.input_dim() != hash.trunk.input_shape().size()) {
    s = Status::Corruption("input_dim " + std::to_string(model.input_dim()) +
                           " differs from the trunk's input size " +
                           std::to_string(hash.trunk.input_shape().size()));
  }
  if (!s.ok()) return s;
  *out =
      MakeDeepEncoder(std::string(kind), std::string(params), std::move(hash));
  return Status::OK();
}

}  // namespace semhash

// Writing and reading the persisted encoder model (see encoder_model.h).
#include "engine/encoder_model.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/lsh_encoder.h"
#include "semhash/encoder.h"

namespace semhash {
namespace {

flatbuffers::Offset<fb::LinearHash> BuildLinearHash(
    flatbuffers::FlatBufferBuilder* builder, const LinearHash& hash) {
  const auto mean = builder->CreateVector(hash.mean);
  const auto weights = builder->CreateVector(hash.weights);
  const auto thresholds = builder->CreateVector(hash.thresholds);
  return fb::CreateLinearHash(*builder, hash.bits, hash.input_dim, mean,
                              weights, thresholds);
}

std::vector<float> ReadFloats(const flatbuffers::Vector<float>* values) {
  if (values == nullptr) return {};
  return std::vector<float>(values->begin(), values->end());
}

Status ReadLinearHash(const fb::LinearHash* in, const char* role,
                      LinearHash* out) {
  if (in == nullptr) {
    return Status::Corruption(std::string("the ") + role + " hash is missing");
  }
  out->bits = in->bits();
  out->input_dim = in->input_dim();
  out->mean = ReadFloats(in->mean());
  out->weights = ReadFloats(in->weights());
  out->thresholds = ReadFloats(in->thresholds());
  return Status::OK();
}

Status LoadLsh(const fb::EncoderModel& model, std::unique_ptr<Encoder>* out) {
  uint64_t seed = 0;
  LinearHash address;
  LinearHash code;
  const std::string_view params =
      model.params() == nullptr ? "" : model.params()->string_view();
  Status s = ParseLshParams(params, &seed);
  if (s.ok()) s = ReadLinearHash(model.address(), "address", &address);
  if (s.ok()) s = ReadLinearHash(model.code(), "code", &code);
  if (s.ok()) s = CheckLshHashes(address, code);
  if (!s.ok()) return s;
  if (model.input_dim() != address.input_dim) {
    return Status::Corruption("model input_dim " +
                              std::to_string(model.input_dim()) +
                              " differs from the hashes' input_dim " +
                              std::to_string(address.input_dim));
  }
  *out =
      std::make_unique<LshEncoder>(seed, std::move(address), std::move(code));
  return Status::OK();
}

// `text` fit for an error message: at most 64 bytes, non-printable bytes as
// \xNN, since a kind we do not know may be garbage.
std::string Printable(std::string_view text) {
  constexpr size_t kMaxBytes = 64;
  std::string result;
  for (const char c : text.substr(0, kMaxBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      result += c;
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      result += {'\\', 'x', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  if (text.size() > kMaxBytes) result += "...";
  return result;
}

// Checks that `data` holds a whole, well-formed EncoderModel FlatBuffer:
// after this every offset, string and vector in it is in bounds.
Status VerifyModel(const uint8_t* data, size_t size) {
  if (size < 8 || !fb::EncoderModelBufferHasIdentifier(data)) {
    return Status::Corruption("no SHEM file identifier: not an encoder model");
  }
  flatbuffers::Verifier verifier(data, size, flatbuffers::Verifier::Options());
  if (!fb::VerifyEncoderModelBuffer(verifier)) {
    return Status::Corruption(
        "truncated or damaged model (FlatBuffers verification failed)");
  }
  return Status::OK();
}

Status LoadVerified(const uint8_t* data, size_t size,
                    std::unique_ptr<Encoder>* out) {
  Status s = VerifyModel(data, size);
  if (!s.ok()) return s;
  const fb::EncoderModel& model = *fb::GetEncoderModel(data);
  if (model.kind() == nullptr) return Status::Corruption("kind is missing");
  const std::string_view kind = model.kind()->string_view();
  if (kind == kLshKind) return LoadLsh(model, out);
  return Status::NotSupported("unknown encoder kind '" + Printable(kind) + "'");
}

}  // namespace

std::string SerializeLinearModel(std::string_view kind, std::string_view params,
                                 const LinearHash& address,
                                 const LinearHash& code) {
  flatbuffers::FlatBufferBuilder builder(
      sizeof(float) * (address.weights.size() + code.weights.size()) + 1024);
  const auto kind_offset = builder.CreateString(kind.data(), kind.size());
  const auto params_offset = builder.CreateString(params.data(), params.size());
  const auto address_offset = BuildLinearHash(&builder, address);
  const auto code_offset = BuildLinearHash(&builder, code);
  fb::FinishEncoderModelBuffer(
      builder,
      fb::CreateEncoderModel(builder, kind_offset, params_offset,
                             address.input_dim, address_offset, code_offset));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

Status Encoder::Load(std::string_view bytes, std::unique_ptr<Encoder>* out) {
  out->reset();
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return Status::Corruption("encoder model of " +
                              std::to_string(bytes.size()) +
                              " bytes exceeds the FlatBuffers limit");
  }
  // FlatBuffers reads scalars in place, so give it aligned bytes.
  std::vector<uint64_t> aligned;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    aligned.resize(bytes.size() / sizeof(uint64_t) + 1);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    data = reinterpret_cast<const uint8_t*>(aligned.data());
  }
  return LoadVerified(data, bytes.size(), out).WithContext("encoder model");
}

}  // namespace semhash

// Writing and reading the persisted encoder model (see encoder_model.h).
#include "engine/encoders/encoder_model.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoders/deep_encoder.h"
#include "engine/encoders/encoder_params.h"
#include "engine/encoders/fb_convert.h"
#include "engine/encoders/linear_encoder.h"
#include "engine/encoders/model_checks.h"
#include "engine/encoders/spectral_encoder.h"
#include "engine/encoders/torchscript_encoder.h"
#include "format/aligned_bytes.h"
#include "semhash/encoder_training.h"

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

Status ReadLinearHash(const fb::LinearHash* in, const char* role,
                      LinearHash* out) {
  if (in == nullptr) {
    return Status::Corruption(std::string("the ") + role + " hash is missing");
  }
  out->bits = in->bits();
  out->input_dim = in->input_dim();
  out->mean = ReadVector(in->mean());
  out->weights = ReadVector(in->weights());
  out->thresholds = ReadVector(in->thresholds());
  return Status::OK();
}

// Loads the kinds made of two linear hashes (lsh, pcah, itq).
Status LoadLinearModel(const fb::EncoderModel& model, std::string_view kind,
                       std::unique_ptr<Encoder>* out) {
  const std::string_view params = ReadString(model.params());
  EncoderOptions options;
  LinearHash address;
  LinearHash code;
  Status s = ParseEncoderParams(kind, params, &options);
  if (s.ok()) s = ReadLinearHash(model.address(), "address", &address);
  if (s.ok()) s = ReadLinearHash(model.code(), "code", &code);
  if (s.ok()) s = CheckLinearHashes(address, code);
  if (s.ok()) s = CheckModelInputDim(model.input_dim(), address.input_dim);
  if (!s.ok()) return s;
  *out = std::make_unique<LinearEncoder>(std::string(kind), std::string(params),
                                         std::move(address), std::move(code));
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
  if (IsLinearEncoderKind(kind)) return LoadLinearModel(model, kind, out);

  // Kinds whose models hold more than two linear hashes, one line each:
  if (kind == kSpectralEncoder) return LoadSpectralModel(model, out);
  if (kind == kAutoencoderEncoder || kind == kSsdhEncoder) {
    return LoadDeepModel(model, kind, out);
  }
  if (kind == kTorchScriptEncoder) return LoadTorchScriptModel(model, out);

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
  return FinishedBytes(builder);
}

Status Encoder::Classify(size_t n, const float* vectors, size_t dim,
                         uint32_t* classes, float* probabilities) const {
  return Status::NotSupported("encoder kind '" + kind() +
                              "' has no classifier (only ssdh keeps one)");
}

Status Encoder::Load(std::string_view bytes, std::unique_ptr<Encoder>* out) {
  out->reset();
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return Status::Corruption("encoder model of " +
                              std::to_string(bytes.size()) +
                              " bytes exceeds the FlatBuffers limit");
  }
  const format::AlignedBytes aligned(bytes);
  return LoadVerified(aligned.data(), aligned.size(), out)
      .WithContext("encoder model");
}

}  // namespace semhash

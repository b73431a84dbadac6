// The encoder made of two linear hashes (see linear_encoder.h).
#include "engine/encoders/linear_encoder.h"

#include <string>
#include <utility>

#include "engine/encoders/encoder_bit_widths.h"
#include "engine/encoders/encoder_model.h"
#include "engine/encoders/encoder_params.h"
#include "engine/encoders/model_checks.h"
#include "engine/encoders/vector_checks.h"

namespace semhash {
namespace {

// The model must fit in one FlatBuffer (< 2 GiB): the weights and both
// means take floats_per_dim floats per input dimension, and 64 KiB is left
// for the thresholds and the framing.
Status CheckModelSize(const EncoderOptions& options, size_t dim) {
  constexpr size_t kMaxModelBytes = (size_t{1} << 31) - (size_t{1} << 16);
  const size_t floats_per_dim =
      size_t{options.address_bits} + options.code_bits + 2;
  if (dim > kMaxModelBytes / sizeof(float) / floats_per_dim) {
    return Status::InvalidArgument("dim " + std::to_string(dim) +
                                   " makes the model larger than 2 GiB");
  }
  return Status::OK();
}

}  // namespace

bool IsLinearEncoderKind(std::string_view kind) {
  return kind == kLshEncoder || kind == kPcahEncoder || kind == kItqEncoder;
}

LinearEncoder::LinearEncoder(std::string kind, std::string params,
                             LinearHash address, LinearHash code)
    : HashPairEncoder(std::move(kind), std::move(params), std::move(address),
                      std::move(code)) {}

std::string LinearEncoder::Serialize() const {
  return SerializeLinearModel(kind(), params(), address().hash(),
                              code().hash());
}

std::unique_ptr<Encoder> NewLinearEncoder(std::string_view kind,
                                          const EncoderOptions& options,
                                          LinearHash address, LinearHash code) {
  EncoderOptions identity = options;
  identity.kind = std::string(kind);
  return std::make_unique<LinearEncoder>(identity.kind,
                                         FormatEncoderParams(identity),
                                         std::move(address), std::move(code));
}

Status CheckLinearHashes(const LinearHash& address, const LinearHash& code) {
  return CheckHashPair(address, code, CheckLinearHash);
}

Status CheckLinearTraining(const EncoderOptions& options, size_t min_vectors,
                           size_t n, const float* vectors, size_t dim) {
  if (n < min_vectors) {
    return Status::InvalidArgument("training needs at least " +
                                   std::to_string(min_vectors) +
                                   " vectors, got " + std::to_string(n));
  }
  if (dim == 0) return Status::InvalidArgument("dim is 0");
  if (vectors == nullptr) return Status::InvalidArgument("vectors is null");
  Status s = CheckTrainingBitWidths(options);
  if (s.ok()) s = CheckModelSize(options, dim);
  if (s.ok()) s = CheckFiniteVectors(n, vectors, dim);
  return s;
}

}  // namespace semhash

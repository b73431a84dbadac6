// Fuzz target: Encoder::Load (semhash/encoder.h) on the input as a model's
// FlatBuffer bytes (format/encoder_model.fbs), then, for a model that
// loads, Serialize, Load again, and Encode.
//
// Invariants: a failure is Corruption or NotSupported and leaves no encoder;
// a loaded model has widths in range; its serialization loads and
// serializes to the same bytes; the two encoders encode a few fixed vectors
// (ordinary, huge and tiny values) identically, into addresses of
// address_bits bits; Encode refuses a wrong dimension and a NaN.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "semhash/codes.h"
#include "semhash/encoder.h"

namespace semhash::fuzz {
namespace {

constexpr size_t kVectors = 4;

// kVectors rows of `dim` floats: zeros, a small ramp, values near FLT_MAX
// (projections overflow to infinity) and subnormals.
std::vector<float> FixedVectors(size_t dim) {
  std::vector<float> x(kVectors * dim);
  for (size_t d = 0; d < dim; ++d) {
    const float sign = d % 2 == 0 ? 1.0f : -1.0f;
    x[0 * dim + d] = 0.0f;
    x[1 * dim + d] = 0.25f * static_cast<float>(d % 9) - 1.0f;
    x[2 * dim + d] = sign * 3e38f;
    x[3 * dim + d] = sign * std::numeric_limits<float>::denorm_min();
  }
  return x;
}

struct Encoded {
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  bool operator==(const Encoded&) const = default;
};

Encoded EncodeFixed(const Encoder& encoder) {
  const size_t dim = encoder.input_dim();
  const std::vector<float> x = FixedVectors(dim);
  Encoded out{std::vector<Address>(kVectors),
              std::vector<uint8_t>(kVectors * encoder.code_bits() / 8)};
  const Status s = encoder.Encode(kVectors, x.data(), dim, out.addresses.data(),
                                  out.codes.data());
  FUZZ_CHECK(s.ok());
  return out;
}

// Encode's argument checks, which must hold whatever the model.
void CheckRefusals(const Encoder& encoder) {
  const size_t dim = encoder.input_dim();
  std::vector<float> x(dim + 1, 0.0f);
  std::vector<Address> addresses(1);
  std::vector<uint8_t> codes(encoder.code_bits() / 8);
  FUZZ_CHECK(
      encoder.Encode(1, x.data(), dim + 1, addresses.data(), codes.data())
          .IsInvalidArgument());
  x[dim / 2] = std::numeric_limits<float>::quiet_NaN();
  FUZZ_CHECK(encoder.Encode(1, x.data(), dim, addresses.data(), codes.data())
                 .IsInvalidArgument());
}

void CheckLoaded(const Encoder& encoder) {
  FUZZ_CHECK(encoder.input_dim() > 0);
  FUZZ_CHECK(encoder.address_bits() >= 1 &&
             encoder.address_bits() <= kMaxAddressBits);
  FUZZ_CHECK(encoder.code_bits() >= kMinCodeBits &&
             encoder.code_bits() <= kMaxCodeBits &&
             encoder.code_bits() % 64 == 0);

  const std::string bytes = encoder.Serialize();
  std::unique_ptr<Encoder> again;
  FUZZ_CHECK(Encoder::Load(bytes, &again).ok() && again != nullptr);
  FUZZ_CHECK(again->Serialize() == bytes);
  FUZZ_CHECK(again->kind() == encoder.kind());
  FUZZ_CHECK(again->params() == encoder.params());

  const Encoded first = EncodeFixed(encoder);
  FUZZ_CHECK(EncodeFixed(*again) == first);
  if (encoder.address_bits() < 32) {
    for (const Address a : first.addresses) {
      FUZZ_CHECK(a >> encoder.address_bits() == 0);
    }
  }
  CheckRefusals(encoder);
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  std::unique_ptr<semhash::Encoder> encoder;
  const semhash::Status s =
      semhash::Encoder::Load(AsView(data, size), &encoder);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption() || s.IsNotSupported());
    FUZZ_CHECK(encoder == nullptr);
    return 0;
  }
  FUZZ_CHECK(encoder != nullptr);
  CheckLoaded(*encoder);
  return 0;
}

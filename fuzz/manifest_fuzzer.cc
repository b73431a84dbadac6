// Fuzz target: DecodeManifest (format/manifest.h), on the input as given and
// with its frame's length and checksum repaired (FixFrame), so that
// mutations reach the FlatBuffers verifier and the range checks.
//
// Invariants: a failure is Corruption, or NotSupported for another format
// version; a decoded manifest has every field in its documented range, and
// encoding it and decoding that gives the same manifest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/manifest.h"
#include "fuzz/fuzz_util.h"
#include "semhash/codes.h"

namespace semhash::fuzz {
namespace {

bool SameManifest(const format::Manifest& a, const format::Manifest& b) {
  return a.format_version == b.format_version &&
         a.address_bits == b.address_bits && a.code_bits == b.code_bits &&
         a.posting_chunk_capacity == b.posting_chunk_capacity &&
         a.merge_operator == b.merge_operator &&
         a.encoder_kind == b.encoder_kind &&
         a.encoder_params == b.encoder_params &&
         a.encoder_model_checksum == b.encoder_model_checksum;
}

void DecodeAndCheck(std::string_view bytes) {
  format::Manifest manifest;
  const Status s = format::DecodeManifest(bytes, &manifest);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption() || s.IsNotSupported());
    return;
  }
  FUZZ_CHECK(manifest.format_version >= format::kOldestFormatVersion &&
             manifest.format_version <= format::kFormatVersion);
  FUZZ_CHECK(manifest.address_bits >= kMinAddressBits &&
             manifest.address_bits <= kMaxAddressBits);
  FUZZ_CHECK(manifest.code_bits >= kMinCodeBits &&
             manifest.code_bits <= kMaxCodeBits &&
             manifest.code_bits % 64 == 0);
  FUZZ_CHECK(manifest.posting_chunk_capacity > 0);
  format::Manifest again;
  FUZZ_CHECK(
      format::DecodeManifest(format::EncodeManifest(manifest), &again).ok());
  FUZZ_CHECK(SameManifest(manifest, again));
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  semhash::fuzz::CheckRawAndRepaired(data, size, semhash::fuzz::DecodeAndCheck);
  return 0;
}

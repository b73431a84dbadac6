// Fuzz target: DecodeManifestWatermark (format/manifest_watermark.h), on the
// input as given and with its frame's length and checksum repaired
// (FixFrame).
//
// Invariants: a failure is Corruption; a decoded watermark re-encodes to
// exactly the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "format/manifest_watermark.h"
#include "fuzz/fuzz_util.h"

namespace semhash::fuzz {
namespace {

void DecodeAndCheck(std::string_view bytes) {
  format::ManifestWatermark mark;
  const Status s = format::DecodeManifestWatermark(bytes, &mark);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  FUZZ_CHECK(format::EncodeManifestWatermark(mark) == bytes);
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  const std::string_view raw = AsView(data, size);
  DecodeAndCheck(raw);
  DecodeAndCheck(AsView(FixFrame(raw)));
  return 0;
}

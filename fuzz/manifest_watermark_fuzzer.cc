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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash;
  fuzz::CheckRawAndRepaired(data, size, [](std::string_view bytes) {
    fuzz::CheckDecodeReencodes<format::ManifestWatermark>(
        bytes, format::DecodeManifestWatermark,
        format::EncodeManifestWatermark);
  });
  return 0;
}

// Fuzz target: DecodeTailRecord (format/tail_record.h), on the input as given
// and with its frame's length and checksum repaired (FixFrame).
//
// Invariants: a failure is Corruption; a decoded tail re-encodes to exactly
// the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "format/tail_record.h"
#include "fuzz/fuzz_util.h"

namespace semhash::fuzz {
namespace {

void DecodeAndCheck(std::string_view bytes) {
  format::TailRecord tail;
  const Status s = format::DecodeTailRecord(bytes, &tail);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  FUZZ_CHECK(format::EncodeTailRecord(tail) == bytes);
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

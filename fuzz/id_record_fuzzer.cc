// Fuzz target: DecodeIdRecord (format/id_record.h), on the input as given and
// with its frame's length and checksum repaired (FixFrame).
//
// Invariants: a failure is Corruption; a decoded record accounts for every
// payload byte and re-encodes to exactly the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/frame.h"
#include "format/id_record.h"
#include "fuzz/fuzz_util.h"

namespace semhash::fuzz {
namespace {

// address u32, table_count u8, code_bytes u16 (docs/format.md, "Id record").
constexpr size_t kFixedPayloadBytes = 4 + 1 + 2;

void DecodeAndCheck(std::string_view bytes) {
  format::IdRecord record;
  const Status s = format::DecodeIdRecord(bytes, &record);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  FUZZ_CHECK(record.chunks.size() <= 255);
  FUZZ_CHECK(record.code.size() <= 0xffff);
  FUZZ_CHECK(format::kFrameOverheadBytes + kFixedPayloadBytes +
                 4 * record.chunks.size() + record.code.size() +
                 record.payload.size() ==
             bytes.size());
  FUZZ_CHECK(format::EncodeIdRecord(record) == bytes);
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  semhash::fuzz::CheckRawAndRepaired(data, size, semhash::fuzz::DecodeAndCheck);
  return 0;
}

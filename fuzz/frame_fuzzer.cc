// Fuzz target: DecodeFrame (format/frame.h) for every record kind, on the
// input as given and with its length and checksum repaired (FixFrame).
//
// Invariants: a decoded frame is the input's kind, its payload lies in the
// input at offset 6 and fills it up to the checksum, and re-framing the
// payload gives the input back; a repaired frame of a known kind decodes as
// that kind and no other.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/frame.h"
#include "fuzz/fuzz_util.h"

namespace semhash::fuzz {
namespace {

using format::RecordKind;

// Every RecordKind: manifest (1) to MANIFEST watermark (7).
constexpr uint8_t kFirstKind = 1;
constexpr uint8_t kLastKind = 7;

// Decodes `bytes` as each kind; returns how many kinds accepted it.
int DecodeAsEveryKind(std::string_view bytes) {
  int accepted = 0;
  for (int k = kFirstKind; k <= kLastKind; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    format::FrameView frame;
    if (!format::DecodeFrame(kind, bytes, &frame).ok()) continue;
    ++accepted;
    FUZZ_CHECK(static_cast<uint8_t>(bytes[0]) == k);
    FUZZ_CHECK(frame.version == static_cast<uint8_t>(bytes[1]));
    FUZZ_CHECK(frame.payload.data() ==
               bytes.data() + format::kFrameHeaderBytes);
    FUZZ_CHECK(frame.payload.size() + format::kFrameOverheadBytes ==
               bytes.size());
    std::string again;
    format::AppendFrame(kind, frame.version, frame.payload, &again);
    FUZZ_CHECK(again == bytes);
  }
  return accepted;
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  const std::string_view raw = AsView(data, size);
  FUZZ_CHECK(DecodeAsEveryKind(raw) <= 1);
  const ExactBytes fixed = FixFrame(raw);
  const int accepted = DecodeAsEveryKind(AsView(fixed));
  const bool repaired = size >= semhash::format::kFrameOverheadBytes &&
                        data[0] >= kFirstKind && data[0] <= kLastKind;
  FUZZ_CHECK(accepted == (repaired ? 1 : 0));
  return 0;
}

// Fuzz target: DecodeSegmentHeader (format/segment_layout.h). The input is
// a header frame without its padding; it is decoded as given, padded with
// zeros to the next 4096 bytes, and padded after its frame's length and
// checksum were repaired (FixFrame), so that mutations reach the payload.
//
// Invariants: a failure is Corruption; a decoded header re-encodes to
// exactly the bytes it was decoded from, and its sections lie in order
// after the header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/segment_layout.h"
#include "fuzz/fuzz_util.h"

namespace {

using namespace semhash;

void Check(std::string_view bytes) {
  format::SegmentHeader header;
  const Status s = format::DecodeSegmentHeader(bytes, &header);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  const std::string encoded = format::EncodeSegmentHeader(header);
  FUZZ_CHECK(bytes.substr(0, encoded.size()) == encoded);
  uint64_t end = encoded.size();
  for (const format::SegmentSectionEntry& section : header.sections) {
    FUZZ_CHECK(section.offset >= end &&
               section.offset % format::kSegmentAlignment == 0);
    end = section.offset + section.length;
  }
  FUZZ_CHECK(format::SegmentFileBytes(header) == end);
}

// `bytes` followed by zeros up to a multiple of the alignment.
fuzz::ExactBytes Padded(std::string_view bytes) {
  fuzz::ExactBytes padded(bytes.begin(), bytes.end());
  const size_t a = format::kSegmentAlignment;
  padded.resize((padded.size() + a - 1) / a * a, '\0');
  return padded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw = fuzz::AsView(data, size);
  Check(raw);
  Check(fuzz::AsView(Padded(raw)));
  Check(fuzz::AsView(Padded(fuzz::AsView(fuzz::FixFrame(raw)))));
  return 0;
}

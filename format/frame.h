// Frame: the checksummed envelope around every value semhash stores.
//
//   kind u8 | version u8 | payload_length u32 LE | payload | checksum u64 LE
//
// checksum = XXH3-64 of every byte before it (kind, version, length and
// payload), seeded with kFrameSeedBase + kind, so a value of one kind can
// never verify as another. Layout and a worked example: docs/format.md.
#ifndef SEMHASH_FORMAT_FRAME_H_
#define SEMHASH_FORMAT_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash::format {

// Record kinds. On disk: never renumber; retired values stay as comments.
enum class RecordKind : uint8_t {
  kManifest = 1,
  kEncoderModel = 2,
  kIdRecord = 3,
  kPostingChunk = 4,
  kPostingOperand = 5,
  kTail = 6,
  kManifestWatermark = 7,
  kSegmentHeader = 8,
  kChangeRecord = 9,    // Format version 3.
  kPayloadRecord = 10,  // Format version 3.
};

inline constexpr uint64_t kFrameSeedBase = 0x73656D6861736800;  // "semhash\0"
inline constexpr size_t kFrameHeaderBytes = 6;
inline constexpr size_t kFrameTrailerBytes = 8;
inline constexpr size_t kFrameOverheadBytes =
    kFrameHeaderBytes + kFrameTrailerBytes;

// Appends the frame of `payload` to *dst.
void AppendFrame(RecordKind kind, uint8_t version, std::string_view payload,
                 std::string* dst);

struct FrameView {
  uint8_t version = 0;
  std::string_view payload;  // Points into the decoded bytes.
};

// Checks that `bytes` is exactly one frame of `kind` whose checksum matches.
// Corruption otherwise, naming what is wrong.
Status DecodeFrame(RecordKind kind, std::string_view bytes, FrameView* out);

// DecodeFrame of a record whose codec knows one version: Corruption
// "<what>: unknown version N" for another, and `what` before DecodeFrame's
// messages. *payload then points into `bytes`.
Status DecodeFrameOfVersion(RecordKind kind, uint8_t version,
                            std::string_view what, std::string_view bytes,
                            std::string_view* payload);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_FRAME_H_

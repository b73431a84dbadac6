// Frame encoding and verification (see frame.h).
#include "format/frame.h"

#include <xxhash.h>

#include "format/coding.h"

namespace semhash::format {
namespace {

uint64_t FrameChecksum(RecordKind kind, std::string_view covered) {
  return XXH3_64bits_withSeed(covered.data(), covered.size(),
                              kFrameSeedBase + static_cast<uint8_t>(kind));
}

}  // namespace

void AppendFrame(RecordKind kind, uint8_t version, std::string_view payload,
                 std::string* dst) {
  const size_t start = dst->size();
  dst->push_back(static_cast<char>(kind));
  dst->push_back(static_cast<char>(version));
  PutLittleEndian<uint32_t>(dst, static_cast<uint32_t>(payload.size()));
  dst->append(payload);
  const std::string_view covered(dst->data() + start, dst->size() - start);
  PutLittleEndian<uint64_t>(dst, FrameChecksum(kind, covered));
}

Status DecodeFrame(RecordKind kind, std::string_view bytes, FrameView* out) {
  if (bytes.size() < kFrameOverheadBytes) {
    return Status::Corruption("record of " + std::to_string(bytes.size()) +
                              " bytes is shorter than a frame");
  }
  const auto found_kind = static_cast<uint8_t>(bytes[0]);
  if (found_kind != static_cast<uint8_t>(kind)) {
    return Status::Corruption(
        "record kind " + std::to_string(found_kind) + " where kind " +
        std::to_string(static_cast<uint8_t>(kind)) + " was expected");
  }
  const auto length = GetLittleEndian<uint32_t>(bytes.data() + 2);
  if (length != bytes.size() - kFrameOverheadBytes) {
    return Status::Corruption(
        "frame says " + std::to_string(length) + " payload bytes, record has " +
        std::to_string(bytes.size() - kFrameOverheadBytes));
  }
  const std::string_view covered = bytes.substr(0, kFrameHeaderBytes + length);
  const auto stored =
      GetLittleEndian<uint64_t>(bytes.data() + kFrameHeaderBytes + length);
  if (stored != FrameChecksum(kind, covered)) {
    return Status::Corruption("checksum mismatch");
  }
  out->version = static_cast<uint8_t>(bytes[1]);
  out->payload = bytes.substr(kFrameHeaderBytes, length);
  return Status::OK();
}

Status DecodeFrameOfVersion(RecordKind kind, uint8_t version,
                            std::string_view what, std::string_view bytes,
                            std::string_view* payload) {
  FrameView frame;
  Status s = DecodeFrame(kind, bytes, &frame);
  if (!s.ok()) return s.WithContext(what);
  if (frame.version != version) {
    return Status::Corruption(std::string(what) + ": unknown version " +
                              std::to_string(frame.version));
  }
  *payload = frame.payload;
  return Status::OK();
}

}  // namespace semhash::format

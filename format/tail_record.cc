// Tail record codec (see tail_record.h).
#include "format/tail_record.h"

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {

std::string EncodeTailRecord(const TailRecord& tail) {
  std::string payload;
  PutLittleEndian<uint32_t>(&payload, tail.chunk);
  PutLittleEndian<uint32_t>(&payload, tail.appended);
  std::string value;
  AppendFrame(RecordKind::kTail, kTailVersion, payload, &value);
  return value;
}

Status DecodeTailRecord(std::string_view value, TailRecord* out) {
  FrameView frame;
  Status s = DecodeFrame(RecordKind::kTail, value, &frame);
  if (!s.ok()) return s.WithContext("tail record");
  if (frame.version != kTailVersion || frame.payload.size() != 8) {
    return Status::Corruption("tail record: bad version or length");
  }
  out->chunk = GetLittleEndian<uint32_t>(frame.payload.data());
  out->appended = GetLittleEndian<uint32_t>(frame.payload.data() + 4);
  return Status::OK();
}

}  // namespace semhash::format

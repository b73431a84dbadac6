// Payload record codec (see payload_record.h).
#include "format/payload_record.h"

#include "format/frame.h"

namespace semhash::format {

std::string EncodePayloadRecord(std::string_view payload) {
  std::string value;
  AppendFrame(RecordKind::kPayloadRecord, kPayloadRecordVersion, payload,
              &value);
  return value;
}

Status DecodePayloadRecord(std::string_view value, std::string_view* payload) {
  return DecodeFrameOfVersion(RecordKind::kPayloadRecord, kPayloadRecordVersion,
                              "payload record", value, payload);
}

}  // namespace semhash::format

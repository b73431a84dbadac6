// Change record codec (see change_record.h).
#include "format/change_record.h"

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {

std::string EncodeChangeRecord(const ChangeRecord& record) {
  std::string payload;
  payload.push_back(static_cast<char>(record.kind));
  if (record.kind == ChangeKind::kPut) {
    PutLittleEndian<uint32_t>(&payload, record.address);
    payload.append(reinterpret_cast<const char*>(record.code.data()),
                   record.code.size());
  }
  std::string value;
  AppendFrame(RecordKind::kChangeRecord, kChangeRecordVersion, payload, &value);
  return value;
}

Status DecodeChangeRecord(std::string_view value, ChangeRecord* out) {
  std::string_view in;
  Status s =
      DecodeFrameOfVersion(RecordKind::kChangeRecord, kChangeRecordVersion,
                           "change record", value, &in);
  if (!s.ok()) return s;
  if (in.empty()) return Status::Corruption("change record: empty");
  const auto kind = static_cast<ChangeKind>(in[0]);
  in.remove_prefix(1);
  out->kind = kind;
  out->address = 0;
  out->code.clear();
  if (kind == ChangeKind::kTombstone) {
    if (!in.empty()) {
      return Status::Corruption("change record: a tombstone with " +
                                std::to_string(in.size()) + " bytes more");
    }
    return Status::OK();
  }
  if (kind != ChangeKind::kPut) {
    return Status::Corruption("change record: unknown kind " +
                              std::to_string(static_cast<int>(kind)));
  }
  if (in.size() < 4) return Status::Corruption("change record: truncated");
  out->address = GetLittleEndian<uint32_t>(in.data());
  in.remove_prefix(4);
  out->code.assign(in.begin(), in.end());
  return Status::OK();
}

}  // namespace semhash::format

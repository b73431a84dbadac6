// Id record codec (see id_record.h).
#include "format/id_record.h"

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {

std::string EncodeIdRecord(const IdRecord& record) {
  std::string payload;
  PutLittleEndian<uint32_t>(&payload, record.address);
  payload.push_back(static_cast<char>(record.chunks.size()));
  for (uint32_t chunk : record.chunks)
    PutLittleEndian<uint32_t>(&payload, chunk);
  PutLittleEndian<uint16_t>(&payload,
                            static_cast<uint16_t>(record.code.size()));
  payload.append(reinterpret_cast<const char*>(record.code.data()),
                 record.code.size());
  payload.append(record.payload);
  std::string value;
  AppendFrame(RecordKind::kIdRecord, kIdRecordVersion, payload, &value);
  return value;
}

Status DecodeIdRecord(std::string_view value, IdRecord* out) {
  std::string_view in;
  Status s = DecodeFrameOfVersion(RecordKind::kIdRecord, kIdRecordVersion,
                                  "id record", value, &in);
  if (!s.ok()) return s;
  if (in.size() < 5) return Status::Corruption("id record: truncated");
  out->address = GetLittleEndian<uint32_t>(in.data());
  const size_t tables = static_cast<uint8_t>(in[4]);
  in.remove_prefix(5);
  if (in.size() < tables * 4 + 2)
    return Status::Corruption("id record: truncated");
  out->chunks.resize(tables);
  for (size_t t = 0; t < tables; ++t) {
    out->chunks[t] = GetLittleEndian<uint32_t>(in.data() + 4 * t);
  }
  in.remove_prefix(tables * 4);
  const size_t code_bytes = GetLittleEndian<uint16_t>(in.data());
  in.remove_prefix(2);
  if (in.size() < code_bytes)
    return Status::Corruption("id record: truncated code");
  out->code.assign(in.begin(), in.begin() + code_bytes);
  out->payload.assign(in.substr(code_bytes));
  return Status::OK();
}

}  // namespace semhash::format

// Manifest codec (see manifest.h).
#include "format/manifest.h"

#include <algorithm>

#include "engine/common/code_widths.h"
#include "format/aligned_bytes.h"
#include "format/frame.h"
#include "manifest_generated.h"
#include "semhash/codes.h"

namespace semhash::format {
namespace {

std::string StringOrEmpty(const flatbuffers::String* s) {
  return s == nullptr ? std::string() : s->str();
}

Status CheckRanges(const Manifest& m) {
  if (m.address_bits < kMinAddressBits || m.address_bits > kMaxAddressBits) {
    return Status::Corruption("manifest: address_bits " +
                              std::to_string(m.address_bits) + " out of range");
  }
  if (!IsCodeWidth(m.code_bits)) {
    return Status::Corruption("manifest: code_bits " +
                              std::to_string(m.code_bits) + " out of range");
  }
  if (m.posting_chunk_capacity == 0) {
    return Status::Corruption("manifest: posting_chunk_capacity is 0");
  }
  if (m.segment != 0 && m.segment >= m.next_segment) {
    return Status::Corruption("manifest: segment " + std::to_string(m.segment) +
                              " is not below next_segment " +
                              std::to_string(m.next_segment));
  }
  if (m.segment != 0 && m.format_version < 2) {
    return Status::Corruption("manifest: a segment in format version " +
                              std::to_string(m.format_version));
  }
  const Status tables = CheckMihTables(m.code_bits, m.mih_tables);
  if (!tables.ok()) return Status::Corruption("manifest: " + tables.message());
  return Status::OK();
}

}  // namespace

Status CheckMihTables(uint32_t code_bits, uint32_t tables) {
  const uint32_t fewest = (code_bits + 31) / 32;
  const uint32_t most = code_bits / 4;
  if (tables == 0 || (tables >= fewest && tables <= most)) return Status::OK();
  return Status::InvalidArgument(
      "mih_tables " + std::to_string(tables) + " for " +
      std::to_string(code_bits) + "-bit codes: must be 0 or " +
      std::to_string(fewest) + ".." + std::to_string(most) +
      " (substrings of 4 to 32 bits)");
}

std::string EncodeManifest(const Manifest& m) {
  flatbuffers::FlatBufferBuilder builder;
  const auto merge_operator = builder.CreateString(m.merge_operator);
  const auto kind = builder.CreateString(m.encoder_kind);
  const auto params = builder.CreateString(m.encoder_params);
  fb::ManifestBuilder table(builder);
  table.add_format_version(m.format_version);
  table.add_address_bits(m.address_bits);
  table.add_code_bits(m.code_bits);
  table.add_posting_chunk_capacity(m.posting_chunk_capacity);
  table.add_merge_operator(merge_operator);
  table.add_encoder_kind(kind);
  table.add_encoder_params(params);
  table.add_encoder_model_checksum(m.encoder_model_checksum);
  table.add_mih_tables(m.mih_tables);
  table.add_segment(m.segment);
  table.add_segment_rows(m.segment_rows);
  table.add_segment_header_checksum(m.segment_header_checksum);
  table.add_next_segment(m.next_segment);
  fb::FinishManifestBuffer(builder, table.Finish());
  const std::string_view payload(
      reinterpret_cast<const char*>(builder.GetBufferPointer()),
      builder.GetSize());
  std::string value;
  AppendFrame(RecordKind::kManifest, kManifestFrameVersion, payload, &value);
  return value;
}

Status DecodeManifest(std::string_view value, Manifest* out) {
  FrameView frame;
  Status s = DecodeFrame(RecordKind::kManifest, value, &frame);
  if (!s.ok()) return s.WithContext("manifest");
  const AlignedBytes bytes(frame.payload);
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!fb::VerifyManifestBuffer(verifier)) {
    return Status::Corruption("manifest: not a valid manifest FlatBuffer");
  }
  const fb::Manifest* m = fb::GetManifest(bytes.data());
  if (m->format_version() < kOldestFormatVersion ||
      m->format_version() > kFormatVersion) {
    return Status::NotSupported("database format version " +
                                std::to_string(m->format_version()) +
                                "; this semhash reads versions " +
                                std::to_string(kOldestFormatVersion) + " to " +
                                std::to_string(kFormatVersion));
  }
  out->format_version = m->format_version();
  out->address_bits = m->address_bits();
  out->code_bits = m->code_bits();
  out->posting_chunk_capacity = m->posting_chunk_capacity();
  out->merge_operator = StringOrEmpty(m->merge_operator());
  out->encoder_kind = StringOrEmpty(m->encoder_kind());
  out->encoder_params = StringOrEmpty(m->encoder_params());
  out->encoder_model_checksum = m->encoder_model_checksum();
  out->mih_tables = m->mih_tables();
  out->segment = m->segment();
  out->segment_rows = m->segment_rows();
  out->segment_header_checksum = m->segment_header_checksum();
  // A version 1 manifest has no next_segment field: its default 0 means 1.
  out->next_segment = std::max<uint64_t>(m->next_segment(), 1);
  return CheckRanges(*out);
}

}  // namespace semhash::format

// MANIFEST watermark codec (see manifest_watermark.h).
#include "format/manifest_watermark.h"

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {

std::string EncodeManifestWatermark(const ManifestWatermark& watermark) {
  std::string payload;
  PutLittleEndian<uint64_t>(&payload, watermark.manifest_number);
  PutLittleEndian<uint64_t>(&payload, watermark.synced_bytes);
  std::string value;
  AppendFrame(RecordKind::kManifestWatermark, kManifestWatermarkVersion,
              payload, &value);
  return value;
}

Status DecodeManifestWatermark(std::string_view value, ManifestWatermark* out) {
  FrameView frame;
  Status s = DecodeFrame(RecordKind::kManifestWatermark, value, &frame);
  if (!s.ok()) return s.WithContext(kManifestWatermarkFile);
  if (frame.version != kManifestWatermarkVersion ||
      frame.payload.size() != 16) {
    return Status::Corruption(std::string(kManifestWatermarkFile) +
                              ": bad version or length");
  }
  out->manifest_number = GetLittleEndian<uint64_t>(frame.payload.data());
  out->synced_bytes = GetLittleEndian<uint64_t>(frame.payload.data() + 8);
  return Status::OK();
}

}  // namespace semhash::format

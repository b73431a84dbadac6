// The MANIFEST watermark: the file DIR/SEMHASH-MANIFEST-WATERMARK, where
// semhash notes which RocksDB MANIFEST was in use and how many of its bytes
// RocksDB had synced, each time RocksDB commits a change to it. A MANIFEST cut
// at a record boundary is a whole, older MANIFEST to RocksDB; against the
// watermark it is shorter than it was known to be (engine/
// manifest_watermark_keeper.h). Layout: docs/format.md, "MANIFEST
// watermark".
#ifndef SEMHASH_FORMAT_MANIFEST_WATERMARK_H_
#define SEMHASH_FORMAT_MANIFEST_WATERMARK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr char kManifestWatermarkFile[] = "SEMHASH-MANIFEST-WATERMARK";
inline constexpr uint8_t kManifestWatermarkVersion = 1;

struct ManifestWatermark {
  uint64_t manifest_number = 0;  // N of RocksDB's MANIFEST-N.
  uint64_t synced_bytes = 0;     // Bytes of it RocksDB had synced.
};

std::string EncodeManifestWatermark(const ManifestWatermark& watermark);
// Corruption naming the problem if `value` is not one intact watermark.
Status DecodeManifestWatermark(std::string_view value, ManifestWatermark* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_MANIFEST_WATERMARK_H_

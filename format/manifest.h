// Manifest codec: the identity of a database (format/manifest.fbs), framed
// and checksummed.
#ifndef SEMHASH_FORMAT_MANIFEST_H_
#define SEMHASH_FORMAT_MANIFEST_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"
#include "semhash/version.h"

namespace semhash::format {

// The layout version this code writes (defined once in the public
// semhash/version.h), and the oldest it reads: version 1 has no segment (its
// databases open as before; a read-write open migrates them to version 2 by
// writing the first segment).
inline constexpr uint32_t kFormatVersion = SEMHASH_FORMAT_VERSION;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr uint8_t kManifestFrameVersion = 1;
inline constexpr char kExternalEncoderKind[] = "external";

struct Manifest {
  uint32_t format_version = kFormatVersion;
  uint32_t address_bits = 0;
  uint32_t code_bits = 0;
  uint32_t posting_chunk_capacity = 0;
  std::string merge_operator;
  std::string encoder_kind = kExternalEncoderKind;
  std::string encoder_params;
  uint64_t encoder_model_checksum = 0;
  uint32_t mih_tables = 0;
  // Format version 2 (manifest.fbs): the live segment, 0 if none.
  uint64_t segment = 0;
  uint64_t segment_rows = 0;
  uint64_t segment_header_checksum = 0;
  uint64_t next_segment = 1;
};

// OK if a database of code_bits-bit codes may have `tables` multi-index
// tables: 0, or ceil(code_bits / 32) .. code_bits / 4 (substrings of 4..32
// bits); InvalidArgument naming the range otherwise.
Status CheckMihTables(uint32_t code_bits, uint32_t tables);

std::string EncodeManifest(const Manifest& manifest);
// Verifies frame, FlatBuffer and value ranges: Corruption naming the field
// otherwise; NotSupported for a format_version this code does not read.
Status DecodeManifest(std::string_view value, Manifest* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_MANIFEST_H_

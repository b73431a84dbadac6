// Payload records: the application's bytes for an image, stored under its
// id in the `payloads` column family (format version 3) whatever holds the
// image's code (the live segment or a change record). An image without a
// payload has no record. Layout: docs/format.md, "Payload record".
#ifndef SEMHASH_FORMAT_PAYLOAD_RECORD_H_
#define SEMHASH_FORMAT_PAYLOAD_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kPayloadRecordVersion = 1;

std::string EncodePayloadRecord(std::string_view payload);
// Verifies the frame; *payload then points into `value`. Corruption
// otherwise.
Status DecodePayloadRecord(std::string_view value, std::string_view* payload);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_PAYLOAD_RECORD_H_

// Change records: the value stored under an image id in the `changes`
// column family (format version 3): what happened to the id since the live
// segment was written. A put carries the image's address and long code (the
// segment row of the id, if any, no longer counts); a tombstone says the
// id's segment row is deleted. Layout and a worked example: docs/format.md,
// "Change record".
#ifndef SEMHASH_FORMAT_CHANGE_RECORD_H_
#define SEMHASH_FORMAT_CHANGE_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kChangeRecordVersion = 1;

// The change kinds. On disk: never renumber.
enum class ChangeKind : uint8_t { kPut = 1, kTombstone = 2 };

struct ChangeRecord {
  ChangeKind kind = ChangeKind::kPut;
  Address address = 0;        // kPut only.
  std::vector<uint8_t> code;  // kPut only.
};

std::string EncodeChangeRecord(const ChangeRecord& record);
// Verifies the frame and the layout; Corruption otherwise.
Status DecodeChangeRecord(std::string_view value, ChangeRecord* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_CHANGE_RECORD_H_

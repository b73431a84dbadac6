// Id records: the value stored under each image id (column family "ids").
//
// The record is the truth about an image: its address, its long code, its
// payload, and for each address table the posting chunk that lists it, so a
// replace or delete can remove the id from exactly that chunk without
// searching. Layout: docs/format.md.
#ifndef SEMHASH_FORMAT_ID_RECORD_H_
#define SEMHASH_FORMAT_ID_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kIdRecordVersion = 1;

struct IdRecord {
  Address address = 0;
  // chunks[t]: the chunk of table t's posting list holding this id.
  std::vector<uint32_t> chunks;
  std::vector<uint8_t> code;
  std::string payload;
};

std::string EncodeIdRecord(const IdRecord& record);
// Verifies the frame and the layout; Corruption otherwise.
Status DecodeIdRecord(std::string_view value, IdRecord* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_ID_RECORD_H_

// Tail records: where the next image of an address is appended (column family
// "tails", key = table | address).
//
// Posting lists are split into chunks of at most posting_chunk_capacity
// images so that a hot address never makes a value, a read or a compaction
// grow without bound. The tail names the last chunk and how many images were
// appended to it; when it is full, appends move to the next chunk number.
// Layout: docs/format.md.
#ifndef SEMHASH_FORMAT_TAIL_RECORD_H_
#define SEMHASH_FORMAT_TAIL_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kTailVersion = 1;

struct TailRecord {
  uint32_t chunk = 0;
  // Images appended to `chunk` so far, removals not subtracted.
  uint32_t appended = 0;
};

std::string EncodeTailRecord(const TailRecord& tail);
Status DecodeTailRecord(std::string_view value, TailRecord* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_TAIL_RECORD_H_

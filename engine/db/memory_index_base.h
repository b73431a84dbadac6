// MemoryIndex::Base: the immutable part of the in-memory index, shared by
// memory_index.cc (which builds it) and memory_search.cc (which reads it).
//
// Its arrays are owned (a base built from rows in memory) or borrowed from
// a mapped segment file (engine/db/mapped_segment.h), which the base keeps
// alive, so that searches holding the base can read it after the index
// swapped in another. A mapped base's bytes are checked before they are
// read: the Check* calls below are OK at once for an owned base.
#ifndef SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_
#define SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/db/mapped_segment.h"
#include "engine/db/memory_index.h"
#include "engine/db/multi_index.h"
#include "engine/db/sorted_keys.h"

namespace semhash {

struct MemoryIndex::Base {
  // Row r: ids[r], the code at codes + r * code_bytes, the address key(r).
  size_t n = 0;
  const uint64_t* ids = nullptr;
  const uint8_t* codes = nullptr;
  SortedKeys addresses;
  std::unique_ptr<MultiIndex> tables;  // Null without tables.
  // Where the arrays live: owned_* for an in-memory base, else `segment`.
  std::vector<uint64_t> owned_ids;
  std::vector<uint8_t> owned_codes;
  std::shared_ptr<const MappedSegment> segment;

  size_t size() const { return n; }
  const uint8_t* code(size_t row, size_t code_bytes) const {
    return codes + row * code_bytes;
  }

  // Whether rows [first, end) of a section of u32s may be read.
  bool CheckMapped(MappedSegment::Section section, size_t first, size_t end,
                   Status* status) const {
    if (segment->VerifiedRows(section, first, end, 4)) return true;
    *status = segment->CheckRows(section, first, end, 4);
    return status->ok();
  }
  // SortedKeys' check of the address directory and keys.
  auto Checker(Status* status) const {
    return [this, status](SortedKeys::Part part, size_t first, size_t end) {
      return CheckMapped(part == SortedKeys::Part::kDirectory
                             ? MappedSegment::kAddressDirectory
                             : MappedSegment::kAddressKeys,
                         first, end, status);
    };
  }

  // Whether rows [first, end) of the codes and ids (CheckCodes), or of the
  // address keys (CheckKeys), may be read: at once for an owned base; for a
  // mapped one once their blocks verify, else false with *status the
  // Corruption. The owned base pays one branch, no Status.
  bool CheckCodes(size_t first, size_t end, Status* status) const {
    if (segment == nullptr) return true;
    const size_t code_bytes = segment->code_bytes();
    if (segment->VerifiedRows(MappedSegment::kCodes, first, end, code_bytes) &&
        segment->VerifiedRows(MappedSegment::kIds, first, end, 8)) {
      return true;
    }
    *status = segment->CheckRows(MappedSegment::kCodes, first, end, code_bytes);
    if (status->ok()) {
      *status = segment->CheckRows(MappedSegment::kIds, first, end, 8);
    }
    return status->ok();
  }
  // What a sequential reader of the codes and ids (an exact scan) calls at
  // each block of rows it starts: at row 0 and every kReadAheadRows rows
  // after it, a mapped base whose next window of rows is not cached (its
  // first page, by mincore) asks for it in the background; the map is
  // MADV_RANDOM (mapped_segment.h). A warm scan pays one mincore a window.
  // REQUIRES: rows are visited in ascending blocks from 0, and
  // kReadAheadRows is a multiple of the block.
  static constexpr size_t kReadAheadRows = 128 * 1024;
  void ReadAhead(size_t row) const {
    if (segment == nullptr || row % kReadAheadRows != 0) return;
    if (row == 0) WillNeedIfCold(0);
    WillNeedIfCold(row + kReadAheadRows);
  }
  bool CheckKeys(size_t first, size_t end, Status* status) const {
    return segment == nullptr ||
           CheckMapped(MappedSegment::kAddressKeys, first, end, status);
  }
  // Rows [first, first + kReadAheadRows) in the background if the page of
  // the first row's code is not cached.
  void WillNeedIfCold(size_t first) const {
    const size_t code_bytes = segment->code_bytes();
    if (first >= n ||
        segment->Resident(MappedSegment::kCodes, first * code_bytes)) {
      return;
    }
    const size_t end = first + kReadAheadRows;
    segment->WillNeed(MappedSegment::kCodes, first * code_bytes,
                      end * code_bytes);
    segment->WillNeed(MappedSegment::kIds, first * 8, end * 8);
  }
  // addresses.Find and FindPrefix, checking what they read; false with
  // *status the Corruption if a block fails.
  bool Find(Address address, SortedKeys::Range* out, Status* status) const {
    if (segment == nullptr) {
      *out = addresses.Find(address);
      return true;
    }
    return addresses.Find(address, Checker(status), out);
  }
  bool FindPrefix(Address prefix, uint32_t prefix_bits, SortedKeys::Range* out,
                  Status* status) const {
    if (segment == nullptr) {
      *out = addresses.FindPrefix(prefix, prefix_bits);
      return true;
    }
    return addresses.FindPrefix(prefix, prefix_bits, Checker(status), out);
  }
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_

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

  // Checks rows [first, end) of the codes and ids (CheckCodes) or of the
  // address keys (CheckKeys) before they are read.
  Status CheckCodes(size_t first, size_t end) const {
    if (segment == nullptr ||
        (segment->VerifiedRows(MappedSegment::kCodes, first, end,
                               segment->code_bytes()) &&
         segment->VerifiedRows(MappedSegment::kIds, first, end, 8))) {
      return Status::OK();
    }
    Status s = segment->CheckRows(MappedSegment::kCodes, first, end,
                                  segment->code_bytes());
    if (s.ok()) s = segment->CheckRows(MappedSegment::kIds, first, end, 8);
    return s;
  }
  Status CheckKeys(size_t first, size_t end) const {
    if (segment == nullptr) return Status::OK();
    return segment->CheckRows(MappedSegment::kAddressKeys, first, end, 4);
  }
  // addresses.FindPrefix, checking what it reads.
  Status FindPrefix(Address prefix, uint32_t prefix_bits,
                    SortedKeys::Range* out) const {
    if (segment == nullptr) {
      *out = addresses.FindPrefix(prefix, prefix_bits);
      return Status::OK();
    }
    Status s;
    addresses.FindPrefix(
        prefix, prefix_bits,
        [&](SortedKeys::Part part, size_t first, size_t end) {
          const MappedSegment::Section section =
              part == SortedKeys::Part::kDirectory
                  ? MappedSegment::kAddressDirectory
                  : MappedSegment::kAddressKeys;
          if (segment->VerifiedRows(section, first, end, 4)) return true;
          s = segment->CheckRows(section, first, end, 4);
          return s.ok();
        },
        out);
    return s;
  }
  Status Find(Address address, SortedKeys::Range* out) const {
    return FindPrefix(address, addresses.key_bits(), out);
  }
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_

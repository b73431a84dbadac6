// WriteSegment: writes the rows of a searchable base, in address order, as
// one immutable segment file (format/segment_layout.h, docs/format.md
// "Segment file"), which engine/db/mapped_segment.h maps.
//
// The file appears under its name complete and synced, or not at all: it is
// written to `<path>.tmp`, fsynced, renamed to `<path>`, and the directory is
// fsynced. On failure (ENOSPC, EIO...) the .tmp is removed and `<path>` is
// untouched.
//
// Memory: the sections are streamed to the file through one checksum block
// (64 KiB), from the caller's arrays; beyond them it holds the id order
// (4 bytes per row) and the block checksums (8 bytes per block).
//
// Thread safety: a pure function; the arrays must not change meanwhile.
#ifndef SEMHASH_ENGINE_DB_SEGMENT_WRITER_H_
#define SEMHASH_ENGINE_DB_SEGMENT_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "format/segment_layout.h"
#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash {

class MultiIndex;

// The rows of a segment, borrowed: row r is ids[r], addresses[r] and the
// code_bits / 8 bytes at codes + r * code_bytes.
struct SegmentRows {
  size_t n = 0;
  const uint64_t* ids = nullptr;
  const Address* addresses = nullptr;
  const uint8_t* codes = nullptr;
};

// Writes `rows` and the multi-index `tables` (null: none) as the segment
// file `path`. InvalidArgument, writing nothing, if the widths, the block
// size (a power of two in 4096..16 MiB) or the tables' substrings are
// invalid, the addresses do not ascend or exceed address_bits, two rows
// share an id, or there are 2^32 rows or more; IOError naming the file
// otherwise.
// REQUIRES: `tables` was built over rows.codes (n rows, code_bits).
Status WriteSegment(const std::string& path, uint32_t address_bits,
                    uint32_t code_bits, const SegmentRows& rows,
                    const MultiIndex* tables,
                    uint32_t block_bytes = format::kDefaultSegmentBlockBytes);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_SEGMENT_WRITER_H_

// Segment layout: the bytes of an immutable segment file, the searchable
// base of a database (format version 2): rows sorted by address with their
// ids, codes, address directory, id order and multi-index tables, each a
// 4096-aligned section read in place through a memory map, every block of
// every section under its own XXH3-64 checksum. This is the codec only (no
// file I/O, no mmap): engine/db/segment_writer.h writes segments and
// engine/db/mapped_segment.h maps them. Layout, byte by byte, with a worked
// example: docs/format.md, "Segment file (format version 2)".
//
// Thread safety: pure functions.
#ifndef SEMHASH_FORMAT_SEGMENT_LAYOUT_H_
#define SEMHASH_FORMAT_SEGMENT_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kSegmentHeaderVersion = 1;
// Every section, and the header's padded end, is a multiple of this.
inline constexpr uint64_t kSegmentAlignment = 4096;
// The default checksum block; a header may name any power of two in
// [kSegmentAlignment, kMaxSegmentBlockBytes].
inline constexpr uint32_t kDefaultSegmentBlockBytes = 4 * 1024;
inline constexpr uint32_t kMaxSegmentBlockBytes = 16 * 1024 * 1024;

// Section kinds. On disk: never renumber; retired values stay as comments.
enum class SegmentSection : uint8_t {
  kCodes = 1,             // rows × code_bytes, address order.
  kIds = 2,               // rows × u64 LE.
  kAddressKeys = 3,       // rows × u32 LE, ascending.
  kAddressDirectory = 4,  // (2^d + 1) × u32 LE, SortedKeys' directory.
  kIdOrder = 5,           // rows × u32 LE: row numbers by ascending id.
  kTableKeys = 6,         // rows × u32 LE per table, ascending.
  kTableRows = 7,         // rows × u32 LE per table.
  kTableDirectory = 8,    // (2^d + 1) × u32 LE per table.
  kChecksums = 9,         // One u64 LE per block of every section above.
};

// "codes", "table 3 keys", ...: how errors name a section.
std::string SegmentSectionName(SegmentSection kind, uint32_t table);

struct SegmentTable {
  uint32_t start = 0;  // First bit of the code (bit 0: MSB of byte 0).
  uint32_t bits = 0;   // 4..32.
  friend bool operator==(const SegmentTable&, const SegmentTable&) = default;
};

struct SegmentSectionEntry {
  SegmentSection kind = SegmentSection::kCodes;
  uint8_t table = 0;  // The multi-index table of kinds 6..8; 0 otherwise.
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const SegmentSectionEntry&,
                         const SegmentSectionEntry&) = default;
};

struct SegmentHeader {
  uint32_t address_bits = 0;
  uint32_t code_bits = 0;
  uint64_t rows = 0;
  uint32_t block_bytes = kDefaultSegmentBlockBytes;
  std::vector<SegmentTable> tables;
  // In file order; the last is the checksum section.
  std::vector<SegmentSectionEntry> sections;
  // XXH3-64 of the checksum section's bytes (SegmentChecksumsChecksum).
  uint64_t checksums_checksum = 0;
};

// The directory bits of a SortedKeys of `rows` keys of `key_bits` bits:
// min(key_bits, floor(log2(rows))), 0 for rows <= 1.
uint32_t SegmentDirectoryBits(uint64_t rows, uint32_t key_bits);

// The canonical header of a segment with these widths, rows and tables:
// sections in the order of SegmentSection (tables in order), each at the
// end of the previous one (the header's padded end for the first) rounded
// up to kSegmentAlignment; checksums_checksum 0. The file ends where the
// checksum section does.
// REQUIRES: the arguments pass DecodeSegmentHeader's checks.
SegmentHeader PlanSegment(uint32_t address_bits, uint32_t code_bits,
                          uint64_t rows, uint32_t block_bytes,
                          std::vector<SegmentTable> tables);

// The header frame's size padded to kSegmentAlignment: where the first
// section starts.
uint64_t SegmentHeaderBytes(const SegmentHeader& header);
// The file's size: the end of its last section.
uint64_t SegmentFileBytes(const SegmentHeader& header);

// The header frame (kind 8) padded with zeros to SegmentHeaderBytes.
std::string EncodeSegmentHeader(const SegmentHeader& header);

// Decodes the header at the start of `bytes` (the file, or at least its
// padded header): frame, version, widths (address 8..32 bits, code a
// multiple of 64 in 64..1024, rows < 2^32, block a power of two), tables
// (contiguous substrings of 4..32 bits covering the code, in order, or
// none), and a section table equal to PlanSegment's; the padding must be
// zeros. Corruption naming what is wrong otherwise.
Status DecodeSegmentHeader(std::string_view bytes, SegmentHeader* out);

// Blocks of a section of `length` bytes: ceil(length / block_bytes).
inline uint64_t SegmentBlocks(uint64_t length, uint32_t block_bytes) {
  return (length + block_bytes - 1) / block_bytes;
}

// The checksum of block `block` of a section: XXH3-64 of its bytes, seeded
// with kSegmentBlockSeedBase ^ kind << 56 ^ table << 48 ^ block, so a block
// moved to another place (section, table or position) does not verify.
inline constexpr uint64_t kSegmentBlockSeedBase = 0x73656D6861736808;
uint64_t SegmentBlockChecksum(SegmentSection kind, uint8_t table,
                              uint64_t block, const uint8_t* data, size_t size);
// The checksum of the checksum section, kept in the header.
uint64_t SegmentChecksumsChecksum(const uint8_t* data, size_t size);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_SEGMENT_LAYOUT_H_

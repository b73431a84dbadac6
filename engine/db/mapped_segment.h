// MappedSegment: a segment file (format/segment_layout.h, docs/format.md
// "Segment file") mapped read-only into memory, its sections read in place.
//
// Open maps the file (MAP_SHARED, PROT_READ: the page cache holds the data,
// and processes mapping the same file share it), decodes the header,
// checks the file's size against it and verifies the checksum section: a
// few milliseconds at any size. The data blocks are verified lazily: a
// search calls Check(section, first, end) before it reads bytes
// [first, end) of a section, and the first call for each block hashes it
// (an atomic bit per block remembers it; a block that fails is hashed again
// at each call and fails again). VerifyAll checks every block and the
// structure the searches count on (semhash verify).
//
// Access advice: the whole map is MADV_RANDOM, since searches read it at
// random (an address's rows, a candidate's code): without it each page
// fault reads ~128 KiB around the page, which under memory pressure evicts
// the pages the next lookups need (docs/memory.md, "Larger than RAM").
// Sequential readers (scans, VerifyAll, a merge reading every row) call
// WillNeed for the bytes ahead of them that are not cached (Resident).
//
// Errors are Corruption naming the file, the section and the byte offset
// in the file.
//
// Thread safety: immutable but for the verified bits, which are atomic:
// any number of threads may read and Check at once.
#ifndef SEMHASH_ENGINE_DB_MAPPED_SEGMENT_H_
#define SEMHASH_ENGINE_DB_MAPPED_SEGMENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "format/segment_layout.h"
#include "semhash/status.h"

namespace semhash {

class MappedSegment {
 public:
  // A section of the file: its index in the header's section table.
  using Section = size_t;

  // Maps and checks `path` (see above). NotFound or IOError if it cannot be
  // opened or mapped; Corruption if its header, size or checksum section
  // is damaged. *out is null on failure.
  static Status Open(const std::string& path,
                     std::shared_ptr<const MappedSegment>* out);

  MappedSegment(const MappedSegment&) = delete;
  MappedSegment& operator=(const MappedSegment&) = delete;
  ~MappedSegment();

  // OK if every block holding bytes [first, end) of `section` verifies
  // (checked once per block, then remembered).
  // REQUIRES: first <= end <= the section's length.
  Status Check(Section section, uint64_t first, uint64_t end) const {
    if (Verified(section, first, end)) return Status::OK();
    const uint64_t block = extents_[section].first_block;
    return CheckBlocks(section, block + (first >> block_shift_),
                       block + ((end - 1) >> block_shift_));
  }
  // Whether every block holding bytes [first, end) of `section` was
  // verified already: Check's fast path, a few instructions per block.
  bool Verified(Section section, uint64_t first, uint64_t end) const {
    const Extent& extent = extents_[section];
    if (first == end || extent.complete.load(std::memory_order_acquire)) {
      return true;
    }
    const uint64_t block = extent.first_block;
    const uint64_t last = block + ((end - 1) >> block_shift_);
    for (uint64_t b = block + (first >> block_shift_); b <= last; ++b) {
      if ((verified_[b / 64].load(std::memory_order_acquire) >> (b % 64) & 1) ==
          0) {
        return false;
      }
    }
    return true;
  }
  // Check and Verified of rows [first, end) of a section of row_bytes-byte
  // rows.
  Status CheckRows(Section section, uint64_t first, uint64_t end,
                   size_t row_bytes) const {
    return Check(section, first * row_bytes, end * row_bytes);
  }
  bool VerifiedRows(Section section, uint64_t first, uint64_t end,
                    size_t row_bytes) const {
    return Verified(section, first * row_bytes, end * row_bytes);
  }

  // Asks the kernel to read bytes [first, end) of `section` in the
  // background (MADV_WILLNEED): what a sequential reader calls for the
  // bytes ahead of it. A hint only; it cannot fail.
  void WillNeed(Section section, uint64_t first, uint64_t end) const;
  // Whether the page holding byte `offset` of `section` is in the page
  // cache (mincore): one cheap call, so that a sequential reader asks for
  // a window of cold pages only, and pays no page-cache walk when warm.
  bool Resident(Section section, uint64_t offset) const;

  // Every block, then the structure: keys ascending and below their width,
  // directories matching their keys, table rows and the id order
  // permutations of the rows, the id order sorting the ids.
  Status VerifyAll() const;

  // The row of `id` (the id order section, binary searched, each block
  // checked before it is read): *found false if no row has it. Corruption
  // if a block fails, or a row number read is out of range.
  Status FindId(uint64_t id, bool* found, uint64_t* row) const;
  // The address of `row`, checked. REQUIRES: row < rows().
  Status AddressOf(uint64_t row, uint32_t* address) const;
  // XXH3-64 (seed 0) of the padded header: the manifest's
  // segment_header_checksum.
  uint64_t header_checksum() const;

  const std::string& path() const { return path_; }
  const format::SegmentHeader& header() const { return header_; }
  uint64_t rows() const { return header_.rows; }
  uint32_t address_bits() const { return header_.address_bits; }
  uint32_t code_bits() const { return header_.code_bits; }
  size_t code_bytes() const { return header_.code_bits / 8; }
  uint32_t table_count() const {
    return static_cast<uint32_t>(header_.tables.size());
  }
  uint64_t file_bytes() const { return size_; }

  // The section of `kind` (of table `table` for the table kinds).
  static Section SectionOf(format::SegmentSection kind, uint32_t table = 0);

  // The sections' contents, unchecked: Check before reading.
  const uint8_t* codes() const { return Array<uint8_t>(kCodes); }
  const uint64_t* ids() const { return Array<uint64_t>(kIds); }
  std::span<const uint32_t> address_keys() const {
    return {Array<uint32_t>(kAddressKeys), rows()};
  }
  const uint32_t* address_directory() const {
    return Array<uint32_t>(kAddressDirectory);
  }
  std::span<const uint32_t> id_order() const {
    return {Array<uint32_t>(kIdOrder), rows()};
  }
  std::span<const uint32_t> table_keys(uint32_t t) const {
    return {Array<uint32_t>(SectionOf(format::SegmentSection::kTableKeys, t)),
            rows()};
  }
  std::span<const uint32_t> table_rows(uint32_t t) const {
    return {Array<uint32_t>(SectionOf(format::SegmentSection::kTableRows, t)),
            rows()};
  }
  const uint32_t* table_directory(uint32_t t) const {
    return Array<uint32_t>(
        SectionOf(format::SegmentSection::kTableDirectory, t));
  }

  static constexpr Section kCodes = 0;
  static constexpr Section kIds = 1;
  static constexpr Section kAddressKeys = 2;
  static constexpr Section kAddressDirectory = 3;
  static constexpr Section kIdOrder = 4;

 private:
  struct Extent {
    uint64_t first_block = 0;  // In the checksum section.
    uint64_t blocks = 0;
    // Blocks verified so far, and whether that is all of them: then a check
    // of the section is one load.
    mutable std::atomic<uint64_t> verified{0};
    mutable std::atomic<bool> complete{false};
  };

  MappedSegment() = default;

  template <typename T>
  const T* Array(Section section) const {
    return reinterpret_cast<const T*>(data_ + header_.sections[section].offset);
  }
  // Verifies blocks [first, last] (indices into the checksum section) of
  // `section`, setting the bits of those that pass.
  Status CheckBlocks(Section section, uint64_t first, uint64_t last) const;
  // The structural checks of VerifyAll.
  Status CheckKeys(Section keys, Section directory, uint32_t key_bits) const;
  Status CheckPermutation(Section section) const;
  Status CheckIdOrder() const;
  Status Damaged(Section section, uint64_t offset,
                 const std::string& what) const;

  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  format::SegmentHeader header_;
  uint32_t block_bytes_ = 0;
  uint32_t block_shift_ = 0;  // log2(block_bytes_).
  const uint64_t* checksums_ = nullptr;
  // One per section but the checksum section.
  std::unique_ptr<Extent[]> extents_;
  size_t extent_count_ = 0;
  // Bit b: block b (numbered as in the checksum section) verified.
  std::unique_ptr<std::atomic<uint64_t>[]> verified_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MAPPED_SEGMENT_H_

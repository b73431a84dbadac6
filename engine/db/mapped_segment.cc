// MappedSegment (see mapped_segment.h).
#include "engine/db/mapped_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "engine/db/multi_index.h"

namespace semhash {
namespace {

using format::SegmentSection;

// Sections are read in place as arrays of little-endian integers.
static_assert(std::endian::native == std::endian::little,
              "segment files are little-endian; this reader maps them");

// Sections before the first table's: codes, ids, address keys, address
// directory, id order.
constexpr size_t kFixedSections = 5;

}  // namespace

MappedSegment::Section MappedSegment::SectionOf(SegmentSection kind,
                                                uint32_t table) {
  const auto k = static_cast<size_t>(kind);
  if (k <= kFixedSections) return k - 1;
  return kFixedSections + 3 * size_t{table} +
         (k - static_cast<size_t>(SegmentSection::kTableKeys));
}

Status MappedSegment::Open(const std::string& path,
                           std::shared_ptr<const MappedSegment>* out) {
  out->reset();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const std::string why = path + ": cannot open: " + std::strerror(errno);
    return errno == ENOENT ? Status::NotFound(why) : Status::IOError(why);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const Status s =
        Status::IOError(path + ": cannot stat: " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Status::Corruption(path + ": empty segment file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (data == MAP_FAILED) {
    return Status::IOError(path + ": cannot map: " + std::strerror(map_errno));
  }
  // Advice only: a kernel that refuses it reads ahead as it likes.
  (void)::madvise(data, size, MADV_RANDOM);
  std::shared_ptr<MappedSegment> segment(new MappedSegment());
  segment->path_ = path;
  segment->data_ = static_cast<const uint8_t*>(data);
  segment->size_ = size;
  format::SegmentHeader& header = segment->header_;
  Status s = format::DecodeSegmentHeader(
      {reinterpret_cast<const char*>(data), size}, &header);
  if (!s.ok()) return s.WithContext(path);
  const uint64_t expected = format::SegmentFileBytes(header);
  if (size != expected) {
    return Status::Corruption(path + ": file is " + std::to_string(size) +
                              " bytes, its header says " +
                              std::to_string(expected));
  }
  const format::SegmentSectionEntry& checksums = header.sections.back();
  segment->checksums_ =
      reinterpret_cast<const uint64_t*>(segment->data_ + checksums.offset);
  if (format::SegmentChecksumsChecksum(segment->data_ + checksums.offset,
                                       checksums.length) !=
      header.checksums_checksum) {
    return Status::Corruption(path + ": checksums at byte " +
                              std::to_string(checksums.offset) +
                              ": checksum mismatch");
  }
  segment->block_bytes_ = header.block_bytes;
  segment->block_shift_ = std::countr_zero(header.block_bytes);
  uint64_t blocks = 0;
  segment->extent_count_ = header.sections.size() - 1;
  segment->extents_ = std::make_unique<Extent[]>(segment->extent_count_);
  for (size_t i = 0; i < segment->extent_count_; ++i) {
    Extent& extent = segment->extents_[i];
    extent.first_block = blocks;
    extent.blocks =
        format::SegmentBlocks(header.sections[i].length, header.block_bytes);
    extent.complete = extent.blocks == 0;
    blocks += extent.blocks;
  }
  // PlanSegment sized the checksum section from these very blocks.
  segment->verified_ =
      std::make_unique<std::atomic<uint64_t>[]>((blocks + 63) / 64);
  *out = std::move(segment);
  return Status::OK();
}

MappedSegment::~MappedSegment() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Status MappedSegment::Damaged(Section section, uint64_t offset,
                              const std::string& what) const {
  const format::SegmentSectionEntry& entry = header_.sections[section];
  return Status::Corruption(
      path_ + ": " + format::SegmentSectionName(entry.kind, entry.table) +
      " at byte " + std::to_string(offset) + ": " + what);
}

void MappedSegment::WillNeed(Section section, uint64_t first,
                             uint64_t end) const {
  const format::SegmentSectionEntry& entry = header_.sections[section];
  end = std::min(end, entry.length);
  if (first >= end) return;
  const uint64_t page = 4096;
  const uint64_t begin = (entry.offset + first) & ~(page - 1);
  // Advice only (see Open).
  (void)::madvise(const_cast<uint8_t*>(data_) + begin,
                  entry.offset + end - begin, MADV_WILLNEED);
}

bool MappedSegment::Resident(Section section, uint64_t offset) const {
  const format::SegmentSectionEntry& entry = header_.sections[section];
  if (offset >= entry.length) return true;
  const uint64_t page = (entry.offset + offset) & ~uint64_t{4095};
  unsigned char in_core = 0;
  // A failed call says "resident": the caller then skips a hint, no more.
  return ::mincore(const_cast<uint8_t*>(data_) + page, 1, &in_core) != 0 ||
         (in_core & 1) != 0;
}

Status MappedSegment::CheckBlocks(Section section, uint64_t first,
                                  uint64_t last) const {
  const format::SegmentSectionEntry& entry = header_.sections[section];
  const Extent& extent = extents_[section];
  // A check of many blocks (VerifyAll, a whole-base read) hashes them in
  // order: it asks for the unverified ones a window ahead, since the map is
  // MADV_RANDOM. Small checks (a search's rows) do not: a scan asks for its
  // own window (MemoryIndex::Base::ReadAhead), and a syscall per candidate
  // would cost more than the fault it saves.
  constexpr uint64_t kAheadBytes = 8 << 20;
  const uint64_t ahead_blocks =
      std::max<uint64_t>(kAheadBytes >> block_shift_, 1);
  const bool read_ahead = last - first + 1 >= ahead_blocks;
  uint64_t advised_end = first;  // Blocks [first, advised_end) were asked.
  for (uint64_t b = first; b <= last; ++b) {
    std::atomic<uint64_t>& word = verified_[b / 64];
    const uint64_t bit = uint64_t{1} << (b % 64);
    if ((word.load(std::memory_order_acquire) & bit) != 0) continue;
    const uint64_t block = b - extent.first_block;
    const uint64_t start = block * block_bytes_;
    if (read_ahead && b >= advised_end) {
      advised_end = std::min(last + 1, b + ahead_blocks);
      WillNeed(section, start,
               (advised_end - extent.first_block) * block_bytes_);
    }
    const size_t size = static_cast<size_t>(
        std::min<uint64_t>(block_bytes_, entry.length - start));
    const uint64_t sum = format::SegmentBlockChecksum(
        entry.kind, entry.table, block, data_ + entry.offset + start, size);
    if (sum != checksums_[b]) {
      return Damaged(section, entry.offset + start,
                     "checksum mismatch in block " + std::to_string(block) +
                         " of " + std::to_string(size) + " bytes");
    }
    if ((word.fetch_or(bit, std::memory_order_release) & bit) == 0 &&
        extent.verified.fetch_add(1, std::memory_order_acq_rel) + 1 ==
            extent.blocks) {
      extent.complete.store(true, std::memory_order_release);
    }
  }
  return Status::OK();
}

Status MappedSegment::CheckKeys(Section keys_section, Section directory,
                                uint32_t key_bits) const {
  const uint32_t* keys = Array<uint32_t>(keys_section);
  const uint32_t* slots = Array<uint32_t>(directory);
  const uint64_t n = rows();
  const uint64_t limit = uint64_t{1} << key_bits;
  for (uint64_t i = 0; i < n; ++i) {
    if (keys[i] >= limit || (i > 0 && keys[i] < keys[i - 1])) {
      return Damaged(
          keys_section, header_.sections[keys_section].offset + 4 * i,
          "key " + std::to_string(keys[i]) + " out of order or wider than " +
              std::to_string(key_bits) + " bits");
    }
  }
  const uint32_t bits = format::SegmentDirectoryBits(n, key_bits);
  const uint32_t shift = key_bits - bits;
  uint64_t position = 0;
  for (uint64_t slot = 0; slot <= (uint64_t{1} << bits); ++slot) {
    while (position < n && (uint64_t{keys[position]} >> shift) < slot) {
      ++position;
    }
    if (slots[slot] != position) {
      return Damaged(directory, header_.sections[directory].offset + 4 * slot,
                     "slot " + std::to_string(slot) + " says " +
                         std::to_string(slots[slot]) + ", the keys " +
                         std::to_string(position));
    }
  }
  return Status::OK();
}

Status MappedSegment::CheckPermutation(Section section) const {
  const uint32_t* rows_of = Array<uint32_t>(section);
  const uint64_t n = rows();
  std::vector<uint64_t> seen((n + 63) / 64);
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t row = rows_of[i];
    if (row >= n || (seen[row / 64] >> (row % 64) & 1) != 0) {
      return Damaged(
          section, header_.sections[section].offset + 4 * i,
          "row " + std::to_string(row) + " out of range or repeated");
    }
    seen[row / 64] |= uint64_t{1} << (row % 64);
  }
  return Status::OK();
}

Status MappedSegment::CheckIdOrder() const {
  Status s = CheckPermutation(kIdOrder);
  if (!s.ok()) return s;
  const uint64_t* id = ids();
  const std::span<const uint32_t> order = id_order();
  for (size_t i = 1; i < order.size(); ++i) {
    if (id[order[i - 1]] >= id[order[i]]) {
      return Damaged(kIdOrder, header_.sections[kIdOrder].offset + 4 * i,
                     "ids not strictly ascending in id order");
    }
  }
  return Status::OK();
}

Status MappedSegment::FindId(uint64_t id, bool* found, uint64_t* row) const {
  *found = false;
  const uint32_t* order = Array<uint32_t>(kIdOrder);
  const uint64_t* id_of = ids();
  uint64_t low = 0;
  uint64_t high = rows();
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    Status s = CheckRows(kIdOrder, mid, mid + 1, 4);
    if (!s.ok()) return s;
    const uint32_t r = order[mid];
    if (r >= rows()) {
      return Damaged(kIdOrder, header_.sections[kIdOrder].offset + 4 * mid,
                     "row " + std::to_string(r) + " out of range");
    }
    s = CheckRows(kIds, r, r + 1, 8);
    if (!s.ok()) return s;
    if (id_of[r] == id) {
      *found = true;
      *row = r;
      return Status::OK();
    }
    if (id_of[r] < id) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return Status::OK();
}

Status MappedSegment::AddressOf(uint64_t row, uint32_t* address) const {
  Status s = CheckRows(kAddressKeys, row, row + 1, 4);
  if (s.ok()) *address = address_keys()[row];
  return s;
}

uint64_t MappedSegment::header_checksum() const {
  return XXH3_64bits(data_, format::SegmentHeaderBytes(header_));
}

Status MappedSegment::VerifyAll() const {
  for (Section section = 0; section < extent_count_; ++section) {
    const Extent& extent = extents_[section];
    if (extent.blocks == 0) continue;
    Status s = CheckBlocks(section, extent.first_block,
                           extent.first_block + extent.blocks - 1);
    if (!s.ok()) return s;
  }
  Status s = CheckKeys(kAddressKeys, kAddressDirectory, address_bits());
  if (s.ok()) s = CheckIdOrder();
  for (uint32_t t = 0; s.ok() && t < table_count(); ++t) {
    const format::SegmentTable& table = header_.tables[t];
    const Section keys = SectionOf(SegmentSection::kTableKeys, t);
    const Section rows_of = SectionOf(SegmentSection::kTableRows, t);
    s = CheckKeys(keys, SectionOf(SegmentSection::kTableDirectory, t),
                  table.bits);
    if (s.ok()) s = CheckPermutation(rows_of);
    // Each key must be its row's substring, or the tables would miss rows.
    const std::span<const uint32_t> k = table_keys(t);
    const std::span<const uint32_t> r = table_rows(t);
    for (size_t i = 0; s.ok() && i < k.size(); ++i) {
      if (SubstringKey(codes() + size_t{r[i]} * code_bytes(), code_bits(),
                       {table.start, table.bits}) != k[i]) {
        s = Damaged(keys, header_.sections[keys].offset + 4 * i,
                    "key is not the substring of row " + std::to_string(r[i]));
      }
    }
  }
  return s;
}

}  // namespace semhash

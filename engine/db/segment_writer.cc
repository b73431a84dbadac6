// WriteSegment (see segment_writer.h).
#include "engine/db/segment_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <vector>

#include "engine/db/durable_files.h"
#include "engine/db/multi_index.h"
#include "engine/db/sorted_keys.h"

namespace semhash {
namespace {

using format::SegmentSection;
using format::SegmentSectionEntry;

// The file holds the arrays' bytes as they are in memory: little-endian.
static_assert(std::endian::native == std::endian::little,
              "segment files are little-endian; this writer copies memory");

Status Errno(const std::string& path, const std::string& what) {
  return Status::IOError(path + ": " + what + ": " + std::strerror(errno));
}

// Writes the sections in file order through one checksum block, padding
// each to its planned offset and noting each block's checksum.
class SectionStream {
 public:
  SectionStream(int fd, const std::string& path, uint64_t offset,
                uint32_t block_bytes)
      : fd_(fd), path_(path), offset_(offset), block_(block_bytes) {}

  Status Begin(const SegmentSectionEntry& section) {
    section_ = section;
    block_index_ = 0;
    written_ = 0;
    static const char kZeros[format::kSegmentAlignment] = {};
    const uint64_t padding = section.offset - offset_;
    offset_ = section.offset;
    return WriteAll(fd_, path_, kZeros, padding);
  }

  Status Append(const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    while (size > 0) {
      const size_t n = std::min(size, block_.size() - fill_);
      std::memcpy(block_.data() + fill_, bytes, n);
      fill_ += n;
      bytes += n;
      size -= n;
      if (fill_ == block_.size()) {
        Status s = Flush();
        if (!s.ok()) return s;
      }
    }
    return Status::OK();
  }

  template <typename T>
  Status AppendArray(const T* data, size_t n) {
    return Append(data, n * sizeof(T));
  }

  // The section's last, partial block; its size must be as planned.
  Status End() {
    Status s = Flush();
    if (!s.ok()) return s;
    if (written_ != section_.length) {
      return Status::InvalidArgument(
          path_ + ": " +
          format::SegmentSectionName(section_.kind, section_.table) + " has " +
          std::to_string(written_) + " bytes, not " +
          std::to_string(section_.length));
    }
    return Status::OK();
  }

  const std::vector<uint64_t>& checksums() const { return checksums_; }
  uint64_t offset() const { return offset_; }

 private:
  Status Flush() {
    if (fill_ == 0) return Status::OK();
    checksums_.push_back(format::SegmentBlockChecksum(
        section_.kind, section_.table, block_index_++, block_.data(), fill_));
    Status s = WriteAll(fd_, path_,
                        reinterpret_cast<const char*>(block_.data()), fill_);
    offset_ += fill_;
    written_ += fill_;
    fill_ = 0;
    return s;
  }

  const int fd_;
  const std::string& path_;
  uint64_t offset_;  // The file position.
  std::vector<uint8_t> block_;
  size_t fill_ = 0;
  SegmentSectionEntry section_;
  uint64_t block_index_ = 0;
  uint64_t written_ = 0;  // Of the current section.
  std::vector<uint64_t> checksums_;
};

// The directory SortedKeys builds over `keys`, streamed: entry s is the
// first position whose key's top bits are >= s.
Status AppendDirectory(const uint32_t* keys, size_t n, uint32_t key_bits,
                       SectionStream* out) {
  const uint32_t bits = SortedKeys::DirectoryBits(n, key_bits);
  const uint32_t shift = key_bits - bits;
  std::vector<uint32_t> buffer;
  buffer.reserve(4096);
  size_t position = 0;
  for (uint64_t slot = 0; slot <= (uint64_t{1} << bits); ++slot) {
    while (position < n && (uint64_t{keys[position]} >> shift) < slot) {
      ++position;
    }
    buffer.push_back(static_cast<uint32_t>(position));
    if (buffer.size() == buffer.capacity()) {
      Status s = out->AppendArray(buffer.data(), buffer.size());
      if (!s.ok()) return s;
      buffer.clear();
    }
  }
  return out->AppendArray(buffer.data(), buffer.size());
}

Status CheckRows(uint32_t address_bits, uint32_t code_bits,
                 const SegmentRows& rows) {
  if (address_bits < kMinAddressBits || address_bits > kMaxAddressBits ||
      code_bits % 64 != 0 || code_bits < kMinCodeBits ||
      code_bits > kMaxCodeBits) {
    return Status::InvalidArgument(
        "segment of " + std::to_string(address_bits) + "-bit addresses and " +
        std::to_string(code_bits) + "-bit codes: invalid widths");
  }
  if (rows.n > UINT32_MAX) {
    return Status::InvalidArgument(std::to_string(rows.n) +
                                   " rows: a segment holds fewer than 2^32");
  }
  const uint64_t limit = uint64_t{1} << address_bits;
  for (size_t r = 0; r < rows.n; ++r) {
    if (rows.addresses[r] >= limit ||
        (r > 0 && rows.addresses[r] < rows.addresses[r - 1])) {
      return Status::InvalidArgument(
          "segment row " + std::to_string(r) + ": address " +
          std::to_string(rows.addresses[r]) + " out of order or range");
    }
  }
  return Status::OK();
}

// The rows sorted by id; InvalidArgument if two share an id.
Status SortById(const SegmentRows& rows, std::vector<uint32_t>* order) {
  order->resize(rows.n);
  std::iota(order->begin(), order->end(), 0u);
  std::sort(order->begin(), order->end(),
            [&](uint32_t a, uint32_t b) { return rows.ids[a] < rows.ids[b]; });
  for (size_t i = 1; i < order->size(); ++i) {
    if (rows.ids[(*order)[i - 1]] == rows.ids[(*order)[i]]) {
      return Status::InvalidArgument("segment rows hold id " +
                                     std::to_string(rows.ids[(*order)[i]]) +
                                     " twice");
    }
  }
  return Status::OK();
}

// Writes every section and then the final header to `fd`.
Status WriteContents(int fd, const std::string& path,
                     format::SegmentHeader header, const SegmentRows& rows,
                     const std::vector<uint32_t>& id_order,
                     const MultiIndex* tables) {
  std::string bytes = format::EncodeSegmentHeader(header);
  Status s = WriteAll(fd, path, bytes.data(), bytes.size());
  SectionStream out(fd, path, bytes.size(), header.block_bytes);
  const size_t code_bytes = header.code_bits / 8;
  for (const SegmentSectionEntry& section : header.sections) {
    if (!s.ok()) return s;
    if (section.kind == SegmentSection::kChecksums) break;
    s = out.Begin(section);
    if (!s.ok()) return s;
    switch (section.kind) {
      case SegmentSection::kCodes:
        s = out.Append(rows.codes, rows.n * code_bytes);
        break;
      case SegmentSection::kIds:
        s = out.AppendArray(rows.ids, rows.n);
        break;
      case SegmentSection::kAddressKeys:
        s = out.AppendArray(rows.addresses, rows.n);
        break;
      case SegmentSection::kAddressDirectory:
        s = AppendDirectory(rows.addresses, rows.n, header.address_bits, &out);
        break;
      case SegmentSection::kIdOrder:
        s = out.AppendArray(id_order.data(), id_order.size());
        break;
      case SegmentSection::kTableKeys:
      case SegmentSection::kTableRows:
      case SegmentSection::kTableDirectory: {
        const MultiIndex::TableArrays table =
            tables->table_arrays(section.table);
        const std::span<const uint32_t> array =
            section.kind == SegmentSection::kTableKeys   ? table.keys
            : section.kind == SegmentSection::kTableRows ? table.rows
                                                         : table.directory;
        s = out.AppendArray(array.data(), array.size());
        break;
      }
      case SegmentSection::kChecksums:
        break;
    }
    if (s.ok()) s = out.End();
  }
  if (!s.ok()) return s;
  // The checksum section: covered by the header, not by blocks of its own.
  const SegmentSectionEntry& last = header.sections.back();
  static const char kZeros[format::kSegmentAlignment] = {};
  s = WriteAll(fd, path, kZeros, last.offset - out.offset());
  const std::vector<uint64_t>& checksums = out.checksums();
  if (s.ok()) {
    s = WriteAll(fd, path, reinterpret_cast<const char*>(checksums.data()),
                 checksums.size() * sizeof(uint64_t));
  }
  if (!s.ok()) return s;
  header.checksums_checksum = format::SegmentChecksumsChecksum(
      reinterpret_cast<const uint8_t*>(checksums.data()),
      checksums.size() * sizeof(uint64_t));
  bytes = format::EncodeSegmentHeader(header);
  if (::pwrite(fd, bytes.data(), bytes.size(), 0) !=
      static_cast<ssize_t>(bytes.size())) {
    return Errno(path, "header write failed");
  }
  return Status::OK();
}

}  // namespace

Status WriteSegment(const std::string& path, uint32_t address_bits,
                    uint32_t code_bits, const SegmentRows& rows,
                    const MultiIndex* tables, uint32_t block_bytes) {
  Status s = CheckRows(address_bits, code_bits, rows);
  std::vector<uint32_t> id_order;
  if (s.ok()) s = SortById(rows, &id_order);
  if (!s.ok()) return s;
  std::vector<format::SegmentTable> substrings;
  for (uint32_t t = 0; tables != nullptr && t < tables->tables(); ++t) {
    const Substring substring = tables->table_arrays(t).substring;
    substrings.push_back({substring.start, substring.bits});
  }
  const format::SegmentHeader header = format::PlanSegment(
      address_bits, code_bits, rows.n, block_bytes, std::move(substrings));
  // The reader's checks of the tables and block size, before any byte is
  // written: a header it would refuse is the caller's mistake.
  format::SegmentHeader decoded;
  s = format::DecodeSegmentHeader(format::EncodeSegmentHeader(header),
                                  &decoded);
  if (!s.ok()) return Status::InvalidArgument(s.message());
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(tmp, "cannot create");
  s = WriteContents(fd, tmp, header, rows, id_order, tables);
  if (s.ok() && ::fsync(fd) != 0) s = Errno(tmp, "fsync failed");
  if (::close(fd) != 0 && s.ok()) s = Errno(tmp, "close failed");
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Errno(path, "cannot rename " + tmp + " to it");
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return SyncDirectory(dir.empty() ? "." : dir);
}

}  // namespace semhash

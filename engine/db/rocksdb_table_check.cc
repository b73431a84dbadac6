// The table file check (see rocksdb_table_check.h). The layouts read here
// are RocksDB's block-based table format as of 7.8 (format_version 1 to 5):
// a 53-byte footer {checksum type u8, metaindex handle, index handle (two
// varint64 each), zero padding to byte 41, format_version u32 LE, magic u64
// LE}; each block is followed by a 5-byte trailer {compression type u8,
// checksum u32 LE} whose checksum covers the block and the type byte; a
// meta block's entries are {shared key bytes, unshared key bytes, value
// bytes (varint32 each), the unshared key bytes, the value}, followed by
// the restart offsets (u32 LE each) and their count (u32 LE).
#include "engine/db/rocksdb_table_check.h"

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include "engine/db/rocksdb_log_scan.h"

namespace semhash {
namespace {

constexpr uint64_t kBlockBasedTableMagic = 0x88e241b785f4cff7ull;
constexpr size_t kFooterBytes = 53;
constexpr size_t kTrailerBytes = 5;
constexpr uint32_t kNewestFooterFormat = 5;
constexpr char kPropertiesBlockName[] = "rocksdb.properties";
constexpr char kGlobalSeqnoName[] = "rocksdb.external_sst_file.global_seqno";

// RocksDB's ChecksumType values (on disk in the footer).
enum ChecksumType : uint8_t {
  kNoChecksum = 0,
  kCrc32c = 1,
  kXxHash = 2,
  kXxHash64 = 3,
  kXxh3 = 4,
};

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

uint64_t LoadLittleEndian(const char* p, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) {
    value |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  }
  return value;
}

// Reads a varint at `*pos` within `bytes`; false past the end or when
// longer than 10 bytes.
bool ReadVarint(std::string_view bytes, size_t* pos, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(bytes[(*pos)++]);
    *value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool ReadHandle(std::string_view bytes, size_t* pos, BlockHandle* handle) {
  return ReadVarint(bytes, pos, &handle->offset) &&
         ReadVarint(bytes, pos, &handle->size);
}

// RocksDB's checksum of a block and the compression type byte after it
// (`block_and_type`: the block's bytes, then that byte).
std::optional<uint32_t> BlockChecksum(uint8_t type,
                                      std::string_view block_and_type) {
  const auto* data = reinterpret_cast<const uint8_t*>(block_and_type.data());
  const size_t n = block_and_type.size();
  switch (type) {
    case kCrc32c:
      return MaskCrc32c(Crc32c(data, n));
    case kXxHash:
      return XXH32(data, n, 0);
    case kXxHash64:
      return static_cast<uint32_t>(XXH64(data, n, 0));
    case kXxh3: {
      // The type byte is mixed in after hashing the block, not hashed.
      const auto hash = static_cast<uint32_t>(XXH3_64bits(data, n - 1));
      return hash ^ uint32_t { data[n - 1] } * 0x6b9083d9u;
    }
    default:
      return std::nullopt;
  }
}

class TableFile {
 public:
  explicit TableFile(std::string path) : path_(std::move(path)) {}

  // Reads the footer; false (and OK) when the file has no whole footer of a
  // format this check knows.
  Status ReadFooter(bool* whole) {
    *whole = false;
    std::error_code error;
    size_ = std::filesystem::file_size(path_, error);
    if (error) return Status::IOError(path_ + ": " + error.message());
    if (size_ < kFooterBytes) return Status::OK();
    std::string footer;
    Status s = Read(size_ - kFooterBytes, kFooterBytes, &footer);
    if (!s.ok()) return s;
    const uint32_t version =
        static_cast<uint32_t>(LoadLittleEndian(footer.data() + 41, 4));
    if (LoadLittleEndian(footer.data() + 45, 8) != kBlockBasedTableMagic ||
        version == 0 || version > kNewestFooterFormat) {
      return Status::OK();
    }
    checksum_type_ = static_cast<uint8_t>(footer[0]);
    size_t pos = 1;
    BlockHandle index;
    if (!ReadHandle(footer, &pos, &metaindex_) ||
        !ReadHandle(footer, &pos, &index) || pos > 41) {
      return Corrupt("footer", size_ - kFooterBytes, "unreadable handles");
    }
    if (checksum_type_ > kXxh3) {
      return Corrupt("footer", size_ - kFooterBytes,
                     "unknown checksum type " + std::to_string(checksum_type_));
    }
    *whole = true;
    return Status::OK();
  }

  // Reads the block at `handle` with its trailer into `block` and verifies
  // it: Corruption on a mismatch unless `tolerate_mismatch`, which reports
  // it in `*mismatch` instead. `name` says which block it is.
  Status ReadBlock(const BlockHandle& handle, const char* name,
                   std::string* block, bool tolerate_mismatch = false,
                   bool* mismatch = nullptr) {
    if (handle.offset > size_ || handle.size > size_ - handle.offset ||
        size_ - handle.offset - handle.size < kTrailerBytes + kFooterBytes) {
      return Corrupt(name, handle.offset,
                     "a block of " + std::to_string(handle.size) +
                         " bytes past the end of the file");
    }
    Status s = Read(handle.offset, handle.size + kTrailerBytes, block);
    if (!s.ok()) return s;
    const bool matches = Verify(*block);
    if (mismatch != nullptr) *mismatch = !matches;
    if (!matches && !tolerate_mismatch) {
      return Corrupt(name, handle.offset, "checksum mismatch");
    }
    return Status::OK();
  }

  // Whether `block_and_trailer` matches its trailer's checksum.
  bool Verify(std::string_view block_and_trailer) const {
    if (checksum_type_ == kNoChecksum) return true;
    const size_t n = block_and_trailer.size();
    const auto stored = static_cast<uint32_t>(
        LoadLittleEndian(block_and_trailer.data() + n - 4, 4));
    return BlockChecksum(checksum_type_, block_and_trailer.substr(0, n - 4)) ==
           stored;
  }

  Status Corrupt(const char* block, uint64_t offset,
                 const std::string& what) const {
    return Status::Corruption(
        path_ + ": the " + block + " block at offset " +
        std::to_string(offset) + ": " + what +
        " (RocksDB would parse it unchecked; restore the database from a "
        "backup, docs/durability.md, \"Table files\")");
  }

  const BlockHandle& metaindex() const { return metaindex_; }

 private:
  Status Read(uint64_t offset, uint64_t n, std::string* out) const {
    std::ifstream in(path_, std::ios::binary);
    out->assign(n, '\0');
    if (!in.seekg(static_cast<std::streamoff>(offset)) ||
        !in.read(out->data(), static_cast<std::streamsize>(n))) {
      return Status::IOError(path_ + ": cannot read " + std::to_string(n) +
                             " bytes at offset " + std::to_string(offset));
    }
    return Status::OK();
  }

  std::string path_;
  uint64_t size_ = 0;
  uint8_t checksum_type_ = kNoChecksum;
  BlockHandle metaindex_;
};

// Calls `visit(key, value_offset, value)` for each entry of a meta block
// (`block`: the block without its trailer). False if an entry does not
// parse within the entries' end.
template <typename Visit>
bool ForEachEntry(std::string_view block, Visit visit) {
  if (block.size() < 4) return false;
  const uint64_t restarts =
      LoadLittleEndian(block.data() + block.size() - 4, 4);
  // The top bit marks a data block's hash index; meta blocks have none.
  if (restarts > (block.size() - 4) / 4) return false;
  const std::string_view entries =
      block.substr(0, block.size() - 4 - restarts * 4);
  std::string key;
  size_t pos = 0;
  while (pos < entries.size()) {
    uint64_t shared, key_bytes, value_bytes;
    if (!ReadVarint(entries, &pos, &shared) ||
        !ReadVarint(entries, &pos, &key_bytes) ||
        !ReadVarint(entries, &pos, &value_bytes) || shared > key.size() ||
        key_bytes > entries.size() - pos ||
        value_bytes > entries.size() - pos - key_bytes) {
      return false;
    }
    key.resize(shared);
    key.append(entries.substr(pos, key_bytes));
    visit(std::string_view(key), pos + key_bytes,
          entries.substr(pos + key_bytes, value_bytes));
    pos += key_bytes + value_bytes;
  }
  return true;
}

}  // namespace

Status CheckTableFile(const std::string& path) {
  TableFile file(path);
  bool whole = false;
  Status s = file.ReadFooter(&whole);
  if (!s.ok() || !whole) return s;
  std::string metaindex;
  s = file.ReadBlock(file.metaindex(), "metaindex", &metaindex);
  if (!s.ok()) return s;
  std::optional<BlockHandle> properties;
  bool parsed = ForEachEntry(
      std::string_view(metaindex).substr(0, metaindex.size() - kTrailerBytes),
      [&](std::string_view key, size_t, std::string_view value) {
        size_t pos = 0;
        BlockHandle handle;
        if (key == kPropertiesBlockName && ReadHandle(value, &pos, &handle)) {
          properties = handle;
        }
      });
  if (!parsed) {
    return file.Corrupt("metaindex", file.metaindex().offset,
                        "entries do not parse");
  }
  if (!properties.has_value()) return Status::OK();
  std::string block;
  bool mismatch = false;
  s = file.ReadBlock(*properties, "properties", &block,
                     /*tolerate_mismatch=*/true, &mismatch);
  if (!s.ok() || !mismatch) return s;
  // An ingested file whose global sequence number RocksDB rewrote in place:
  // its checksum is of the block with that number 0.
  std::optional<size_t> seqno_at;
  ForEachEntry(std::string_view(block).substr(0, block.size() - kTrailerBytes),
               [&](std::string_view key, size_t at, std::string_view value) {
                 if (key == kGlobalSeqnoName && value.size() == 8) {
                   seqno_at = at;
                 }
               });
  if (seqno_at.has_value()) {
    std::memset(block.data() + *seqno_at, 0, 8);
    if (file.Verify(block)) return Status::OK();
  }
  return file.Corrupt("properties", properties->offset, "checksum mismatch");
}

}  // namespace semhash

// ScanLogFile (see rocksdb_log_scan.h). The layout is RocksDB's
// db/log_format.h, the same as LevelDB's doc/log_format.md.
#include "engine/db/rocksdb_log_scan.h"

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace semhash {
namespace {

constexpr uint64_t kBlockBytes = 32768;
constexpr uint64_t kHeaderBytes = 7;
constexpr uint64_t kRecyclableHeaderBytes = 11;
constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Record types. 5..8 are the recyclable forms of 1..4; 9 and 10 are
// RocksDB's single-record metadata types (WAL compression, timestamps).
enum RecordType : uint8_t {
  kZero = 0,
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
  kMaxKnownType = 10,
};

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
    table[i] = c;
  }
  return table;
}

uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

uint32_t Fixed32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}

// One physical record's header at `pos`, as far as the bytes go.
struct Physical {
  uint8_t type = 0;
  uint64_t header_bytes = kHeaderBytes;
  uint64_t length = 0;
  uint32_t stored_crc = 0;
};

Physical ReadHeader(const std::string& bytes, uint64_t pos) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + pos;
  Physical r;
  r.stored_crc = Unmask(Fixed32(p));
  r.length = uint64_t{p[4]} | uint64_t{p[5]} << 8;
  r.type = p[6];
  if (r.type >= 5 && r.type <= 8) r.header_bytes = kRecyclableHeaderBytes;
  return r;
}

bool ChecksumHolds(const std::string& bytes, uint64_t pos, const Physical& r) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + pos;
  return Crc32c(p + 6, r.header_bytes - 6 + r.length) == r.stored_crc;
}

// Whether a record that checksums starts at `pos` (within its block).
bool WholeRecordAt(const std::string& bytes, uint64_t pos) {
  const uint64_t block_left = kBlockBytes - pos % kBlockBytes;
  if (block_left < kHeaderBytes || bytes.size() - pos < kHeaderBytes) {
    return false;
  }
  const Physical r = ReadHeader(bytes, pos);
  if (r.type == kZero || r.type > kMaxKnownType) return false;
  if (r.header_bytes + r.length > block_left) return false;
  if (pos + r.header_bytes + r.length > bytes.size()) return false;
  return ChecksumHolds(bytes, pos, r);
}

// Whole records after damage at `from`: searched byte by byte to the end of
// the damaged block (a damaged length hides where the next record starts),
// then record by record from each later block's start.
uint64_t CountWholeRecordsAfter(const std::string& bytes, uint64_t from) {
  uint64_t count = 0;
  const uint64_t block_end = (from / kBlockBytes + 1) * kBlockBytes;
  for (uint64_t pos = from + 1; pos < block_end && pos < bytes.size(); ++pos) {
    if (WholeRecordAt(bytes, pos)) ++count;
  }
  for (uint64_t block = block_end; block < bytes.size(); block += kBlockBytes) {
    uint64_t pos = block;
    while (pos < bytes.size() && WholeRecordAt(bytes, pos)) {
      ++count;
      pos +=
          ReadHeader(bytes, pos).header_bytes + ReadHeader(bytes, pos).length;
    }
  }
  return count;
}

bool ZeroFrom(const std::string& bytes, uint64_t pos) {
  for (uint64_t i = pos; i < bytes.size(); ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

class Scanner {
 public:
  explicit Scanner(const std::string& bytes) : bytes_(bytes) {}

  void Run(LogScan* scan) {
    scan_ = scan;
    scan_->file_bytes = bytes_.size();
    uint64_t pos = 0;
    while (pos < bytes_.size() && scan_->damage.empty()) {
      pos = Step(pos);
    }
    if (scan_->damage.empty() && fragment_start_ != kNone) {
      Torn(fragment_start_, "ends inside a record that starts at byte " +
                                std::to_string(fragment_start_));
    }
    if (!scan_->damage.empty()) {
      // From where the scan stopped: a record cut after some of its
      // fragments has none after it.
      scan_->whole_records_after_damage = CountWholeRecordsAfter(bytes_, pos);
    }
  }

 private:
  static constexpr uint64_t kNone = ~uint64_t{0};

  // Reads the physical record at `pos`; returns where the next one starts.
  uint64_t Step(uint64_t pos) {
    const uint64_t block_left = kBlockBytes - pos % kBlockBytes;
    if (block_left < kHeaderBytes) return pos + block_left;  // Trailer.
    if (bytes_.size() - pos < kHeaderBytes) {
      Torn(pos, "ends inside a record header at byte " + std::to_string(pos));
      return pos;
    }
    const Physical r = ReadHeader(bytes_, pos);
    if (r.type == kZero && r.length == 0) {
      // Zeroed space (preallocated, or a block's padding): the end of the
      // data if nothing but zeros follows.
      if (ZeroFrom(bytes_, pos)) return bytes_.size();
      return Damaged(pos, "zeroed bytes inside the log");
    }
    if (r.type == kZero || r.type > kMaxKnownType) {
      return Damaged(pos, "unknown record type " + std::to_string(r.type));
    }
    if (r.header_bytes + r.length > block_left) {
      return Damaged(pos, "record length " + std::to_string(r.length) +
                              " overruns its 32 KiB block");
    }
    if (pos + r.header_bytes + r.length > bytes_.size()) {
      Torn(pos, "ends inside the record at byte " + std::to_string(pos));
      return pos;
    }
    if (!ChecksumHolds(bytes_, pos, r)) {
      return Damaged(pos, "checksum mismatch in the record at byte " +
                              std::to_string(pos));
    }
    const uint64_t next = pos + r.header_bytes + r.length;
    return Assemble(pos, r.type > 4 && r.type <= 8 ? r.type - 4 : r.type, next);
  }

  // Follows FIRST/MIDDLE/LAST fragments into logical records.
  uint64_t Assemble(uint64_t pos, uint8_t type, uint64_t next) {
    const bool starts = type == kFull || type == kFirst || type > kLast;
    if (starts == (fragment_start_ != kNone)) {
      return Damaged(pos, starts ? "a record starts inside another"
                                 : "a fragment without its first part");
    }
    if (type == kFirst) {
      fragment_start_ = pos;
      return next;
    }
    if (type == kMiddle) return next;
    fragment_start_ = kNone;
    ++scan_->records;
    scan_->whole_bytes = next;
    return next;
  }

  uint64_t Damaged(uint64_t pos, std::string what) {
    scan_->damage = std::move(what);
    scan_->damage_offset = pos;
    return pos;
  }

  void Torn(uint64_t pos, std::string what) {
    Damaged(pos, std::move(what));
    scan_->ends_inside_record = true;
  }

  const std::string& bytes_;
  LogScan* scan_ = nullptr;
  uint64_t fragment_start_ = kNone;
};

}  // namespace

uint32_t TEST_Crc32cPortable(const uint8_t* data, size_t n) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  uint32_t crc = ~0u;
  for (size_t i = 0; i < n; ++i) {
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

#if defined(__x86_64__)
// SSE 4.2's crc32 instruction computes CRC-32C: about ten times the table's
// speed, which matters because every log is scanned at each open.
__attribute__((target("sse4.2"))) static uint32_t Crc32cSse42(
    const uint8_t* data, size_t n) {
  uint64_t crc = ~0u;
  for (; n >= 8; n -= 8, data += 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  uint32_t crc32 = static_cast<uint32_t>(crc);
  for (; n > 0; --n) crc32 = _mm_crc32_u8(crc32, *data++);
  return ~crc32;
}
#endif

uint32_t MaskCrc32c(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

uint32_t Crc32c(const uint8_t* data, size_t n) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return Crc32cSse42(data, n);
#endif
  return TEST_Crc32cPortable(data, n);
}

std::string TEST_LogRecord(uint8_t type, const std::string& payload) {
  std::string typed(1, static_cast<char>(type));
  typed += payload;
  const uint32_t crc = MaskCrc32c(
      Crc32c(reinterpret_cast<const uint8_t*>(typed.data()), typed.size()));
  std::string record;
  for (int i = 0; i < 4; ++i) record += static_cast<char>(crc >> (8 * i));
  record += static_cast<char>(payload.size() & 0xff);
  record += static_cast<char>(payload.size() >> 8);
  return record + typed;
}

Status ScanLogFile(const std::string& path, LogScan* scan) {
  *scan = LogScan();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path + ": read failed");
  ScanLogBytes(bytes, scan);
  return Status::OK();
}

void ScanLogBytes(const std::string& bytes, LogScan* scan) {
  *scan = LogScan();
  Scanner(bytes).Run(scan);
}

}  // namespace semhash

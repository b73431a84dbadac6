// A reader of RocksDB's log format (the MANIFEST and the write-ahead logs:
// 32 KiB blocks of records, each with a 7-byte header of masked CRC32C,
// length and type, or 11 bytes for recyclable records) that says where a
// file stops being whole. RocksDB itself treats a MANIFEST that ends inside
// a record as a crash during its last append and silently drops the record:
// a MANIFEST cut short by damage then opens as an older database, and the
// next read-write open deletes every table file the lost records listed.
// semhash scans the MANIFEST first and refuses such a database
// (rocksdb_store.cc), and names the damaged spot of a log that RocksDB
// reports as corrupt (docs/durability.md).
//
// Thread safety: plain functions over a file read with std::ifstream.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_LOG_SCAN_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_LOG_SCAN_H_

#include <cstdint>
#include <string>

#include "semhash/status.h"

namespace semhash {

struct LogScan {
  uint64_t file_bytes = 0;
  uint64_t records = 0;  // Whole logical records before any damage.
  // The offset just past the last whole logical record.
  uint64_t whole_bytes = 0;
  // Empty when the file ends at a record boundary (or in a block's zero
  // padding); else what is wrong at damage_offset.
  std::string damage;
  uint64_t damage_offset = 0;
  // The damage is that the file ends inside a record (a torn or cut tail),
  // rather than a checksum, length or type that cannot be right.
  bool ends_inside_record = false;
  // Records whose checksums hold after the damage: evidence that the damage
  // is not a torn tail, since writes followed it.
  uint64_t whole_records_after_damage = 0;
};

// Scans the log-format file at `path`. IOError if it cannot be read.
Status ScanLogFile(const std::string& path, LogScan* scan);
// Scans a log's bytes.
void ScanLogBytes(const std::string& bytes, LogScan* scan);

// The CRC-32C (Castagnoli) of `n` bytes, as RocksDB's logs checksum them
// before masking: with SSE 4.2's instruction where the processor has it.
uint32_t Crc32c(const uint8_t* data, size_t n);
// The same with a table, on any processor: what the tests compare the
// instruction's result with.
uint32_t TEST_Crc32cPortable(const uint8_t* data, size_t n);
// A CRC-32C masked as RocksDB stores it (in log records and table block
// trailers), so that a CRC of data holding CRCs stays well distributed.
uint32_t MaskCrc32c(uint32_t crc);

// One physical record of `type` (1 full, 2 first, 3 middle, 4 last) with a
// 7-byte header, as RocksDB's log writer lays it out: for the tests and the
// fuzz seeds that forge logs.
std::string TEST_LogRecord(uint8_t type, const std::string& payload);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_LOG_SCAN_H_

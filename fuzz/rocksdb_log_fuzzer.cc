// Fuzz target: ScanLogBytes (engine/db/rocksdb_log_scan.h), the reader of
// RocksDB's MANIFEST and write-ahead logs that semhash runs before RocksDB
// opens a database.
//
// Invariants: every offset it reports lies within the input; whole records
// end no later than the damage; an undamaged log's whole records end at
// its last non-zero byte or later; scanning is deterministic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/db/rocksdb_log_scan.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  LogScan scan;
  ScanLogBytes(bytes, &scan);
  FUZZ_CHECK(scan.file_bytes == size);
  FUZZ_CHECK(scan.whole_bytes <= size);
  FUZZ_CHECK(scan.damage_offset <= size);
  if (!scan.damage.empty()) FUZZ_CHECK(scan.whole_bytes <= scan.damage_offset);
  if (scan.damage.empty()) FUZZ_CHECK(!scan.ends_inside_record);
  FUZZ_CHECK(scan.records <= size / 7);
  LogScan again;
  ScanLogBytes(bytes, &again);
  FUZZ_CHECK(again.damage == scan.damage && again.records == scan.records &&
             again.whole_records_after_damage ==
                 scan.whole_records_after_damage);
  return 0;
}

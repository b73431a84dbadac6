// The checks on RocksDB's files (see rocksdb_file_checks.h).
#include "engine/db/rocksdb_file_checks.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "engine/db/rocksdb_log_scan.h"
#include "engine/db/rocksdb_table_check.h"
#include "format/manifest_watermark.h"

namespace semhash {
namespace {

// The MANIFEST that `dir`/CURRENT names, or "" if CURRENT cannot be read or
// names no MANIFEST-<number> (RocksDB then reports the problem itself).
std::string CurrentManifest(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name;
  constexpr size_t kPrefix = sizeof("MANIFEST-") - 1;
  if (!std::getline(in, name) || name.rfind("MANIFEST-", 0) != 0 ||
      name.size() == kPrefix || name.size() > kPrefix + 19 ||
      name.find_first_not_of("0123456789", kPrefix) != std::string::npos) {
    return "";
  }
  return name;
}

// Whether a log's damage may be a crash's doing: its last record torn,
// with no whole record after it.
bool TornTail(const LogScan& scan) {
  return scan.ends_inside_record && scan.whole_records_after_damage == 0;
}

// RocksDB takes a log that ends inside a record for one whose last append a
// crash cut short, and silently drops that record. For the MANIFEST it is
// never so: RocksDB syncs each record before it acts on it, and a MANIFEST
// cut by damage opens as an older database whose next read-write open
// deletes the table files the lost records listed. For a write-ahead log it
// is so only at the tail: RocksDB's recovery mode (below) reports a bad
// checksum, but a damaged length near the end reads as a torn tail too. So
// semhash scans both before RocksDB touches anything.
Status CheckLogsAreWhole(const std::string& dir) {
  const std::string manifest = CurrentManifest(dir);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool wal = entry.path().extension() == ".log";
    if (!wal && name != manifest) continue;
    LogScan scan;
    if (!ScanLogFile(entry.path().string(), &scan).ok()) continue;
    if (scan.damage.empty() || (wal && TornTail(scan))) continue;
    const std::string where = name + " " + scan.damage + " (" +
                              std::to_string(scan.file_bytes) +
                              " bytes; whole records end at byte " +
                              std::to_string(scan.whole_bytes) + ", " +
                              std::to_string(scan.whole_records_after_damage) +
                              " intact records after it)";
    if (wal) {
      return Status::Corruption(
          "write-ahead log " + where +
          ": damage before the log's end would drop acknowledged writes, "
          "so the database is not opened; restore it from a backup "
          "(docs/durability.md, \"Write-ahead log\")");
    }
    return Status::Corruption(
        where +
        ": the list of the database's table files is damaged, and opening it "
        "would drop the files it no longer lists; restore the database from "
        "a backup (docs/durability.md, \"MANIFEST\")");
  }
  return Status::OK();
}

uint64_t ManifestNumber(const std::string& name) {
  return std::stoull(name.substr(std::string("MANIFEST-").size()));
}

std::string ManifestName(uint64_t number) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "MANIFEST-" + digits;
}

// A MANIFEST cut exactly at a record's end is whole, but shorter than the
// watermark: RocksDB had synced more of it.
Status CheckManifestWatermark(const std::string& dir) {
  std::ifstream in(dir + "/" + format::kManifestWatermarkFile,
                   std::ios::binary);
  if (!in) return Status::OK();  // Made before watermarks, or never synced.
  const std::string value((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  format::ManifestWatermark mark;
  Status s = format::DecodeManifestWatermark(value, &mark);
  if (!s.ok()) return s;
  const std::string manifest = CurrentManifest(dir);
  if (manifest.empty()) return Status::OK();  // RocksDB reports it.
  const uint64_t number = ManifestNumber(manifest);
  if (number < mark.manifest_number) {
    return Status::Corruption(
        "CURRENT names " + manifest + ", older than " +
        ManifestName(mark.manifest_number) +
        ", which was in use: the database's file list went back in time; "
        "restore the database from a backup (docs/durability.md, "
        "\"MANIFEST\")");
  }
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(dir + "/" + manifest, ec);
  if (ec || number != mark.manifest_number || size >= mark.synced_bytes) {
    return Status::OK();
  }
  return Status::Corruption(
      manifest + " is " + std::to_string(size) + " bytes, but RocksDB had " +
      "synced " + std::to_string(mark.synced_bytes) +
      " of it: records listing table files were cut off; restore the "
      "database from a backup (docs/durability.md, \"MANIFEST\")");
}

// Every table file's properties block, which RocksDB parses unchecked
// (rocksdb_table_check.h).
Status CheckTableFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".sst") continue;
    Status s = CheckTableFile(entry.path().string());
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

Status CheckRocksDBFiles(const std::string& dir) {
  Status s = CheckLogsAreWhole(dir);
  if (s.ok()) s = CheckManifestWatermark(dir);
  if (s.ok()) s = CheckTableFiles(dir);
  return s;
}

}  // namespace semhash

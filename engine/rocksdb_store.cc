// RocksDBStore (see rocksdb_store.h).
#include "engine/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/posting_merge_operator.h"
#include "engine/rocksdb_info_log.h"
#include "engine/rocksdb_log_scan.h"
#include "engine/rocksdb_status.h"
#include "format/keys.h"

namespace semhash {
namespace {

constexpr char kIdsFamily[] = "ids";
constexpr char kPostingsFamily[] = "postings";
constexpr char kTailsFamily[] = "tails";

// Point-lookup families: whole-key bloom filters make a miss (a new id, an
// empty address) cost no disk read.
rocksdb::ColumnFamilyOptions PointLookupFamily(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return family;
}

// Postings are read by address prefix (all chunks of one address), so the
// bloom filter is on the 5-byte table|address prefix, in SST files and in
// the memtable. Codes are random bits: compression would only cost time.
rocksdb::ColumnFamilyOptions PostingsFamily(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = false;
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(format::kAddressPrefixBytes));
  family.memtable_prefix_bloom_size_ratio = 0.05;
  family.merge_operator = std::make_shared<PostingMergeOperator>();
  family.compression = rocksdb::kNoCompression;
  return family;
}

// The MANIFEST that `dir`/CURRENT names, or "" if CURRENT cannot be read
// (RocksDB then reports the problem itself).
std::string CurrentManifest(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name;
  if (!std::getline(in, name) || name.rfind("MANIFEST-", 0) != 0) return "";
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

}  // namespace

Status RocksDBStore::Open(const RocksDBStoreOptions& options,
                          const std::string& path,
                          std::unique_ptr<RocksDBStore>* out) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create;
  db_options.create_missing_column_families = options.create;
  db_options.info_log = NewRocksDBInfoLog(path, options.read_only);
  // Only a torn last record of a log is a crash's doing; damage anywhere
  // before it fails the open instead of silently ending recovery there.
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.max_background_jobs = 2;
  if (options.env != nullptr) db_options.env = options.env;
  const auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, PointLookupFamily(cache)},
      {kIdsFamily, PointLookupFamily(cache)},
      {kPostingsFamily, PostingsFamily(cache)},
      {kTailsFamily, PointLookupFamily(cache)},
  };
  if (!options.create) {
    Status whole = CheckLogsAreWhole(path);
    if (!whole.ok()) return whole.WithContext(path);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &handles,
                                         &raw)
          : rocksdb::DB::Open(db_options, path, families, &handles, &raw);
  if (!s.ok()) return FromRocksDB(s).WithContext(path);
  std::unique_ptr<RocksDBStore> store(new RocksDBStore());
  store->db_.reset(raw);
  store->meta_ = handles[0];
  store->ids_ = handles[1];
  store->postings_ = handles[2];
  store->tails_ = handles[3];
  *out = std::move(store);
  return Status::OK();
}

RocksDBStore::~RocksDBStore() {
  for (auto* handle : {meta_, ids_, postings_, tails_}) {
    if (handle != nullptr) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
  }
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

}  // namespace semhash

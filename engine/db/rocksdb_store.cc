// RocksDBStore (see rocksdb_store.h).
#include "engine/db/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <vector>

#include "engine/db/manifest_watermark_keeper.h"
#include "engine/db/posting_merge_operator.h"
#include "engine/db/rocksdb_file_checks.h"
#include "engine/db/rocksdb_info_log.h"
#include "engine/db/rocksdb_status.h"
#include "format/keys.h"

namespace semhash {
namespace {

constexpr char kIdsFamily[] = "ids";
constexpr char kPostingsFamily[] = "postings";
constexpr char kTailsFamily[] = "tails";
constexpr char kDeltaFamily[] = "delta";

// Whether the database at `path` has every column family in `wanted`.
bool HasFamilies(const std::string& path, const rocksdb::DBOptions& options,
                 std::initializer_list<const char*> wanted) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) {
    return false;
  }
  return std::all_of(wanted.begin(), wanted.end(), [&](const char* name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  });
}

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
  std::shared_ptr<ManifestWatermarkKeeper> watermark;
  if (!options.read_only) {
    watermark = std::make_shared<ManifestWatermarkKeeper>(path);
    db_options.listeners.push_back(watermark);
  }
  const auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, PointLookupFamily(cache)},
      {kIdsFamily, PointLookupFamily(cache)},
      {kPostingsFamily, PostingsFamily(cache)},
      {kTailsFamily, PointLookupFamily(cache)},
  };
  if (!options.create) {
    Status whole = CheckRocksDBFiles(path);
    if (!whole.ok()) return whole.WithContext(path);
  }
  // A version 1 database has no delta family: a read-write open creates it
  // (it must find the other families, or the open fails as before); a
  // read-only one opens without it.
  const bool has_delta =
      !options.create && HasFamilies(path, db_options, {kDeltaFamily});
  const bool with_delta = !options.read_only || has_delta;
  if (with_delta) {
    families.push_back({kDeltaFamily, PointLookupFamily(cache)});
    if (!options.create && !has_delta) {
      db_options.create_missing_column_families = HasFamilies(
          path, db_options, {kIdsFamily, kPostingsFamily, kTailsFamily});
    }
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
  if (with_delta) store->delta_ = handles[4];
  if (watermark != nullptr) watermark->Record(raw);
  *out = std::move(store);
  return Status::OK();
}

RocksDBStore::~RocksDBStore() {
  for (auto* handle : {meta_, ids_, postings_, tails_, delta_}) {
    if (handle != nullptr) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
  }
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

}  // namespace semhash

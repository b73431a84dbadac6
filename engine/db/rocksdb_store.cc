// RocksDBStore (see rocksdb_store.h).
#include "engine/db/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
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

constexpr char kChangesFamily[] = "changes";
constexpr char kPayloadsFamily[] = "payloads";
// Format versions 1 and 2 (docs/format.md, "Retired column families").
constexpr char kIdsFamily[] = "ids";
constexpr char kPostingsFamily[] = "postings";
constexpr char kTailsFamily[] = "tails";
constexpr char kDeltaFamily[] = "delta";

bool Contains(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Point-lookup families: whole-key bloom filters make a miss (an id not
// changed since the segment, an image without payload) cost no disk read.
rocksdb::ColumnFamilyOptions PointLookupFamily(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return family;
}

// The retired `postings` family still holds merge operands in databases of
// format versions 1 and 2: RocksDB needs their operator to flush or compact
// it (at open, replaying its log) until the migration drops it.
rocksdb::ColumnFamilyOptions RetiredPostingsFamily(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions family = PointLookupFamily(cache);
  family.merge_operator = std::make_shared<PostingMergeOperator>();
  family.disable_auto_compactions = true;
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
  if (!options.create) {
    Status whole = CheckRocksDBFiles(path);
    if (!whole.ok()) return whole.WithContext(path);
  }
  std::vector<std::string> names;
  if (!options.create) {
    // A failure here is the open's own to report, below.
    (void)rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  }
  const bool current = options.create || (Contains(names, kChangesFamily) &&
                                          Contains(names, kPayloadsFamily));
  const bool older = Contains(names, kIdsFamily) &&
                     Contains(names, kPostingsFamily) &&
                     Contains(names, kTailsFamily);
  // A read-write open of an older database creates the new families (the
  // migration fills them); a read-only one opens without them.
  const bool with_current = current || !options.read_only;
  if (!options.create && !current && older && !options.read_only) {
    db_options.create_missing_column_families = true;
  }
  const auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, PointLookupFamily(cache)}};
  if (with_current) {
    families.push_back({kChangesFamily, PointLookupFamily(cache)});
    families.push_back({kPayloadsFamily, PointLookupFamily(cache)});
  }
  const size_t first_retired = families.size();
  for (const char* name :
       {kIdsFamily, kPostingsFamily, kTailsFamily, kDeltaFamily}) {
    if (!Contains(names, name)) continue;
    families.push_back({name, name == kPostingsFamily
                                  ? RetiredPostingsFamily(cache)
                                  : PointLookupFamily(cache)});
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
  if (with_current) {
    store->changes_ = handles[1];
    store->payloads_ = handles[2];
  }
  for (size_t i = first_retired; i < handles.size(); ++i) {
    if (families[i].name == kIdsFamily) store->retired_ids_ = handles[i];
    store->retired_.push_back(handles[i]);
  }
  if (watermark != nullptr) watermark->Record(raw);
  *out = std::move(store);
  return Status::OK();
}

Status RocksDBStore::DropRetiredFamilies() {
  for (rocksdb::ColumnFamilyHandle* handle : retired_) {
    Status s = FromRocksDB(db_->DropColumnFamily(handle));
    if (!s.ok()) return s.WithContext("dropping " + handle->GetName());
  }
  for (rocksdb::ColumnFamilyHandle* handle : retired_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  retired_.clear();
  retired_ids_ = nullptr;
  return Status::OK();
}

RocksDBStore::~RocksDBStore() {
  std::vector<rocksdb::ColumnFamilyHandle*> handles = {meta_, changes_,
                                                       payloads_};
  handles.insert(handles.end(), retired_.begin(), retired_.end());
  for (auto* handle : handles) {
    if (handle != nullptr) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
  }
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

}  // namespace semhash

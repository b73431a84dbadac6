// RocksDBStore: the RocksDB database behind a semhash DB, with its column
// families and their tuned options (docs/format.md, "Column families").
//
//   default   the manifest and the encoder model
//   changes   id -> change record: the ids changed since the live segment
//             was written (format version 3)
//   payloads  id -> payload record (format version 3)
//
// Retired families of format versions 1 and 2 (`ids`, `postings`, `tails`,
// `delta`) are opened when present, so that a read-write open can migrate
// the database (engine/db/db_migrate.cc) and then drop them.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash {

struct RocksDBStoreOptions {
  bool create = false;
  bool read_only = false;
  size_t block_cache_bytes = 64 << 20;
  // Where RocksDB does its file I/O; null: the process's default Env. Not
  // owned; must outlive the store. Only fault-injection tests set it (see
  // engine/db/db_open.h).
  rocksdb::Env* env = nullptr;
};

class RocksDBStore {
 public:
  // Opens (or with options.create, creates) the RocksDB database at `path`
  // with every column family above; a read-write open creates `changes` and
  // `payloads` in a database of an older format. InvalidArgument naming
  // what is missing if `path` is a RocksDB database without the families
  // of any format version.
  static Status Open(const RocksDBStoreOptions& options,
                     const std::string& path,
                     std::unique_ptr<RocksDBStore>* out);

  RocksDBStore(const RocksDBStore&) = delete;
  RocksDBStore& operator=(const RocksDBStore&) = delete;
  ~RocksDBStore();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
  // Null only in a read-only open of a database of format version 1 or 2.
  rocksdb::ColumnFamilyHandle* changes() const { return changes_; }
  rocksdb::ColumnFamilyHandle* payloads() const { return payloads_; }
  // The retired `ids` family of format versions 1 and 2 (the id records a
  // migration reads); null once dropped.
  rocksdb::ColumnFamilyHandle* retired_ids() const { return retired_ids_; }
  // Whether any retired family is still there.
  bool has_retired_families() const { return !retired_.empty(); }
  // Drops every retired family (after a migration's manifest is written).
  Status DropRetiredFamilies();

 private:
  RocksDBStore() = default;

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* changes_ = nullptr;
  rocksdb::ColumnFamilyHandle* payloads_ = nullptr;
  rocksdb::ColumnFamilyHandle* retired_ids_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> retired_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_

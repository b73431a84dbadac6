// RocksDBStore: the RocksDB database behind a semhash DB, with its column
// families and their tuned options (docs/format.md, "Column families").
//
//   default   the manifest and the encoder model
//   ids       id -> id record
//   postings  table | address | chunk -> posting chunk (merge operator)
//   tails     table | address -> tail record
//   delta     id -> nothing: the ids changed since the live segment was
//             written (format version 2; created by the first read-write
//             open of a version 1 database)
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_

#include <rocksdb/db.h>

#include <memory>
#include <string>

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
  // with every column family above. InvalidArgument naming what is missing
  // if `path` is a RocksDB database without them.
  static Status Open(const RocksDBStoreOptions& options,
                     const std::string& path,
                     std::unique_ptr<RocksDBStore>* out);

  RocksDBStore(const RocksDBStore&) = delete;
  RocksDBStore& operator=(const RocksDBStore&) = delete;
  ~RocksDBStore();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
  rocksdb::ColumnFamilyHandle* ids() const { return ids_; }
  rocksdb::ColumnFamilyHandle* postings() const { return postings_; }
  rocksdb::ColumnFamilyHandle* tails() const { return tails_; }
  // Null only in a read-only open of a version 1 database, which has none.
  rocksdb::ColumnFamilyHandle* delta() const { return delta_; }

 private:
  RocksDBStore() = default;

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* postings_ = nullptr;
  rocksdb::ColumnFamilyHandle* tails_ = nullptr;
  rocksdb::ColumnFamilyHandle* delta_ = nullptr;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_STORE_H_

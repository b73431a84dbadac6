// The checks semhash makes on RocksDB's own files before RocksDB opens a
// database. RocksDB reads a MANIFEST or a write-ahead log that ends inside a
// record as a crash during its last append and silently drops the record;
// and it cannot tell a MANIFEST cut at a record boundary from an older one.
// Either way it would open an older database, and a read-write open would
// then delete the table files the lost records listed. These checks refuse
// such a database with Corruption before anything is deleted
// (docs/durability.md, "MANIFEST" and "Write-ahead log"). It also verifies
// each table file's properties block, which RocksDB parses unchecked
// (rocksdb_table_check.h).
//
// Thread safety: plain functions over files; no RocksDB instance may have
// the database open for writing while they read.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_FILE_CHECKS_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_FILE_CHECKS_H_

#include <string>

#include "semhash/status.h"

namespace semhash {

// The MANIFEST and every write-ahead log in `dir` are whole, but for a
// write-ahead log's torn last record (a crash's doing), and the MANIFEST is
// no shorter and no older than its watermark (manifest_watermark_keeper.h)
// says it was; every table file's properties block matches its checksum.
// Corruption naming the file, the byte and what is wrong.
Status CheckRocksDBFiles(const std::string& dir);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_FILE_CHECKS_H_

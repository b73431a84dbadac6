// A check of one RocksDB table file (.sst) that semhash makes before
// RocksDB opens it: the checksum of its properties block. RocksDB 7.8 reads
// that block without verifying it (an ingested file's global sequence
// number may have been rewritten in place, so it parses first and checks
// after), and a damaged block can then trip an assertion inside RocksDB
// (Debian builds it with assertions): the process aborts instead of
// reporting Corruption. semhash verifies the block itself, with RocksDB's
// own block checksum, and refuses the file with Corruption naming it
// (docs/durability.md, "Table files").
//
// Thread safety: a plain function over a file read with std::ifstream.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_TABLE_CHECK_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_TABLE_CHECK_H_

#include <string>

#include "semhash/status.h"

namespace semhash {

// OK when the table file at `path` has a whole block-based footer whose
// metaindex and properties blocks match their checksums (an ingested file's
// properties block also with its global sequence number read as 0, as
// RocksDB writes it), or when it has no whole footer at all (a table a
// crash cut short before RocksDB named it: RocksDB removes it, or reports
// it if it is live). Corruption naming the file, the block and its offset
// otherwise; IOError if the file cannot be read.
Status CheckTableFile(const std::string& path);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_TABLE_CHECK_H_

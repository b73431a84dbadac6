// Conversion of RocksDB's Status into semhash's closed set of codes.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_STATUS_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_STATUS_H_

#include <rocksdb/status.h>

#include "semhash/status.h"

namespace semhash {

// Corruption stays Corruption; codes semhash has no name for become IOError
// with RocksDB's text, so nothing is silently folded into NotFound. A LOCK
// file held elsewhere becomes an IOError that says the database is in use.
Status FromRocksDB(const rocksdb::Status& s);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_STATUS_H_

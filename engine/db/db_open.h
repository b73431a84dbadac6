// The test-only way into DB::Open with RocksDB's file I/O redirected, so
// that tests can inject I/O errors and crashes underneath a real DB
// (tests/engine/fault_injection_fs.h). Engine-internal: not installed.
#ifndef SEMHASH_ENGINE_DB_DB_OPEN_H_
#define SEMHASH_ENGINE_DB_DB_OPEN_H_

#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "semhash/db.h"
#include "semhash/options.h"
#include "semhash/status.h"

namespace semhash {

// DB::Open, with every file RocksDB creates, reads or writes going through
// `env` (null: the default Env, exactly DB::Open).
// REQUIRES: `env` outlives *db.
Status TEST_OpenDB(const Options& options, const std::string& path,
                   rocksdb::Env* env, std::unique_ptr<DB>* db);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DB_OPEN_H_

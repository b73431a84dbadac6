// The RocksDB info log of a semhash database: DIR/LOG, with the previous
// one kept as DIR/LOG.old once it passes a size cap. semhash gives RocksDB
// this logger instead of RocksDB's own because Debian's librocksdb is built
// with assertions on and its logger asserts that every append succeeds: on
// a full disk, any read-write open aborted the process (issue 16). Here a
// log line that cannot be written is dropped; the disk-full error reaches
// the caller from the write that needed the space.
//
// Thread safety: RocksDB logs from any thread; each line is written whole
// under a mutex.
#ifndef SEMHASH_ENGINE_DB_ROCKSDB_INFO_LOG_H_
#define SEMHASH_ENGINE_DB_ROCKSDB_INFO_LOG_H_

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>

#include "engine/common/mutex.h"
#include "engine/common/thread_annotations.h"

namespace semhash {

class RocksDBInfoLog : public rocksdb::Logger {
 public:
  // Logs to `dir`/LOG. Never fails: if the file cannot be opened, lines
  // are dropped until a rotation can open it.
  RocksDBInfoLog(const std::string& dir, rocksdb::InfoLogLevel level,
                 size_t max_bytes);
  ~RocksDBInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override LOCKS_EXCLUDED(mu_);

 private:
  void RotateIfFull() EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const size_t max_bytes_;
  Mutex mu_;
  std::FILE* file_ GUARDED_BY(mu_) = nullptr;
  size_t bytes_ GUARDED_BY(mu_) = 0;
};

// The info log for a database at `dir`; a read-only open logs nothing, so
// that it writes no byte in the database's directory.
std::shared_ptr<rocksdb::Logger> NewRocksDBInfoLog(const std::string& dir,
                                                   bool read_only);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_ROCKSDB_INFO_LOG_H_

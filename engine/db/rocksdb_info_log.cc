// RocksDBInfoLog (see rocksdb_info_log.h).
#include "engine/db/rocksdb_info_log.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace semhash {
namespace {

constexpr size_t kMaxLogBytes = size_t{4} << 20;

// Drops every line: the info log of a read-only open.
class SilentInfoLog : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

}  // namespace

RocksDBInfoLog::RocksDBInfoLog(const std::string& dir,
                               rocksdb::InfoLogLevel level, size_t max_bytes)
    : rocksdb::Logger(level), path_(dir + "/LOG"), max_bytes_(max_bytes) {
  file_ = std::fopen(path_.c_str(), "a");
  if (file_ != nullptr) {
    std::fseek(file_, 0, SEEK_END);
    const long size = std::ftell(file_);
    bytes_ = size > 0 ? static_cast<size_t>(size) : 0;
  }
}

RocksDBInfoLog::~RocksDBInfoLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void RocksDBInfoLog::RotateIfFull() {
  if (file_ != nullptr && bytes_ < max_bytes_) return;
  if (file_ != nullptr) {
    std::fclose(file_);
    std::rename(path_.c_str(), (path_ + ".old").c_str());
  }
  file_ = std::fopen(path_.c_str(), "w");
  bytes_ = 0;
}

void RocksDBInfoLog::Logv(const char* format, va_list ap) {
  char line[1024];
  timeval now;
  gettimeofday(&now, nullptr);
  tm local;
  localtime_r(&now.tv_sec, &local);
  int n = static_cast<int>(
      std::strftime(line, sizeof(line), "%Y/%m/%d-%H:%M:%S", &local));
  n += std::snprintf(line + n, sizeof(line) - n, ".%06ld ",
                     static_cast<long>(now.tv_usec));
  va_list copy;
  va_copy(copy, ap);
  const int body = std::vsnprintf(line + n, sizeof(line) - n - 1, format, copy);
  va_end(copy);
  if (body < 0) return;
  n = std::min<int>(n + body, sizeof(line) - 2);
  line[n++] = '\n';
  MutexLock lock(&mu_);
  RotateIfFull();
  if (file_ == nullptr) return;
  // A line that cannot be written (a full disk) is dropped on purpose: the
  // info log is advice, and its failure must not fail or abort a write.
  bytes_ += std::fwrite(line, 1, n, file_);
  std::fflush(file_);
}

std::shared_ptr<rocksdb::Logger> NewRocksDBInfoLog(const std::string& dir,
                                                   bool read_only) {
  if (read_only) return std::make_shared<SilentInfoLog>();
  return std::make_shared<RocksDBInfoLog>(
      dir, rocksdb::InfoLogLevel::WARN_LEVEL, kMaxLogBytes);
}

}  // namespace semhash

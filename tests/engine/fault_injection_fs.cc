// FaultInjectionFS (see fault_injection_fs.h).
#include "tests/engine/fault_injection_fs.h"

#include <filesystem>
#include <system_error>
#include <utility>

namespace semhash::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;
using Fault = FaultInjectionFS::Fault;

class FaultyWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                     std::string path, FaultInjectionFS* fs)
      : FSWritableFileOwnerWrapper(std::move(file)),
        path_(std::move(path)),
        fs_(fs) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kFailAppend, path_);
    if (s.ok()) s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Appended(path_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& /*info*/,
                  IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kFailSync, path_);
    if (s.ok()) s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kFailSync, path_);
    if (s.ok()) s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }

 private:
  const std::string path_;
  FaultInjectionFS* const fs_;
};

// Applies a read fault to a read that returned `s` and `*result`.
IOStatus FaultRead(FaultInjectionFS* fs, const std::string& path, IOStatus s,
                   Slice* result) {
  if (!s.ok()) return s;
  if (fs->Trips(Fault::kFailRead, path)) {
    *result = Slice();
    return IOStatus::IOError("injected read failure", path);
  }
  if (fs->Trips(Fault::kShortRead, path)) {
    *result = Slice(result->data(), result->size() / 2);
  }
  return s;
}

class FaultyRandomAccessFile : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultyRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> file,
                         std::string path, FaultInjectionFS* fs)
      : FSRandomAccessFileOwnerWrapper(std::move(file)),
        path_(std::move(path)),
        fs_(fs) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions& options,
                Slice* result, char* scratch,
                IODebugContext* dbg) const override {
    return FaultRead(fs_, path_,
                     target()->Read(offset, n, options, result, scratch, dbg),
                     result);
  }

 private:
  const std::string path_;
  FaultInjectionFS* const fs_;
};

class FaultySequentialFile : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  FaultySequentialFile(std::unique_ptr<rocksdb::FSSequentialFile> file,
                       std::string path, FaultInjectionFS* fs)
      : FSSequentialFileOwnerWrapper(std::move(file)),
        path_(std::move(path)),
        fs_(fs) {}

  IOStatus Read(size_t n, const IOOptions& options, Slice* result,
                char* scratch, IODebugContext* dbg) override {
    return FaultRead(fs_, path_,
                     target()->Read(n, options, result, scratch, dbg), result);
  }

 private:
  const std::string path_;
  FaultInjectionFS* const fs_;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

FaultInjectionFS::FaultInjectionFS()
    : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

void FaultInjectionFS::Inject(Fault fault, const std::string& suffix,
                              uint64_t after) {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = ArmedFault{fault, suffix, after};
}

void FaultInjectionFS::ClearFault() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_.reset();
}

uint64_t FaultInjectionFS::faults_injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_injected_;
}

void FaultInjectionFS::SetActive(bool active) {
  std::lock_guard<std::mutex> lock(mu_);
  active_ = active;
}

IOStatus FaultInjectionFS::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, state] : files_) {
    if (state.size == state.synced) continue;
    // Not target()->Truncate: RocksDB's POSIX file system lacks it.
    std::error_code ec;
    std::filesystem::resize_file(path, state.synced, ec);
    if (ec) return IOStatus::IOError(path, ec.message());
    state.size = state.synced;
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFS::CheckActive() const {
  if (active_) return IOStatus::OK();
  return IOStatus::IOError("file system inactive (simulated crash)");
}

IOStatus FaultInjectionFS::Check(Fault fault, const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const IOStatus s = CheckActive();
    if (!s.ok()) return s;
  }
  if (Trips(fault, path)) return IOStatus::IOError("injected fault", path);
  return IOStatus::OK();
}

bool FaultInjectionFS::Trips(Fault fault, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!armed_ || armed_->fault != fault || !EndsWith(path, armed_->suffix)) {
    return false;
  }
  if (armed_->after > 0) {
    --armed_->after;
    return false;
  }
  ++faults_injected_;
  return true;
}

void FaultInjectionFS::Appended(const std::string& path, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].size += bytes;
}

void FaultInjectionFS::Synced(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  FileState& state = files_[path];
  state.synced = state.size;
}

IOStatus FaultInjectionFS::NewWritableFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = CheckActive();
  if (s.ok()) s = target()->NewWritableFile(path, options, result, dbg);
  if (!s.ok()) return s;
  files_[path] = FileState();
  *result =
      std::make_unique<FaultyWritableFile>(std::move(*result), path, this);
  return s;
}

IOStatus FaultInjectionFS::NewRandomAccessFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* result, IODebugContext* dbg) {
  IOStatus s = target()->NewRandomAccessFile(path, options, result, dbg);
  if (!s.ok()) return s;
  *result =
      std::make_unique<FaultyRandomAccessFile>(std::move(*result), path, this);
  return s;
}

IOStatus FaultInjectionFS::NewSequentialFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSSequentialFile>* result, IODebugContext* dbg) {
  IOStatus s = target()->NewSequentialFile(path, options, result, dbg);
  if (!s.ok()) return s;
  *result =
      std::make_unique<FaultySequentialFile>(std::move(*result), path, this);
  return s;
}

IOStatus FaultInjectionFS::RenameFile(const std::string& from,
                                      const std::string& to,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = CheckActive();
  if (s.ok()) s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  files_.erase(to);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  return s;
}

IOStatus FaultInjectionFS::DeleteFile(const std::string& path,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = CheckActive();
  if (s.ok()) s = target()->DeleteFile(path, options, dbg);
  if (s.ok()) files_.erase(path);
  return s;
}

}  // namespace semhash::testing

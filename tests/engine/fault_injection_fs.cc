// FaultInjectionFS (see fault_injection_fs.h).
#include "tests/engine/fault_injection_fs.h"

#include <filesystem>
#include <fstream>
#include <sstream>
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

// A directory whose fsync makes the changes to its entries durable.
class FaultyDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultyDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, std::string path,
                  FaultInjectionFS* fs)
      : FSDirectoryWrapper(std::move(dir)), path_(std::move(path)), fs_(fs) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->Mutate();
    if (s.ok()) s = FSDirectoryWrapper::Fsync(options, dbg);
    if (s.ok()) fs_->DirectorySynced(path_);
    return s;
  }
  IOStatus FsyncWithDirOptions(
      const IOOptions& options, IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& dir_options) override {
    IOStatus s = fs_->Mutate();
    if (s.ok())
      s = FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_->DirectorySynced(path_);
    return s;
  }

 private:
  const std::string path_;
  FaultInjectionFS* const fs_;
};

// `path` without "." or ".." parts or a trailing '/', so that the paths
// RocksDB builds and the ones a test passes compare equal.
std::string Normal(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

std::string Parent(const std::string& path) {
  return std::filesystem::path(Normal(path)).parent_path().string();
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::optional<std::string> ReadIfFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

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
    // Removed around this file system (a bulk load's staging files).
    if (state.size == state.synced || !Exists(path)) continue;
    // Not target()->Truncate: RocksDB's POSIX file system lacks it.
    std::error_code ec;
    std::filesystem::resize_file(path, state.synced, ec);
    if (ec) return IOStatus::IOError(path, ec.message());
    state.size = state.synced;
  }
  return UndoEntryChanges();
}

IOStatus FaultInjectionFS::UndoEntryChanges() {
  std::error_code ec;
  for (auto it = entry_changes_.rbegin(); it != entry_changes_.rend(); ++it) {
    if (!it->from) {
      std::filesystem::remove_all(it->path, ec);
    } else if (Exists(it->path)) {
      std::filesystem::rename(it->path, *it->from, ec);
    }
    if (!ec && it->replaced) {
      std::ofstream(it->path, std::ios::binary | std::ios::trunc)
          << *it->replaced;
    }
    if (ec) return IOStatus::IOError(it->path, ec.message());
  }
  entry_changes_.clear();
  return IOStatus::OK();
}

void FaultInjectionFS::CrashAfter(uint64_t calls) {
  std::lock_guard<std::mutex> lock(mu_);
  crash_countdown_ = calls;
}

uint64_t FaultInjectionFS::mutations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return mutations_;
}

IOStatus FaultInjectionFS::Mutate() {
  std::lock_guard<std::mutex> lock(mu_);
  return MutateLocked();
}

IOStatus FaultInjectionFS::MutateLocked() {
  if (crash_countdown_ && (*crash_countdown_)-- == 0) {
    crash_countdown_.reset();
    active_ = false;
  }
  if (!active_) {
    return IOStatus::IOError("file system inactive (simulated crash)");
  }
  ++mutations_;
  return IOStatus::OK();
}

void FaultInjectionFS::Created(const std::string& path, bool existed) {
  if (existed) return;
  entry_changes_.push_back(
      {Normal(path), std::nullopt, std::nullopt, {Parent(path)}});
}

void FaultInjectionFS::Moved(const std::string& from, const std::string& to) {
  const std::string prefix = Normal(from) + "/";
  std::map<std::string, FileState> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || it->first.starts_with(prefix)) {
      const std::string rest =
          it->first == from ? "" : it->first.substr(prefix.size() - 1);
      moved[to + rest] = it->second;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, state] : moved) files_[path] = state;
}

void FaultInjectionFS::DirectorySynced(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string dir = Normal(path);
  std::erase_if(entry_changes_, [&](EntryChange& change) {
    change.unsynced_dirs.erase(dir);
    return change.unsynced_dirs.empty();
  });
}

IOStatus FaultInjectionFS::Check(Fault fault, const std::string& path) {
  {
    const IOStatus s = Mutate();
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
  IOStatus s = MutateLocked();
  const bool existed = Exists(path);
  if (s.ok()) s = target()->NewWritableFile(path, options, result, dbg);
  if (!s.ok()) return s;
  Created(path, existed);
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
  IOStatus s = MutateLocked();
  std::optional<std::string> replaced = ReadIfFile(to);
  if (s.ok()) s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  files_.erase(to);
  Moved(from, to);
  entry_changes_.push_back({Normal(to),
                            Normal(from),
                            std::move(replaced),
                            {Parent(from), Parent(to)}});
  return s;
}

IOStatus FaultInjectionFS::DeleteFile(const std::string& path,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = MutateLocked();
  if (s.ok()) s = target()->DeleteFile(path, options, dbg);
  if (s.ok()) files_.erase(path);
  return s;
}

IOStatus FaultInjectionFS::ReopenWritableFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = target()->ReopenWritableFile(path, options, result, dbg);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  // What is there now stays; Appended and Synced track what comes after.
  files_[path] = FileState{ec ? 0 : size, ec ? 0 : size};
  *result =
      std::make_unique<FaultyWritableFile>(std::move(*result), path, this);
  return s;
}

IOStatus FaultInjectionFS::LinkFile(const std::string& from,
                                    const std::string& to,
                                    const IOOptions& options,
                                    IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = MutateLocked();
  if (s.ok()) s = target()->LinkFile(from, to, options, dbg);
  if (s.ok()) Created(to, false);
  return s;
}

IOStatus FaultInjectionFS::CreateDir(const std::string& path,
                                     const IOOptions& options,
                                     IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = MutateLocked();
  if (s.ok()) s = target()->CreateDir(path, options, dbg);
  if (s.ok()) Created(path, false);
  return s;
}

IOStatus FaultInjectionFS::CreateDirIfMissing(const std::string& path,
                                              const IOOptions& options,
                                              IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus s = MutateLocked();
  const bool existed = Exists(path);
  if (s.ok()) s = target()->CreateDirIfMissing(path, options, dbg);
  if (s.ok()) Created(path, existed);
  return s;
}

IOStatus FaultInjectionFS::NewDirectory(
    const std::string& path, const IOOptions& options,
    std::unique_ptr<rocksdb::FSDirectory>* result, IODebugContext* dbg) {
  IOStatus s = target()->NewDirectory(path, options, result, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<FaultyDirectory>(std::move(*result), path, this);
  return s;
}

}  // namespace semhash::testing

// Durable file helpers (see durable_files.h).
#include "engine/durable_files.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace semhash {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& path, std::string_view what) {
  return Status::IOError(path + ": " + std::string(what) + ": " +
                         std::strerror(errno));
}

// Closes fd, keeping the first error.
Status SyncAndClose(int fd, const std::string& path, Status s) {
  if (s.ok() && ::fsync(fd) != 0) s = Errno(path, "fsync failed");
  if (::close(fd) != 0 && s.ok()) s = Errno(path, "close failed");
  return s;
}

Status WriteAll(int fd, const std::string& path, const char* data,
                size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno(path, "write failed");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

int CreateNew(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

// The process id that `name` (target name + infix + "PID-N") was staged by,
// or 0 if it is not such a name.
pid_t StagingOwner(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  pid_t pid = 0;
  size_t i = prefix.size();
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
    pid = pid * 10 + (name[i] - '0');
  }
  return i < name.size() && name[i] == '-' ? pid : 0;
}

}  // namespace

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir, "cannot open to sync");
  return SyncAndClose(fd, dir, Status::OK());
}

Status CopyFilePrefix(const std::string& from, const std::string& to,
                      uint64_t size) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno(from, "cannot open to copy");
  const int out = CreateNew(to);
  if (out < 0) {
    const Status s = Errno(to, "cannot create");
    ::close(in);
    return s;
  }
  Status s;
  std::vector<char> buffer(1 << 20);
  while (s.ok() && size > 0) {
    const ssize_t n =
        ::read(in, buffer.data(),
               static_cast<size_t>(std::min<uint64_t>(size, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = Errno(from, "read failed");
    } else if (n == 0) {
      s = Status::IOError(from + ": shorter than the " + std::to_string(size) +
                          " more bytes to copy");
    } else {
      s = WriteAll(out, to, buffer.data(), static_cast<size_t>(n));
      size -= static_cast<uint64_t>(n);
    }
  }
  ::close(in);
  return SyncAndClose(out, to, s);
}

Status WriteFileSynced(const std::string& path, std::string_view contents) {
  const int fd = CreateNew(path);
  if (fd < 0) return Errno(path, "cannot create");
  return SyncAndClose(fd, path,
                      WriteAll(fd, path, contents.data(), contents.size()));
}

std::string FreshStagingPath(const std::string& target,
                             std::string_view infix) {
  static std::atomic<uint64_t> sequence{0};
  const fs::path path(target);
  const std::string prefix = path.filename().string() + std::string(infix);
  std::vector<fs::path> dead;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path.parent_path(), ec)) {
    const pid_t owner = StagingOwner(entry.path().filename().string(), prefix);
    // kill(pid, 0) fails with ESRCH only when no such process exists.
    if (owner > 0 && owner != ::getpid() && ::kill(owner, 0) != 0 &&
        errno == ESRCH) {
      dead.push_back(entry.path());
    }
  }
  for (const fs::path& stale : dead) fs::remove_all(stale, ec);
  return target + std::string(infix) + std::to_string(::getpid()) + "-" +
         std::to_string(sequence++);
}

}  // namespace semhash

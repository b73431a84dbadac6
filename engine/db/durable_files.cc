// Durable file helpers (see durable_files.h).
#include "engine/db/durable_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

int CreateNew(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

}  // namespace

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

}  // namespace semhash

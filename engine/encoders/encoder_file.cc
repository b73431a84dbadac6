// Model files (semhash/encoder.h: SaveEncoder, LoadEncoderFile), which hold
// exactly one encoder-model frame (format/encoder_frame.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "format/encoder_frame.h"
#include "semhash/encoder.h"

namespace semhash {
namespace {

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return Status::IOError(path + ": fsync failed");
  return Status::OK();
}

}  // namespace

Status SaveEncoder(const Encoder& encoder, const std::string& path) {
  const std::string framed = format::EncodeEncoderFrame(encoder.Serialize());
  const std::string staging = path + ".tmp";
  const int fd = ::open(staging.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError(staging + ": " + std::strerror(errno));
  Status s = WriteAll(fd, framed, staging);
  ::close(fd);
  if (s.ok() && ::rename(staging.c_str(), path.c_str()) != 0) {
    s = Status::IOError(path + ": " + std::strerror(errno));
  }
  if (!s.ok()) ::unlink(staging.c_str());
  return s;
}

Status LoadEncoderFile(const std::string& path, std::unique_ptr<Encoder>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": " + std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path + ": read failed");
  std::string_view model;
  Status s = format::DecodeEncoderFrame(bytes, &model);
  if (s.ok()) s = Encoder::Load(model, out);
  return s.WithContext(path);
}

}  // namespace semhash

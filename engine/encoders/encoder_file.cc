// Encoder frames (encoder_frame.h) and model files (semhash/encoder.h:
// SaveEncoder, LoadEncoderFile), which hold exactly one frame.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/encoders/encoder_frame.h"
#include "format/frame.h"

namespace semhash {
namespace {

constexpr uint8_t kEncoderFrameVersion = 1;

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

std::string EncodeEncoderFrame(const Encoder& encoder) {
  std::string framed;
  format::AppendFrame(format::RecordKind::kEncoderModel, kEncoderFrameVersion,
                      encoder.Serialize(), &framed);
  return framed;
}

Status DecodeEncoderFrame(std::string_view framed, std::string_view* model) {
  format::FrameView frame;
  Status s =
      format::DecodeFrame(format::RecordKind::kEncoderModel, framed, &frame);
  if (!s.ok()) return s.WithContext("encoder model");
  if (frame.version != kEncoderFrameVersion) {
    return Status::Corruption("encoder model: unknown frame version " +
                              std::to_string(frame.version));
  }
  *model = frame.payload;
  return Status::OK();
}

Status SaveEncoder(const Encoder& encoder, const std::string& path) {
  const std::string framed = EncodeEncoderFrame(encoder);
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
  Status s = DecodeEncoderFrame(bytes, &model);
  if (s.ok()) s = Encoder::Load(model, out);
  return s.WithContext(path);
}

}  // namespace semhash

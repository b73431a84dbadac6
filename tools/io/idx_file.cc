// IDX reading through zlib's gzread, which decodes gzip and passes raw files
// through unchanged. Data is read in chunks so a header that lies about its
// size costs no more memory than the file really holds.
#include "tools/io/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "format/coding.h"
#include "tools/io/regular_file.h"

namespace semhash::io {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
// MNIST's training images are 47 MB; a header claiming over 16 GiB is corrupt.
constexpr uint64_t kMaxDataBytes = uint64_t{1} << 34;
constexpr size_t kChunk = size_t{1} << 20;
constexpr uint8_t kMaxRank = 3;  // Images; labels have rank 1.

struct GzCloser {
  // Closing a file opened for reading cannot lose data: result ignored.
  void operator()(gzFile file) const { (void)gzclose(file); }
};

std::string Hex32(const uint8_t* p) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%02x%02x%02x%02x", p[0], p[1], p[2], p[3]);
  return buf;
}

// A sequential reader over one IDX file. Messages omit the path, which the
// public functions add; offset() counts decoded bytes, for those messages.
class IdxStream {
 public:
  Status Open(const std::string& path);
  // Reads and checks the header; on success dims->size() == rank.
  // REQUIRES: rank <= kMaxRank.
  Status ReadHeader(uint8_t rank, const char* kind, std::vector<size_t>* dims);
  // Appends up to n bytes to *out; fewer only at the end of the data.
  Status Read(size_t n, std::vector<uint8_t>* out);
  // Discards up to n bytes; fewer only at the end of the data.
  Status Skip(size_t n);
  uint64_t offset() const { return offset_; }

 private:
  // Reads up to n <= kChunk bytes; *got < n only at the end of the data.
  Status ReadSome(void* buf, size_t n, size_t* got);
  Status StreamError() const;

  std::unique_ptr<gzFile_s, GzCloser> file_;
  uint64_t offset_ = 0;
};

Status IdxStream::Open(const std::string& path) {
  Status s = CheckRegularFile(path);
  if (!s.ok()) return s;
  errno = 0;
  file_.reset(gzopen(path.c_str(), "rb"));
  if (file_ != nullptr) return Status::OK();
  const int err = errno;
  return Status::IOError(std::string("cannot open: ") +
                         (err != 0 ? std::strerror(err) : "out of memory"));
}

Status IdxStream::StreamError() const {
  int errnum = Z_OK;
  const char* msg = gzerror(file_.get(), &errnum);
  // Z_BUF_ERROR is a gzip stream cut short: the caller reports truncation.
  if (errnum == Z_OK || errnum == Z_BUF_ERROR) return Status::OK();
  const std::string where = " after " + std::to_string(offset_) + " bytes";
  if (errnum == Z_ERRNO) {
    return Status::IOError("read failed" + where + ": " + std::strerror(errno));
  }
  if (errnum == Z_DATA_ERROR) {
    return Status::Corruption("corrupt gzip stream" + where + ": " + msg);
  }
  return Status::IOError("gzip error" + where + ": " + msg);
}

Status IdxStream::ReadSome(void* buf, size_t n, size_t* got) {
  const int r = gzread(file_.get(), buf, static_cast<unsigned>(n));
  *got = r > 0 ? static_cast<size_t>(r) : 0;
  offset_ += *got;
  if (*got == n) return Status::OK();
  Status s = StreamError();
  if (s.ok() && r < 0) return Status::IOError("gzread failed");
  return s;
}

Status IdxStream::Read(size_t n, std::vector<uint8_t>* out) {
  while (n > 0) {
    const size_t want = std::min(n, kChunk);
    const size_t old_size = out->size();
    out->resize(old_size + want);
    size_t got = 0;
    Status s = ReadSome(out->data() + old_size, want, &got);
    out->resize(old_size + got);
    if (!s.ok() || got < want) return s;
    n -= got;
  }
  return Status::OK();
}

Status IdxStream::Skip(size_t n) {
  std::vector<uint8_t> scratch(std::min(n, kChunk));
  while (n > 0) {
    const size_t want = std::min(n, kChunk);
    size_t got = 0;
    Status s = ReadSome(scratch.data(), want, &got);
    if (!s.ok() || got < want) return s;
    n -= got;
  }
  return Status::OK();
}

// Checks every dimension is non-zero and the data size is plausible.
Status CheckDims(const std::vector<size_t>& dims) {
  uint64_t total = 1;
  std::string shape;
  for (size_t i = 0; i < dims.size(); ++i) {
    shape += (i == 0 ? "" : "x") + std::to_string(dims[i]);
    if (dims[i] == 0) {
      return Status::InvalidArgument("dimension " + std::to_string(i) +
                                     " is 0 in the header");
    }
    total =
        total > kMaxDataBytes / dims[i] ? kMaxDataBytes + 1 : total * dims[i];
  }
  if (total <= kMaxDataBytes) return Status::OK();
  return Status::InvalidArgument("header dimensions " + shape +
                                 " exceed the 2^34-byte limit; the header "
                                 "is probably corrupt");
}

// Checks the 4-byte magic: two zero bytes, the element type and the rank.
Status CheckMagic(const uint8_t* magic, uint8_t rank, const char* kind) {
  char text[64];
  if (magic[0] != 0 || magic[1] != 0) {
    std::snprintf(text, sizeof(text), "expected 0x000008%02x, found ", rank);
    return Status::InvalidArgument("not an IDX file: bad magic, " +
                                   std::string(text) + Hex32(magic));
  }
  if (magic[2] != kUnsignedByte) {
    std::snprintf(text, sizeof(text), "0x%02x", magic[2]);
    return Status::InvalidArgument("unsupported element type " +
                                   std::string(text) +
                                   ": only 0x08 (unsigned byte) is supported");
  }
  if (magic[3] != rank) {
    return Status::InvalidArgument("expected " + std::to_string(rank) +
                                   " dimension(s) for an IDX " + kind +
                                   " file, found " + std::to_string(magic[3]));
  }
  return Status::OK();
}

Status IdxStream::ReadHeader(uint8_t rank, const char* kind,
                             std::vector<size_t>* dims) {
  const size_t header_size = 4 + 4 * size_t{rank};
  uint8_t magic[4];
  uint8_t raw[4 * kMaxRank];
  size_t got = 0;
  Status s = ReadSome(magic, sizeof(magic), &got);
  if (s.ok() && got == sizeof(magic)) s = CheckMagic(magic, rank, kind);
  if (s.ok() && got == sizeof(magic)) s = ReadSome(raw, 4 * rank, &got);
  if (!s.ok()) return s;
  if (offset_ < header_size) {
    return Status::InvalidArgument(
        "truncated: file ends after " + std::to_string(offset_) +
        " bytes, inside the " + std::to_string(header_size) +
        "-byte IDX header");
  }
  dims->clear();
  for (uint8_t i = 0; i < rank; ++i) {
    dims->push_back(format::GetBigEndian<uint32_t>(
        reinterpret_cast<const char*>(raw + 4 * i)));
  }
  return CheckDims(*dims);
}

Status ReadImages(const std::string& path, size_t first, size_t limit,
                  IdxImages* out) {
  IdxStream in;
  std::vector<size_t> dims;
  Status s = in.Open(path);
  if (s.ok()) s = in.ReadHeader(3, "images", &dims);
  if (!s.ok()) return s;
  const size_t count = dims[0];
  const size_t dim = dims[1] * dims[2];
  if (first > count) {
    return Status::InvalidArgument("first image " + std::to_string(first) +
                                   " is beyond the " + std::to_string(count) +
                                   " images in the file");
  }
  const size_t n = limit == 0 ? count - first : std::min(limit, count - first);
  IdxImages images;
  images.count = n;
  images.rows = dims[1];
  images.cols = dims[2];
  s = in.Skip(first * dim);
  if (s.ok()) s = in.Read(n * dim, &images.pixels);
  if (!s.ok()) return s;
  const uint64_t want = 16 + uint64_t{first + n} * dim;
  if (in.offset() < want) {
    return Status::InvalidArgument(
        "truncated: header says " + std::to_string(count) + " images of " +
        std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
        ", file ends after " + std::to_string(in.offset()) + " bytes (" +
        std::to_string(want) + " needed to reach image " +
        std::to_string(first + n) + ")");
  }
  *out = std::move(images);
  return Status::OK();
}

Status ReadLabels(const std::string& path, std::vector<uint8_t>* labels) {
  IdxStream in;
  std::vector<size_t> dims;
  Status s = in.Open(path);
  if (s.ok()) s = in.ReadHeader(1, "labels", &dims);
  std::vector<uint8_t> data;
  if (s.ok()) s = in.Read(dims[0], &data);
  if (!s.ok()) return s;
  if (data.size() < dims[0]) {
    return Status::InvalidArgument(
        "truncated: header says " + std::to_string(dims[0]) +
        " labels, file ends after " + std::to_string(in.offset()) + " bytes (" +
        std::to_string(8 + dims[0]) + " needed)");
  }
  *labels = std::move(data);
  return Status::OK();
}

}  // namespace

Status ReadIdxImages(const std::string& path, size_t first, size_t limit,
                     IdxImages* out) {
  return ReadImages(path, first, limit, out).WithContext(path);
}

Status ReadIdxLabels(const std::string& path, std::vector<uint8_t>* labels) {
  return ReadLabels(path, labels).WithContext(path);
}

}  // namespace semhash::io

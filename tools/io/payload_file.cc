// Payload files (see payload_file.h).
#include "tools/io/payload_file.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "tools/io/npy_file.h"
#include "tools/io/regular_file.h"

namespace semhash::io {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string RowText(size_t row) { return "row " + std::to_string(row); }

// The element size of a '|S<n>' or '<U<n>' descr (n bytes, or n UTF-32
// code points); InvalidArgument for any other.
Status StringItemSize(const std::string& descr, bool* unicode, size_t* size) {
  const bool bytes = descr.starts_with("|S") || descr.starts_with("S");
  *unicode = descr.starts_with("<U");
  if (!bytes && !*unicode) {
    return Status::InvalidArgument(
        "expected a 1-D array of strings ('|S<n>' bytes or '<U<n>' unicode), "
        "found '" +
        descr + "'");
  }
  const char* begin = descr.data() + descr.find_first_of("SU") + 1;
  const char* end = descr.data() + descr.size();
  size_t n = 0;
  if (std::from_chars(begin, end, n).ptr != end || n == 0) {
    return Status::InvalidArgument("malformed string dtype '" + descr + "'");
  }
  *size = *unicode ? 4 * n : n;
  return Status::OK();
}

// One UTF-32 code point as UTF-8; InvalidArgument for a surrogate or a
// value past U+10FFFF.
Status AppendUtf8(uint32_t c, std::string* out) {
  if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
    return Status::InvalidArgument("not a unicode code point: " +
                                   std::to_string(c));
  }
  if (c < 0x80) {
    *out += char(c);
  } else if (c < 0x800) {
    *out += char(0xc0 | c >> 6);
    *out += char(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    *out += char(0xe0 | c >> 12);
    *out += char(0x80 | (c >> 6 & 0x3f));
    *out += char(0x80 | (c & 0x3f));
  } else {
    *out += char(0xf0 | c >> 18);
    *out += char(0x80 | (c >> 12 & 0x3f));
    *out += char(0x80 | (c >> 6 & 0x3f));
    *out += char(0x80 | (c & 0x3f));
  }
  return Status::OK();
}

// One element of a string array, its trailing NULs removed as numpy does.
Status DecodeElement(const uint8_t* p, size_t size, bool unicode, size_t row,
                     std::string* out) {
  out->clear();
  if (!unicode) {
    size_t n = size;
    while (n > 0 && p[n - 1] == 0) --n;
    out->assign(reinterpret_cast<const char*>(p), n);
    return Status::OK();
  }
  size_t n = size / 4;
  while (n > 0 && p[4 * n - 4] == 0 && p[4 * n - 3] == 0 && p[4 * n - 2] == 0 &&
         p[4 * n - 1] == 0) {
    --n;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = p[4 * i] | p[4 * i + 1] << 8 | p[4 * i + 2] << 16 |
                       uint32_t{p[4 * i + 3]} << 24;
    Status s = AppendUtf8(c, out);
    if (!s.ok()) return s.WithContext(RowText(row));
  }
  return Status::OK();
}

Status ReadNpyPayloads(const std::string& path,
                       std::vector<std::string>* payloads) {
  NpyHeader header;
  Status s = ReadNpyHeader(path, &header);
  if (!s.ok()) return s;
  bool unicode = false;
  size_t size = 0;
  s = StringItemSize(header.descr, &unicode, &size);
  if (s.ok() && header.shape.size() != 1) {
    s = Status::InvalidArgument("expected a 1-D array, found " +
                                std::to_string(header.shape.size()) +
                                " dimensions");
  }
  uint64_t bytes = 0;
  if (s.ok()) s = CheckNpyDataSize(header, size, &bytes);
  if (!s.ok()) return s.WithContext(path);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  std::vector<uint8_t> data(bytes);
  if (file == nullptr ||
      std::fseek(file.get(), long(header.data_offset), SEEK_SET) != 0 ||
      std::fread(data.data(), 1, bytes, file.get()) != bytes) {
    return Status::IOError(path + ": read failed");
  }
  std::vector<std::string> out(header.shape[0]);
  for (size_t row = 0; row < out.size(); ++row) {
    s = DecodeElement(&data[row * size], size, unicode, row, &out[row]);
    if (!s.ok()) return s.WithContext(path);
  }
  *payloads = std::move(out);
  return Status::OK();
}

Status ReadTextPayloads(const std::string& path,
                        std::vector<std::string>* payloads) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open");
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("read failed");
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  *payloads = std::move(out);
  return Status::OK();
}

Status WriteNpyPayloads(const std::string& path,
                        const std::vector<std::string>& payloads) {
  size_t width = 1;  // numpy has no '|S0'.
  for (size_t row = 0; row < payloads.size(); ++row) {
    if (!payloads[row].empty() && payloads[row].back() == '\0') {
      return Status::InvalidArgument(RowText(row) +
                                     ": the payload ends in a NUL byte, which "
                                     "a numpy byte string drops")
          .WithContext(path);
    }
    width = std::max(width, payloads[row].size());
  }
  std::vector<char> data(payloads.size() * width, '\0');
  for (size_t row = 0; row < payloads.size(); ++row) {
    payloads[row].copy(&data[row * width], width);
  }
  return WriteNpyOfDescr(path, "|S" + std::to_string(width), width,
                         {payloads.size()}, data.data());
}

Status WriteTextPayloads(const std::string& path,
                         const std::vector<std::string>& payloads) {
  std::string text;
  for (size_t row = 0; row < payloads.size(); ++row) {
    if (payloads[row].find('\n') != std::string::npos) {
      return Status::InvalidArgument(
          RowText(row) +
          ": the payload holds a newline; write payloads to a .npy file");
    }
    text += payloads[row];
    text += '\n';
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (file == nullptr) return Status::IOError("cannot create");
  const bool written =
      std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
  const bool closed = std::fclose(file.release()) == 0;
  if (written && closed) return Status::OK();
  (void)std::remove(path.c_str());  // A partial file would read as fewer rows.
  return Status::IOError("write failed");
}

}  // namespace

Status ReadPayloads(const std::string& path,
                    std::vector<std::string>* payloads) {
  const Status s = CheckRegularFile(path);
  if (!s.ok()) return s.WithContext(path);
  if (PayloadFormatOf(path) == PayloadFormat::kNpy) {
    return ReadNpyPayloads(path, payloads);
  }
  return ReadTextPayloads(path, payloads).WithContext(path);
}

PayloadFormat PayloadFormatOf(const std::string& name) {
  return name.ends_with(".npy") ? PayloadFormat::kNpy : PayloadFormat::kText;
}

Status WritePayloads(const std::string& path, PayloadFormat format,
                     const std::vector<std::string>& payloads) {
  if (format == PayloadFormat::kNpy) return WriteNpyPayloads(path, payloads);
  return WriteTextPayloads(path, payloads).WithContext(path);
}

}  // namespace semhash::io

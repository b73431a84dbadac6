// .npy reading and writing. The file is: "\x93NUMPY", major and minor
// version bytes, the header length (u16 LE for 1.0, u32 LE for 2.0 and 3.0),
// a Python dict literal padded with spaces and ended by '\n', then the data.
#include "tools/io/npy_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>

#include "format/coding.h"
#include "tools/io/regular_file.h"

namespace semhash::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "npy data is copied as stored; a big-endian host needs swaps");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;

struct TypeInfo {
  NpyType type;
  const char* descr;
  size_t size;
};

constexpr TypeInfo kTypes[] = {
    {NpyType::kUint8, "|u1", 1},   {NpyType::kUint32, "<u4", 4},
    {NpyType::kUint64, "<u8", 8},  {NpyType::kInt64, "<i8", 8},
    {NpyType::kFloat32, "<f4", 4}, {NpyType::kFloat64, "<f8", 8},
};

const TypeInfo* FindType(NpyType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

Status ParseDescr(const std::string& descr, NpyType* type) {
  for (const TypeInfo& info : kTypes) {
    if (descr == info.descr) {
      *type = info.type;
      return Status::OK();
    }
  }
  if (descr == "<u1") {
    *type = NpyType::kUint8;
    return Status::OK();
  }
  if (descr.size() == 3 && descr[0] == '>' && descr[2] != '1') {
    return Status::InvalidArgument("big-endian dtype '" + descr +
                                   "' is not supported; save a little-endian "
                                   "copy with arr.astype(arr.dtype."
                                   "newbyteorder('<'))");
  }
  return Status::InvalidArgument(
      "unsupported dtype '" + descr +
      "' (supported: '|u1', '<u4', '<u8', '<i8', '<f4', '<f8')");
}

// Python's repr of a shape tuple: (), (3,), (3, 32).
std::string ShapeRepr(const std::vector<size_t>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + (shape.size() == 1 ? ",)" : ")");
}

// Bytes of data for `shape` of `item_size`-byte elements, if it fits.
Status DataBytes(const std::vector<size_t>& shape, size_t item_size,
                 uint64_t* bytes) {
  uint64_t total = item_size;
  for (size_t dim : shape) {
    if (__builtin_mul_overflow(total, uint64_t{dim}, &total)) {
      return Status::InvalidArgument("shape " + ShapeRepr(shape) +
                                     " overflows 64 bits");
    }
  }
  *bytes = total;
  return Status::OK();
}

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<size_t> shape;
};

// Parses the header dict as numpy writes it and as Python would read it:
// {'descr': '<u1', 'fortran_order': False, 'shape': (3, 32), }
// Keys in any order, either quote style, any whitespace, trailing commas.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}
  Status Parse(Header* header);

 private:
  Status ParseEntry(Header* header, unsigned* seen);
  Status ParseString(std::string* out);
  Status ParseBool(bool* out);
  Status ParseShape(std::vector<size_t>* out);
  Status ParseSize(size_t* out);
  // Skips whitespace, then consumes `c` if it is next.
  bool Consume(char c);
  void SkipSpace();
  Status Expected(std::string_view what) const;

  std::string_view text_;
  size_t pos_ = 0;
};

void HeaderParser::SkipSpace() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                 text_[pos_] == '\r' || text_[pos_] == '\n')) {
    ++pos_;
  }
}

bool HeaderParser::Consume(char c) {
  SkipSpace();
  if (pos_ >= text_.size() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

Status HeaderParser::Expected(std::string_view what) const {
  std::string found = "the end of the header";
  if (pos_ < text_.size()) {
    const unsigned char c = text_[pos_];
    char buf[8];
    std::snprintf(buf, sizeof(buf), c >= 0x20 && c < 0x7f ? "'%c'" : "0x%02x",
                  c);
    found = buf;
  }
  return Status::InvalidArgument("header: expected " + std::string(what) +
                                 " at byte " + std::to_string(pos_) +
                                 ", found " + found);
}

Status HeaderParser::Parse(Header* header) {
  if (!Consume('{')) return Expected("'{'");
  unsigned seen = 0;
  while (!Consume('}')) {
    Status s = ParseEntry(header, &seen);
    if (!s.ok()) return s;
    if (Consume(',')) continue;
    if (Consume('}')) break;
    return Expected("',' or '}'");
  }
  SkipSpace();
  if (pos_ != text_.size()) return Expected("only padding after the dict");
  if (seen != 7) {
    return Status::InvalidArgument(
        "header: missing key; expected 'descr', 'fortran_order' and 'shape'");
  }
  return Status::OK();
}

Status HeaderParser::ParseEntry(Header* header, unsigned* seen) {
  std::string key;
  Status s = ParseString(&key);
  if (s.ok() && !Consume(':')) s = Expected("':' after '" + key + "'");
  if (!s.ok()) return s;
  unsigned bit = 0;
  if (key == "descr") {
    bit = 1;
    if (Consume('[')) {
      return Status::InvalidArgument(
          "header: structured dtypes are not supported");
    }
    s = ParseString(&header->descr);
  } else if (key == "fortran_order") {
    bit = 2;
    s = ParseBool(&header->fortran_order);
  } else if (key == "shape") {
    bit = 4;
    s = ParseShape(&header->shape);
  } else {
    return Status::InvalidArgument("header: unexpected key '" + key + "'");
  }
  if (*seen & bit) {
    return Status::InvalidArgument("header: duplicate key '" + key + "'");
  }
  *seen |= bit;
  return s;
}

Status HeaderParser::ParseString(std::string* out) {
  SkipSpace();
  if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
    return Expected("a quoted string");
  }
  const char quote = text_[pos_++];
  const size_t end = text_.find(quote, pos_);
  if (end == std::string_view::npos) return Expected("a closing quote");
  out->assign(text_.substr(pos_, end - pos_));
  pos_ = end + 1;
  return Status::OK();
}

Status HeaderParser::ParseBool(bool* out) {
  SkipSpace();
  for (const bool value : {true, false}) {
    const std::string_view word = value ? "True" : "False";
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      *out = value;
      return Status::OK();
    }
  }
  return Expected("True or False");
}

Status HeaderParser::ParseShape(std::vector<size_t>* out) {
  if (!Consume('(')) return Expected("'(' to open the shape");
  out->clear();
  while (!Consume(')')) {
    size_t dim = 0;
    Status s = ParseSize(&dim);
    if (!s.ok()) return s;
    out->push_back(dim);
    if (Consume(',')) continue;
    if (Consume(')')) break;
    return Expected("',' or ')' in the shape");
  }
  return Status::OK();
}

Status HeaderParser::ParseSize(size_t* out) {
  SkipSpace();
  const size_t start = pos_;
  size_t value = 0;
  for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
       ++pos_) {
    const size_t digit = text_[pos_] - '0';
    if (__builtin_mul_overflow(value, size_t{10}, &value) ||
        __builtin_add_overflow(value, digit, &value)) {
      return Status::InvalidArgument("header: shape dimension overflows");
    }
  }
  if (pos_ == start) return Expected("a non-negative integer");
  if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long.
  *out = value;
  return Status::OK();
}

struct FileCloser {
  // Closing a file opened for reading cannot lose data: result ignored.
  void operator()(std::FILE* file) const { (void)std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Status ErrnoStatus(const char* what, int err) {
  return Status::IOError(std::string(what) + ": " + std::strerror(err));
}

// Reads exactly n bytes; a short read is reported as `truncated`.
Status ReadExact(std::FILE* file, void* buf, size_t n) {
  if (std::fread(buf, 1, n, file) == n) return Status::OK();
  if (std::ferror(file)) return ErrnoStatus("read failed", errno);
  return Status::InvalidArgument("truncated: file changed while reading");
}

// Checks the first `got` (at most 8) bytes: magic and format version.
Status CheckMagic(const uint8_t* pre, size_t got) {
  if (std::memcmp(pre, kMagic, std::min(got, kMagicLen)) != 0) {
    char found[32];
    std::snprintf(found, sizeof(found), "%02x %02x %02x %02x %02x %02x", pre[0],
                  pre[1], pre[2], pre[3], pre[4], pre[5]);
    const bool zip = pre[0] == 'P' && pre[1] == 'K';
    return Status::InvalidArgument(
        std::string("not a .npy file: expected magic 93 4e 55 4d 50 59 "
                    "(\\x93NUMPY), found ") +
        found + (zip ? " (a zip archive: .npz? extract the array first)" : ""));
  }
  if (got < 8) {
    return Status::InvalidArgument("truncated: file ends after " +
                                   std::to_string(got) +
                                   " bytes, inside the .npy preamble");
  }
  if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
    return Status::InvalidArgument(
        "unsupported .npy format version " + std::to_string(pre[6]) + "." +
        std::to_string(pre[7]) + " (expected 1.0, 2.0 or 3.0)");
  }
  return Status::OK();
}

// Reads the magic, version and header; *data_offset is where data starts.
Status ReadPreamble(std::FILE* file, uint64_t file_size, std::string* header,
                    uint64_t* data_offset) {
  uint8_t pre[12] = {};
  Status s = CheckMagic(pre, std::fread(pre, 1, 8, file));
  const size_t len_size = pre[6] == 1 ? 2 : 4;
  if (s.ok() && file_size < 8 + len_size) {
    s = Status::InvalidArgument(
        "truncated: file ends inside the .npy header length");
  }
  if (s.ok()) s = ReadExact(file, pre + 8, len_size);
  if (!s.ok()) return s;
  const char* len = reinterpret_cast<const char*>(pre + 8);
  const uint64_t header_len = len_size == 2
                                  ? format::GetLittleEndian<uint16_t>(len)
                                  : format::GetLittleEndian<uint32_t>(len);
  *data_offset = 8 + len_size + header_len;
  if (*data_offset > file_size) {
    return Status::InvalidArgument(
        "truncated: header length says data starts at byte " +
        std::to_string(*data_offset) + ", file ends after " +
        std::to_string(file_size) + " bytes");
  }
  header->resize(header_len);
  return ReadExact(file, header->data(), header_len);
}

// Opens `path` and reads everything before the data, leaving *file there.
Status OpenAndReadHeader(const std::string& path, FilePtr* file,
                         NpyHeader* out) {
  const Status regular = CheckRegularFile(path);
  if (!regular.ok()) return regular;
  file->reset(std::fopen(path.c_str(), "rb"));
  if (*file == nullptr) return ErrnoStatus("cannot open", errno);
  NpyHeader result;
  std::error_code ec;
  result.file_size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot get file size: " + ec.message());
  std::string text;
  Header header;
  Status s =
      ReadPreamble(file->get(), result.file_size, &text, &result.data_offset);
  if (s.ok()) s = HeaderParser(text).Parse(&header);
  if (!s.ok()) return s;
  if (header.fortran_order) {
    return Status::InvalidArgument(
        "fortran_order is True; only C order is supported (save "
        "np.ascontiguousarray(arr))");
  }
  result.descr = std::move(header.descr);
  result.shape = std::move(header.shape);
  *out = std::move(result);
  return Status::OK();
}

Status Read(const std::string& path, NpyArray* out) {
  FilePtr file;
  NpyHeader header;
  NpyArray array;
  uint64_t bytes = 0;
  Status s = OpenAndReadHeader(path, &file, &header);
  if (s.ok()) s = ParseDescr(header.descr, &array.type);
  if (s.ok()) s = CheckNpyDataSize(header, FindType(array.type)->size, &bytes);
  if (!s.ok()) return s;
  array.shape = std::move(header.shape);
  array.data.resize(bytes);
  s = ReadExact(file.get(), array.data.data(), bytes);
  if (!s.ok()) return s;
  *out = std::move(array);
  return Status::OK();
}

// Checks a typed reader's expectation; messages read "expected <what>".
Status CheckKind(const NpyArray& array, std::initializer_list<NpyType> types,
                 const char* expected_type, size_t rank) {
  bool type_ok = false;
  for (NpyType type : types) type_ok = type_ok || array.type == type;
  if (!type_ok) {
    return Status::InvalidArgument(std::string("expected dtype ") +
                                   expected_type + ", found '" +
                                   FindType(array.type)->descr + "'");
  }
  if (array.shape.size() != rank) {
    return Status::InvalidArgument("expected a " + std::to_string(rank) +
                                   "-D array, found shape " +
                                   ShapeRepr(array.shape));
  }
  return Status::OK();
}

template <typename T>
std::vector<T> ToVector(const std::vector<uint8_t>& bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// `values` were read as int64: ids must not be negative.
Status CheckNonNegative(const std::vector<uint64_t>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const auto value = static_cast<int64_t>(values[i]);
    if (value < 0) {
      return Status::InvalidArgument(
          "row " + std::to_string(i) + " holds negative value " +
          std::to_string(value) + "; int64 values must be non-negative");
    }
  }
  return Status::OK();
}

// Numpy's header: the dict, spaces up to a 64-byte boundary, then '\n'.
std::string BuildHeader(const char* descr, const std::vector<size_t>& shape) {
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + ShapeRepr(shape) +
                     ", }";
  const size_t unpadded = kMagicLen + 2 + 2 + dict.size() + 1;
  // Like numpy, pads a full kAlign when already aligned.
  dict.append(kAlign - unpadded % kAlign, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  format::PutLittleEndian(&out, static_cast<uint16_t>(dict.size()));
  return out + dict;
}

Status WriteFile(const std::string& path, const std::string& header,
                 const void* data, size_t bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return ErrnoStatus("cannot create", errno);
  const bool written =
      std::fwrite(header.data(), 1, header.size(), file) == header.size() &&
      (bytes == 0 || std::fwrite(data, 1, bytes, file) == bytes);
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (written && closed) return Status::OK();
  const int err = written ? errno : write_errno;
  // A partial file would later read as truncated; better none at all.
  (void)std::remove(path.c_str());
  return ErrnoStatus("write failed", err);
}

Status Write(const std::string& path, const std::string& descr,
             size_t item_size, const std::vector<size_t>& shape,
             const void* data) {
  uint64_t bytes = 0;
  Status s = DataBytes(shape, item_size, &bytes);
  if (!s.ok()) return s;
  if (data == nullptr && bytes > 0) {
    return Status::InvalidArgument("data is null for " + std::to_string(bytes) +
                                   " bytes");
  }
  const std::string header = BuildHeader(descr.c_str(), shape);
  if (header.size() - 10 > 0xffff) {
    return Status::InvalidArgument("shape " + ShapeRepr(shape) +
                                   " is too long for a format 1.0 header");
  }
  return WriteFile(path, header, data, bytes);
}

}  // namespace

Status ReadNpy(const std::string& path, NpyArray* out) {
  return Read(path, out).WithContext(path);
}

Status ReadNpyHeader(const std::string& path, NpyHeader* out) {
  FilePtr file;
  return OpenAndReadHeader(path, &file, out).WithContext(path);
}

Status CheckNpyDataSize(const NpyHeader& header, size_t item_size,
                        uint64_t* bytes) {
  Status s = DataBytes(header.shape, item_size, bytes);
  if (!s.ok()) return s;
  const uint64_t have = header.file_size - header.data_offset;
  const std::string expected =
      std::to_string(*bytes) + " bytes of data for shape " +
      ShapeRepr(header.shape) + " of '" + header.descr + "'";
  if (have < *bytes) {
    return Status::InvalidArgument("truncated: header says " + expected +
                                   ", file has " + std::to_string(have) +
                                   " after the header");
  }
  if (have > *bytes) {
    return Status::InvalidArgument(
        "trailing garbage: " + std::to_string(have - *bytes) +
        " bytes after the " + expected);
  }
  return Status::OK();
}

Status ReadNpyMatrixU8(const std::string& path, size_t* rows, size_t* cols,
                       std::vector<uint8_t>* data) {
  NpyArray array;
  Status s = ReadNpy(path, &array);
  if (!s.ok()) return s;
  s = CheckKind(array, {NpyType::kUint8}, "uint8 ('|u1' or '<u1')", 2);
  if (!s.ok()) return s.WithContext(path);
  *rows = array.shape[0];
  *cols = array.shape[1];
  *data = std::move(array.data);
  return Status::OK();
}

Status ReadNpyVectorU32(const std::string& path, std::vector<uint32_t>* data) {
  NpyArray array;
  Status s = ReadNpy(path, &array);
  if (!s.ok()) return s;
  s = CheckKind(array, {NpyType::kUint32}, "uint32 ('<u4')", 1);
  if (!s.ok()) return s.WithContext(path);
  *data = ToVector<uint32_t>(array.data);
  return Status::OK();
}

Status ReadNpyVectorU64(const std::string& path, std::vector<uint64_t>* data) {
  NpyArray array;
  Status s = ReadNpy(path, &array);
  if (!s.ok()) return s;
  s = CheckKind(array, {NpyType::kUint64, NpyType::kInt64},
                "uint64 ('<u8') or int64 ('<i8')", 1);
  std::vector<uint64_t> values;
  if (s.ok()) values = ToVector<uint64_t>(array.data);
  if (s.ok() && array.type == NpyType::kInt64) s = CheckNonNegative(values);
  if (!s.ok()) return s.WithContext(path);
  *data = std::move(values);
  return Status::OK();
}

Status WriteNpy(const std::string& path, NpyType type,
                const std::vector<size_t>& shape, const void* data) {
  const TypeInfo* info = FindType(type);
  if (info == nullptr) return Status::InvalidArgument("unknown NpyType");
  return Write(path, info->descr, info->size, shape, data).WithContext(path);
}

Status WriteNpyOfDescr(const std::string& path, const std::string& descr,
                       size_t item_size, const std::vector<size_t>& shape,
                       const void* data) {
  return Write(path, descr, item_size, shape, data).WithContext(path);
}

}  // namespace semhash::io

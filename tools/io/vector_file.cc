// Feature and label reading. IDX goes through idx_file; .npy, .fvecs and
// .bvecs share one reader: each is a run of equal rows from a data offset,
// a .fvecs/.bvecs row being its 4-byte dimension followed by the values.
#include "tools/io/vector_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>

#include "tools/io/idx_file.h"
#include "tools/io/npy_file.h"
#include "tools/io/regular_file.h"

namespace semhash::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "values are copied as stored; a big-endian host needs swaps");

constexpr uint64_t kMaxLabel = std::numeric_limits<int32_t>::max();
constexpr size_t kDimBytes = 4;  // The int32 leading each .fvecs/.bvecs row.

enum class Format { kIdx, kNpy, kFvecs, kBvecs };

Format FormatOf(const std::string& path) {
  if (path.ends_with(".npy")) return Format::kNpy;
  if (path.ends_with(".fvecs")) return Format::kFvecs;
  if (path.ends_with(".bvecs")) return Format::kBvecs;
  return Format::kIdx;
}

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

Status CheckFloat(double value, size_t row, size_t col) {
  std::string problem;
  if (std::isnan(value)) {
    problem = "is NaN";
  } else if (std::isinf(value)) {
    problem = "is infinite";
  } else if (std::fabs(value) > std::numeric_limits<float>::max()) {
    char text[64];
    std::snprintf(text, sizeof(text), "holds %g, which overflows float32",
                  value);
    problem = text;
  } else {
    return Status::OK();
  }
  return Status::InvalidArgument("row " + std::to_string(row) + ", column " +
                                 std::to_string(col) + " " + problem);
}

// Converts one row of `dim` values of type T to float.
template <typename T>
Status RowToFloats(const uint8_t* raw, size_t row, size_t dim, float* out) {
  for (size_t col = 0; col < dim; ++col) {
    const T value = Load<T>(raw + col * sizeof(T));
    if constexpr (std::is_floating_point_v<T>) {
      Status s = CheckFloat(value, row, col);
      if (!s.ok()) return s;
    }
    out[col] = static_cast<float>(value);
  }
  return Status::OK();
}

// Converts n labels of type T, each of which must lie in [0, 2^31).
template <typename T>
Status ToLabels(const uint8_t* raw, size_t n, std::vector<int32_t>* out) {
  std::vector<int32_t> labels(n);
  for (size_t i = 0; i < n; ++i) {
    const T value = Load<T>(raw + i * sizeof(T));
    if constexpr (std::is_signed_v<T>) {
      if (value < 0) {
        return Status::InvalidArgument("row " + std::to_string(i) +
                                       " holds negative label " +
                                       std::to_string(value));
      }
    }
    if (static_cast<uint64_t>(value) > kMaxLabel) {
      return Status::InvalidArgument(
          "row " + std::to_string(i) + " holds label " + std::to_string(value) +
          ", above the largest supported label " + std::to_string(kMaxLabel));
    }
    labels[i] = static_cast<int32_t>(value);
  }
  *out = std::move(labels);
  return Status::OK();
}

// An element type of the files read here, under numpy's name.
struct ElemType {
  const char* name;
  size_t size;
  // Null when the type is not accepted for features, or for labels.
  Status (*to_floats)(const uint8_t* raw, size_t row, size_t dim, float* out);
  Status (*to_labels)(const uint8_t* raw, size_t n, std::vector<int32_t>* out);
};

constexpr ElemType kFloat32 = {"float32", 4, RowToFloats<float>, nullptr};
constexpr ElemType kFloat64 = {"float64", 8, RowToFloats<double>, nullptr};
constexpr ElemType kUint8 = {"uint8", 1, RowToFloats<uint8_t>,
                             ToLabels<uint8_t>};
constexpr ElemType kInt32 = {"int32", 4, nullptr, ToLabels<int32_t>};
constexpr ElemType kUint32 = {"uint32", 4, nullptr, ToLabels<uint32_t>};
constexpr ElemType kInt64 = {"int64", 8, nullptr, ToLabels<int64_t>};
constexpr ElemType kUint64 = {"uint64", 8, nullptr, ToLabels<uint64_t>};
constexpr const ElemType* kNpyTypes[] = {&kFloat32, &kFloat64, &kUint8, &kInt32,
                                         &kUint32,  &kInt64,   &kUint64};

enum class Use { kFeatures, kLabels };

bool Serves(const ElemType& type, Use use) {
  return use == Use::kFeatures ? type.to_floats != nullptr
                               : type.to_labels != nullptr;
}

size_t RankFor(Use use) { return use == Use::kFeatures ? 2 : 1; }

// numpy's name for a little-endian or byte-order-free descr ('<i2' is
// "int16", '|u1' "uint8"); any other descr is quoted as written.
std::string DtypeName(const std::string& descr) {
  static constexpr std::pair<char, const char*> kKinds[] = {
      {'i', "int"}, {'u', "uint"}, {'f', "float"}, {'c', "complex"}};
  const char* end = descr.data() + descr.size();
  size_t bytes = 0;
  if (descr.size() >= 3 && (descr[0] == '<' || descr[0] == '|') &&
      std::from_chars(descr.data() + 2, end, bytes).ptr == end) {
    for (const auto& [code, kind] : kKinds) {
      if (descr[1] == code) return kind + std::to_string(8 * bytes);
    }
  }
  return "'" + descr + "'";
}

// "expected a 2-D float32, float64 or uint8 array, found int16 with 1
// dimension".
Status WrongArray(const std::string& descr, size_t rank, Use use) {
  std::vector<const char*> names;
  for (const ElemType* type : kNpyTypes) {
    if (Serves(*type, use)) names.push_back(type->name);
  }
  std::string expected = std::to_string(RankFor(use)) + "-D ";
  for (size_t i = 0; i < names.size(); ++i) {
    expected += i == 0 ? "" : i + 1 == names.size() ? " or " : ", ";
    expected += names[i];
  }
  return Status::InvalidArgument("expected a " + expected + " array, found " +
                                 DtypeName(descr) + " with " +
                                 std::to_string(rank) +
                                 (rank == 1 ? " dimension" : " dimensions"));
}

struct FileCloser {
  // Closing a file opened for reading cannot lose data: result ignored.
  void operator()(std::FILE* file) const { (void)std::fclose(file); }
};

// A file read from chosen offsets. Messages do not name it.
class InputFile {
 public:
  Status Open(const std::string& path);
  uint64_t size() const { return size_; }
  Status Seek(uint64_t offset);
  // Reads exactly n bytes; callers have checked the size, so a short read
  // means the file changed underneath.
  Status Read(size_t n, void* buf);

 private:
  std::unique_ptr<std::FILE, FileCloser> file_;
  uint64_t size_ = 0;
};

Status InputFile::Open(const std::string& path) {
  const Status regular = CheckRegularFile(path);
  if (!regular.ok()) return regular;
  file_.reset(std::fopen(path.c_str(), "rb"));
  if (file_ == nullptr) {
    return Status::IOError(std::string("cannot open: ") + std::strerror(errno));
  }
  std::error_code ec;
  size_ = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot get file size: " + ec.message());
  return Status::OK();
}

Status InputFile::Seek(uint64_t offset) {
  if (fseeko(file_.get(), static_cast<off_t>(offset), SEEK_SET) == 0) {
    return Status::OK();
  }
  return Status::IOError(std::string("seek failed: ") + std::strerror(errno));
}

Status InputFile::Read(size_t n, void* buf) {
  if (std::fread(buf, 1, n, file_.get()) == n) return Status::OK();
  if (std::ferror(file_.get())) {
    return Status::IOError(std::string("read failed: ") + std::strerror(errno));
  }
  return Status::InvalidArgument("truncated: file changed while reading");
}

// Where the rows of a .npy, .fvecs or .bvecs file lie: from data_offset,
// each row is `prefix` bytes (the .fvecs/.bvecs dimension), then dim values.
struct Layout {
  const ElemType* type = nullptr;
  size_t rows = 0;
  size_t dim = 0;
  uint64_t data_offset = 0;
  size_t prefix = 0;
  uint64_t row_bytes() const { return prefix + uint64_t{dim} * type->size; }
};

Status NpyLayoutOf(const NpyHeader& header, Use use, Layout* layout) {
  const std::string name = DtypeName(header.descr);
  const ElemType* type = nullptr;
  for (const ElemType* candidate : kNpyTypes) {
    if (name == candidate->name && Serves(*candidate, use)) type = candidate;
  }
  if (type == nullptr || header.shape.size() != RankFor(use)) {
    return WrongArray(header.descr, header.shape.size(), use);
  }
  uint64_t bytes = 0;
  Status s = CheckNpyDataSize(header, type->size, &bytes);
  if (!s.ok()) return s;
  layout->type = type;
  layout->rows = header.shape[0];
  layout->dim = use == Use::kFeatures ? header.shape[1] : 1;
  layout->data_offset = header.data_offset;
  if (layout->dim > 0) return Status::OK();
  return Status::InvalidArgument("shape (" + std::to_string(layout->rows) +
                                 ", 0) has dimension 0");
}

Status NpyLayout(const std::string& path, Use use, InputFile* file,
                 Layout* layout) {
  NpyHeader header;
  Status s = ReadNpyHeader(path, &header);
  if (!s.ok()) return s;
  s = NpyLayoutOf(header, use, layout);
  if (s.ok()) s = file->Open(path);
  return s.WithContext(path);
}

Status CheckRowDimension(const uint8_t* raw, size_t row, size_t dim) {
  const int32_t found = Load<int32_t>(raw);
  if (found == static_cast<int64_t>(dim)) return Status::OK();
  return Status::InvalidArgument("row " + std::to_string(row) +
                                 " has dimension " + std::to_string(found) +
                                 ", row 0 has " + std::to_string(dim));
}

// For a file that is not a whole number of rows: names the first row whose
// dimension differs from row 0's, or else the row the file ends inside.
Status ExplainBadSize(InputFile* file, const Layout& layout) {
  const uint64_t row_bytes = layout.row_bytes();
  uint8_t raw[kDimBytes];
  size_t row = 0;
  for (uint64_t offset = 0; offset + kDimBytes <= file->size();
       offset += row_bytes, ++row) {
    Status s = file->Seek(offset);
    if (s.ok()) s = file->Read(kDimBytes, raw);
    if (s.ok()) s = CheckRowDimension(raw, row, layout.dim);
    if (!s.ok()) return s;
  }
  return Status::InvalidArgument(
      "truncated: the " + std::to_string(file->size()) +
      "-byte file ends inside row " + std::to_string(file->size() / row_bytes) +
      " (rows of dimension " + std::to_string(layout.dim) + " take " +
      std::to_string(row_bytes) + " bytes)");
}

Status AnnLayoutOf(const ElemType& type, InputFile* file, Layout* layout) {
  if (file->size() < kDimBytes) {
    return Status::InvalidArgument("truncated: file ends after " +
                                   std::to_string(file->size()) +
                                   " bytes, inside row 0's dimension");
  }
  uint8_t raw[kDimBytes];
  Status s = file->Read(kDimBytes, raw);
  if (!s.ok()) return s;
  const int32_t dim = Load<int32_t>(raw);
  if (dim <= 0) {
    return Status::InvalidArgument("row 0 has dimension " +
                                   std::to_string(dim) +
                                   "; dimensions must be positive");
  }
  layout->type = &type;
  layout->dim = static_cast<size_t>(dim);
  layout->prefix = kDimBytes;
  if (file->size() % layout->row_bytes() != 0) {
    return ExplainBadSize(file, *layout);
  }
  layout->rows = file->size() / layout->row_bytes();
  return Status::OK();
}

// Opens a .npy, .fvecs or .bvecs feature file and finds its rows.
Status FeatureLayout(const std::string& path, Format format, InputFile* file,
                     Layout* layout) {
  if (format == Format::kNpy) {
    return NpyLayout(path, Use::kFeatures, file, layout);
  }
  Status s = file->Open(path);
  if (s.ok()) {
    s = AnnLayoutOf(format == Format::kFvecs ? kFloat32 : kUint8, file, layout);
  }
  return s.WithContext(path);
}

// Rows [first, first + *n) of `total`, cut short at the end.
Status SliceRows(size_t total, size_t first, size_t count, size_t* n) {
  if (first > total) {
    return Status::InvalidArgument("first row " + std::to_string(first) +
                                   " is past its " + std::to_string(total) +
                                   " rows");
  }
  *n = count == 0 ? total - first : std::min(count, total - first);
  return Status::OK();
}

Status ReadRows(InputFile* file, const Layout& layout, size_t first, size_t n,
                Vectors* out) {
  Vectors vectors;
  vectors.rows = n;
  vectors.dim = layout.dim;
  if (n == 0) {  // A header may claim any dimension for zero rows.
    *out = std::move(vectors);
    return Status::OK();
  }
  vectors.values.resize(n * layout.dim);
  std::vector<uint8_t> row(layout.row_bytes());
  Status s = file->Seek(layout.data_offset + first * layout.row_bytes());
  for (size_t i = 0; s.ok() && i < n; ++i) {
    s = file->Read(row.size(), row.data());
    if (s.ok() && layout.prefix > 0) {
      s = CheckRowDimension(row.data(), first + i, layout.dim);
    }
    if (s.ok()) {
      s = layout.type->to_floats(row.data() + layout.prefix, first + i,
                                 layout.dim, &vectors.values[i * layout.dim]);
    }
  }
  if (!s.ok()) return s;
  *out = std::move(vectors);
  return Status::OK();
}

Status ReadIdxVectors(const std::string& path, size_t first, size_t count,
                      Vectors* out) {
  IdxImages images;
  Status s = ReadIdxImages(path, first, count, &images);
  if (!s.ok()) return s;
  out->rows = images.count;
  out->dim = images.dim();
  out->image_height = images.rows;
  out->image_width = images.cols;
  out->values.assign(images.pixels.begin(), images.pixels.end());
  return Status::OK();
}

Status ReadNpyLabels(const std::string& path, std::vector<int32_t>* labels) {
  InputFile file;
  Layout layout;
  Status s = NpyLayout(path, Use::kLabels, &file, &layout);
  if (!s.ok()) return s;
  std::vector<uint8_t> raw(layout.rows * layout.type->size);
  s = file.Seek(layout.data_offset);
  if (s.ok()) s = file.Read(raw.size(), raw.data());
  if (s.ok()) s = layout.type->to_labels(raw.data(), layout.rows, labels);
  return s.WithContext(path);
}

}  // namespace

Status ReadVectors(const std::string& path, size_t first, size_t count,
                   Vectors* out) {
  const Format format = FormatOf(path);
  if (format == Format::kIdx) return ReadIdxVectors(path, first, count, out);
  InputFile file;
  Layout layout;
  Status s = FeatureLayout(path, format, &file, &layout);
  if (!s.ok()) return s;
  size_t n = 0;
  s = SliceRows(layout.rows, first, count, &n);
  if (s.ok()) s = ReadRows(&file, layout, first, n, out);
  return s.WithContext(path);
}

Status ReadLabels(const std::string& path, std::vector<int32_t>* labels) {
  if (FormatOf(path) == Format::kNpy) return ReadNpyLabels(path, labels);
  std::vector<uint8_t> bytes;
  Status s = ReadIdxLabels(path, &bytes);
  if (!s.ok()) return s;
  labels->assign(bytes.begin(), bytes.end());
  return Status::OK();
}

}  // namespace semhash::io

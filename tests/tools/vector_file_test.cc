// Tests for the feature and label readers: every format round-trips to the
// same floats, slices, and every rejected input with its message.
#include "tools/io/vector_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "tools/io/npy_file.h"

namespace semhash::io {
namespace {

constexpr size_t kRows = 5;
constexpr size_t kDim = 4;

// Row r, column c holds r * 10 + c: exact in every format, uint8 included.
template <typename T>
std::vector<T> Values() {
  std::vector<T> out;
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t c = 0; c < kDim; ++c) out.push_back(static_cast<T>(r * 10 + c));
  }
  return out;
}

template <typename T>
void Append(T value, std::string* out) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

// A .fvecs (T = float) or .bvecs (T = uint8_t) file of `values` in rows of
// `dim`.
template <typename T>
std::string Vecs(const std::vector<T>& values, size_t dim) {
  std::string out;
  for (size_t r = 0; r * dim < values.size(); ++r) {
    Append(static_cast<int32_t>(dim), &out);
    for (size_t c = 0; c < dim; ++c) Append(values[r * dim + c], &out);
  }
  return out;
}

// A 3-D IDX file of kRows images of 2 x 2 pixels.
std::string Idx() {
  std::string out("\0\0\x08\x03", 4);
  for (uint32_t d : {uint32_t{kRows}, 2u, 2u}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>(d >> shift);
  }
  for (uint8_t v : Values<uint8_t>()) out += static_cast<char>(v);
  return out;
}

void ExpectError(const Status& s, Status::Code code, const std::string& fact) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(fact), std::string::npos)
      << "missing \"" << fact << "\" in " << s.ToString();
}

void ExpectInvalid(const Status& s, const std::string& fact) {
  ExpectError(s, Status::Code::kInvalidArgument, fact);
}

class VectorFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "vector_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl + "/";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ + name, std::ios::binary) << bytes;
    return dir_ + name;
  }

  std::string WriteGzip(const std::string& name, const std::string& bytes) {
    gzFile file = gzopen((dir_ + name).c_str(), "wb");
    EXPECT_EQ(gzwrite(file, bytes.data(), bytes.size()),
              static_cast<int>(bytes.size()));
    EXPECT_EQ(gzclose(file), Z_OK);
    return dir_ + name;
  }

  std::string Npy(const std::string& name, NpyType type,
                  const std::vector<size_t>& shape, const void* data) {
    EXPECT_TRUE(WriteNpy(dir_ + name, type, shape, data).ok());
    return dir_ + name;
  }

  // A .npy written by WriteNpy whose descr is then replaced by `descr`, for
  // dtypes WriteNpy does not write.
  std::string NpyAs(const std::string& name, const std::string& descr,
                    NpyType type, size_t n, const void* data) {
    const std::string path = Npy(name, type, {n}, data);
    std::ifstream in(path, std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    bytes.replace(bytes.find("'descr': '") + 10, descr.size(), descr);
    return Write(name, bytes);
  }

  // Every format holding Values(), by file name.
  std::vector<std::string> AllFormats() {
    return {
        Write("images.idx", Idx()),
        WriteGzip("images.idx3-ubyte.gz", Idx()),
        Npy("f32.npy", NpyType::kFloat32, {kRows, kDim},
            Values<float>().data()),
        Npy("f64.npy", NpyType::kFloat64, {kRows, kDim},
            Values<double>().data()),
        Npy("u8.npy", NpyType::kUint8, {kRows, kDim}, Values<uint8_t>().data()),
        Write("a.fvecs", Vecs(Values<float>(), kDim)),
        Write("a.bvecs", Vecs(Values<uint8_t>(), kDim))};
  }

  std::string dir_;
};

TEST_F(VectorFile, EveryFormatRoundTripsToTheSameFloats) {
  for (const std::string& path : AllFormats()) {
    Vectors v;
    ASSERT_TRUE(ReadVectors(path, 0, 0, &v).ok()) << path;
    EXPECT_EQ(v.rows, kRows) << path;
    EXPECT_EQ(v.dim, kDim) << path;
    EXPECT_EQ(v.values, Values<float>()) << path;
  }
}

TEST_F(VectorFile, SlicesRowsInEveryFormat) {
  const std::vector<float> all = Values<float>();
  for (const std::string& path : AllFormats()) {
    Vectors v;
    ASSERT_TRUE(ReadVectors(path, 1, 2, &v).ok()) << path;
    EXPECT_EQ(v.values,
              std::vector<float>(all.begin() + kDim, all.begin() + 3 * kDim))
        << path;
    ASSERT_TRUE(ReadVectors(path, 3, 100, &v).ok()) << path;
    EXPECT_EQ(v.rows, 2u) << path;
    EXPECT_EQ(v.values, std::vector<float>(all.begin() + 3 * kDim, all.end()))
        << path;
    ASSERT_TRUE(ReadVectors(path, kRows, 0, &v).ok()) << path;
    EXPECT_EQ(v.rows, 0u) << path;
    EXPECT_TRUE(v.values.empty()) << path;
  }
}

TEST_F(VectorFile, FirstPastTheEndIsAnError) {
  for (const std::string& path : AllFormats()) {
    Vectors v;
    const Status s = ReadVectors(path, kRows + 1, 0, &v);
    const bool idx = path.find(".idx") != std::string::npos;
    ExpectInvalid(s, path + ": " +
                         (idx ? "first image 6 is beyond the 5 images"
                              : "first row 6 is past its 5 rows"));
  }
}

TEST_F(VectorFile, RejectsUnsupportedNpyArrays) {
  const uint8_t bytes[8] = {};
  Vectors v;
  std::string path = NpyAs("features.npy", "<i2", NpyType::kUint8, 8, bytes);
  ExpectInvalid(ReadVectors(path, 0, 0, &v),
                path +
                    ": expected a 2-D float32, float64 or uint8 array, found "
                    "int16 with 1 dimension");
  path = Npy("u32.npy", NpyType::kUint32, {1, 2}, bytes);
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "found uint32 with 2 dimensions");
  path = Npy("f1.npy", NpyType::kFloat32, {2}, bytes);
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "found float32 with 1 dimension");
  path = Npy("zero.npy", NpyType::kFloat32, {3, 0}, bytes);
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "shape (3, 0) has dimension 0");
}

TEST_F(VectorFile, RejectsRowsOfAnotherDimension) {
  // A mixed file: row 17 has 6 values, the others 8.
  const std::string mixed = Vecs(std::vector<float>(17 * 8, 1.0f), 8) +
                            Vecs(std::vector<float>(6, 1.0f), 6) +
                            Vecs(std::vector<float>(2 * 8, 1.0f), 8);
  Vectors v;
  std::string path = Write("mixed.fvecs", mixed);
  ExpectInvalid(ReadVectors(path, 0, 0, &v),
                path + ": row 17 has dimension 6, row 0 has 8");
  // A corrupt dimension that leaves the size a whole number of rows.
  std::string bvecs = Vecs(std::vector<uint8_t>(5 * 8), 8);
  bvecs[3 * (4 + 8)] = 7;
  path = Write("corrupt.bvecs", bvecs);
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "row 3 has dimension 7, row 0");
  EXPECT_TRUE(ReadVectors(path, 0, 3, &v).ok());  // Rows after are unread.
  path = Write("zero.fvecs", std::string(4, '\0'));
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "row 0 has dimension 0");
}

TEST_F(VectorFile, RejectsTruncatedFiles) {
  std::string fvecs = Vecs(Values<float>(), kDim);
  Vectors v;
  std::string path = Write("cut.fvecs", fvecs.substr(0, fvecs.size() - 3));
  ExpectInvalid(ReadVectors(path, 0, 0, &v),
                path +
                    ": truncated: the 97-byte file ends inside row 4 (rows "
                    "of dimension 4 take 20 bytes)");
  path = Write("tiny.bvecs", std::string(2, '\x04'));
  ExpectInvalid(ReadVectors(path, 0, 0, &v),
                "file ends after 2 bytes, inside row 0's dimension");
  const std::string npy =
      Npy("f32.npy", NpyType::kFloat32, {kRows, kDim}, Values<float>().data());
  std::filesystem::resize_file(npy, std::filesystem::file_size(npy) - 4);
  ExpectInvalid(ReadVectors(npy, 0, 0, &v), npy + ": truncated: header says");
  const std::string idx = Idx();
  path = Write("cut.idx", idx.substr(0, idx.size() - 1));
  ExpectInvalid(ReadVectors(path, 0, 0, &v), path + ": truncated");
  ExpectError(ReadVectors(dir_ + "absent.fvecs", 0, 0, &v),
              Status::Code::kIOError, "absent.fvecs: cannot open");
}

TEST_F(VectorFile, RejectsNonFiniteAndOverflowingFloats) {
  std::vector<float> f32 = Values<float>();
  f32[2 * kDim + 1] = std::numeric_limits<float>::quiet_NaN();
  Vectors v;
  std::string path =
      Npy("nan.npy", NpyType::kFloat32, {kRows, kDim}, f32.data());
  ExpectInvalid(ReadVectors(path, 0, 0, &v), path + ": row 2, column 1 is NaN");
  EXPECT_TRUE(ReadVectors(path, 3, 0, &v).ok());
  f32 = Values<float>();
  f32[1 * kDim + 3] = -std::numeric_limits<float>::infinity();
  path = Write("inf.fvecs", Vecs(f32, kDim));
  ExpectInvalid(ReadVectors(path, 0, 0, &v), "row 1, column 3 is infinite");
  std::vector<double> f64 = Values<double>();
  f64[0] = 0.1;
  f64[3 * kDim] = 1e300;
  path = Npy("big.npy", NpyType::kFloat64, {kRows, kDim}, f64.data());
  ExpectInvalid(ReadVectors(path, 0, 0, &v),
                "row 3, column 0 holds 1e+300, which overflows float32");
  ASSERT_TRUE(ReadVectors(path, 0, 3, &v).ok());
  EXPECT_EQ(v.values[0], 0.1f);
}

TEST_F(VectorFile, ReadsLabelsFromIdxAndEveryIntegerNpyDtype) {
  const std::vector<int32_t> want = {3, 1, 4, 1, 2147483647};
  const std::vector<uint8_t> u8 = {3, 1, 4, 1, 255};
  const std::vector<uint32_t> u32(want.begin(), want.end());
  const std::vector<int64_t> i64(want.begin(), want.end());
  const std::vector<uint64_t> u64(want.begin(), want.end());
  const std::vector<std::string> paths = {
      NpyAs("i32.npy", "<i4", NpyType::kUint32, 5, want.data()),
      Npy("u32.npy", NpyType::kUint32, {5}, u32.data()),
      Npy("i64.npy", NpyType::kInt64, {5}, i64.data()),
      Npy("u64.npy", NpyType::kUint64, {5}, u64.data())};
  for (const std::string& path : paths) {
    std::vector<int32_t> labels;
    ASSERT_TRUE(ReadLabels(path, &labels).ok()) << path;
    EXPECT_EQ(labels, want) << path;
  }
  const std::vector<int32_t> small = {3, 1, 4, 1, 255};
  std::string idx("\0\0\x08\x01\0\0\0\x05", 8);
  idx.append(u8.begin(), u8.end());
  for (const std::string& path :
       {Npy("u8.npy", NpyType::kUint8, {5}, u8.data()),
        Write("labels.idx", idx), WriteGzip("labels.idx1-ubyte.gz", idx)}) {
    std::vector<int32_t> labels;
    ASSERT_TRUE(ReadLabels(path, &labels).ok()) << path;
    EXPECT_EQ(labels, small) << path;
  }
}

TEST_F(VectorFile, RejectsNegativeOversizedAndNonIntegerLabels) {
  const int64_t i64[3] = {1, 2, -2};
  const int32_t i32[2] = {0, -7};
  const uint64_t u64[2] = {5, uint64_t{1} << 31};
  const float f32[2] = {1, 2};
  std::vector<int32_t> labels = {9};
  std::string path = Npy("i64.npy", NpyType::kInt64, {3}, i64);
  ExpectInvalid(ReadLabels(path, &labels),
                path + ": row 2 holds negative label -2");
  path = NpyAs("i32.npy", "<i4", NpyType::kUint32, 2, i32);
  ExpectInvalid(ReadLabels(path, &labels), "row 1 holds negative label -7");
  path = Npy("u64.npy", NpyType::kUint64, {2}, u64);
  ExpectInvalid(ReadLabels(path, &labels),
                "row 1 holds label 2147483648, above the largest supported "
                "label 2147483647");
  path = Npy("f32.npy", NpyType::kFloat32, {2}, f32);
  ExpectInvalid(ReadLabels(path, &labels),
                "expected a 1-D uint8, int32, uint32, int64 or uint64 array, "
                "found float32 with 1 dimension");
  EXPECT_EQ(labels, std::vector<int32_t>{9});  // Unchanged on failure.
}

}  // namespace
}  // namespace semhash::io

namespace semhash::io {
namespace {

// Found by vectors_fuzzer: a .npy header may claim zero rows of a huge
// dimension; reading allocated a buffer for one such row anyway.
TEST(VectorFileRegression, ZeroRowsOfAHugeDimensionAllocateNothing) {
  char dir[] = "/tmp/semhash-vf-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/empty.npy";
  ASSERT_TRUE(
      WriteNpy(path, NpyType::kFloat32, {0, size_t{1} << 40}, nullptr).ok());
  Vectors v;
  const Status s = ReadVectors(path, 0, 0, &v);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.rows, 0u);
  EXPECT_TRUE(v.values.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace semhash::io

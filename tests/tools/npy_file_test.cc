// Tests for the .npy reader and writer: numpy's exact layout, header
// variants, every type, and every rejected input with its message.
#include "tools/io/npy_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace semhash::io {
namespace {

using Bytes = std::vector<uint8_t>;

// What numpy 1.24 np.save writes for np.zeros((3, 32), np.uint8), up to the
// data: magic, version 1.0, header length 118 (0x76), dict, 57 spaces, '\n'.
const std::string kNumpyHeader3x32 =
    std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
    "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 32), }" +
    std::string(57, ' ') + "\n";

// A .npy file of format `major`.0 with header `dict`, padded as numpy pads.
std::string Npy(const std::string& dict, const std::string& payload,
                int major = 1) {
  const size_t len_size = major == 1 ? 2 : 4;
  std::string header = dict;
  header.append(64 - (6 + 2 + len_size + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string out =
      std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  for (size_t i = 0; i < len_size; ++i) {
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  }
  return out + header + payload;
}

std::string Dict(const std::string& descr, const std::string& shape) {
  return "{'descr': '" + descr +
         "', 'fortran_order': False, 'shape': " + shape + ", }";
}

// Status must be InvalidArgument and its message must contain `fact`.
void ExpectInvalid(const Status& s, const std::string& fact) {
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(fact), std::string::npos)
      << "missing \"" << fact << "\" in " << s.ToString();
}

class NpyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "npy_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl + "/";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Reads `path` with ReadNpy, expecting InvalidArgument naming `fact`.
  void ExpectReadFails(const std::string& path, const std::string& fact) {
    NpyArray array;
    const Status s = ReadNpy(path, &array);
    ExpectInvalid(s, fact);
    EXPECT_EQ(s.message().rfind(path + ": ", 0), 0u) << s.ToString();
  }

  std::string dir_;
};

TEST_F(NpyFile, WriteMatchesNumpyByteForByte) {
  const std::string data(96, '\x07');
  const std::string path = dir_ + "codes.npy";
  ASSERT_EQ(kNumpyHeader3x32.size(), 128u);
  ASSERT_TRUE(WriteNpy(path, NpyType::kUint8, {3, 32}, data.data()).ok());
  EXPECT_EQ(Slurp(path), kNumpyHeader3x32 + data);
}

TEST_F(NpyFile, ReadsNumpyWrittenMatrix) {
  std::string data(96, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
  const std::string path = Write("codes.npy", kNumpyHeader3x32 + data);
  size_t rows = 0;
  size_t cols = 0;
  Bytes got;
  ASSERT_TRUE(ReadNpyMatrixU8(path, &rows, &cols, &got).ok());
  EXPECT_EQ(rows, 3u);
  EXPECT_EQ(cols, 32u);
  EXPECT_EQ(got, Bytes(data.begin(), data.end()));
}

TEST_F(NpyFile, RoundTripsEveryTypeAndRank) {
  struct Case {
    NpyType type;
    std::vector<size_t> shape;
    size_t item_size;
  };
  const Case cases[] = {
      {NpyType::kUint8, {4, 5}, 1},   {NpyType::kUint32, {7}, 4},
      {NpyType::kUint64, {3}, 8},     {NpyType::kInt64, {2, 2}, 8},
      {NpyType::kFloat32, {2, 3}, 4}, {NpyType::kFloat64, {}, 8},
      {NpyType::kUint32, {0}, 4},     {NpyType::kUint8, {2, 0}, 1},
  };
  for (const Case& c : cases) {
    size_t count = 1;
    for (size_t d : c.shape) count *= d;
    Bytes data(count * c.item_size);
    for (size_t i = 0; i < data.size(); ++i) data[i] = i * 7 + 1;
    const std::string path = dir_ + "a.npy";
    ASSERT_TRUE(WriteNpy(path, c.type, c.shape, data.data()).ok());
    EXPECT_EQ((std::filesystem::file_size(path) - data.size()) % 64, 0u);
    NpyArray array;
    ASSERT_TRUE(ReadNpy(path, &array).ok());
    EXPECT_EQ(array.type, c.type);
    EXPECT_EQ(array.shape, c.shape);
    EXPECT_EQ(array.data, data);
  }
}

TEST_F(NpyFile, ParsesHeaderVariants) {
  const std::string payload("\x01\0\0\0\x02\0\0\0\x03\0\0\0\x04\0\0\0", 16);
  const std::string dicts[] = {
      "{'descr':'<u4','fortran_order':False,'shape':(4,)}",
      "{\"shape\": (4,), \"descr\": \"<u4\", \"fortran_order\": False}",
      "{ 'descr' : '<u4' ,\t'fortran_order' : False ,\r\n'shape' : ( 4 , ) , }",
      "{'descr': '<u4', 'fortran_order': False, 'shape': (4L,), }",
      "{'descr': '<u4', 'fortran_order': False, 'shape': (4), }",
  };
  for (const std::string& dict : dicts) {
    for (int major : {1, 2, 3}) {
      const std::string path = Write("ids.npy", Npy(dict, payload, major));
      std::vector<uint32_t> ids;
      ASSERT_TRUE(ReadNpyVectorU32(path, &ids).ok()) << dict << " v" << major;
      EXPECT_EQ(ids, (std::vector<uint32_t>{1, 2, 3, 4}));
    }
  }
}

TEST_F(NpyFile, AcceptsLittleEndianU1Descr) {
  const std::string path = Write("c.npy", Npy(Dict("<u1", "(1, 2)"), "ab"));
  size_t rows = 0;
  size_t cols = 0;
  Bytes data;
  ASSERT_TRUE(ReadNpyMatrixU8(path, &rows, &cols, &data).ok());
  EXPECT_EQ(data, (Bytes{'a', 'b'}));
}

TEST_F(NpyFile, RejectsFortranOrder) {
  ExpectReadFails(Write("f.npy", Npy("{'descr': '|u1', 'fortran_order': True,"
                                     " 'shape': (1, 2), }",
                                     "ab")),
                  "fortran_order is True; only C order is supported");
}

TEST_F(NpyFile, RejectsBigEndianAndUnknownDtypes) {
  ExpectReadFails(Write("be.npy", Npy(Dict(">u4", "(1,)"), "abcd")),
                  "big-endian dtype '>u4' is not supported");
  ExpectReadFails(Write("i4.npy", Npy(Dict("<i4", "(1,)"), "abcd")),
                  "unsupported dtype '<i4' (supported: '|u1'");
  ExpectReadFails(
      Write("rec.npy", Npy("{'descr': [('a', '<u1')], 'fortran_order': "
                           "False, 'shape': (1,), }",
                           "a")),
      "structured dtypes are not supported");
}

TEST_F(NpyFile, TypedReadersNameExpectedAndFound) {
  const float values[2] = {1.5f, 2.5f};
  const std::string path = dir_ + "codes.npy";
  ASSERT_TRUE(WriteNpy(path, NpyType::kFloat32, {1, 2}, values).ok());
  size_t rows = 11;
  size_t cols = 0;
  Bytes data;
  const Status s = ReadNpyMatrixU8(path, &rows, &cols, &data);
  ExpectInvalid(s, path +
                       ": expected dtype uint8 ('|u1' or '<u1'), found "
                       "'<f4'");
  EXPECT_EQ(rows, 11u);  // Unchanged on failure.

  const uint64_t ids[1] = {5};
  ASSERT_TRUE(WriteNpy(path, NpyType::kUint64, {1}, ids).ok());
  std::vector<uint32_t> ids32;
  ExpectInvalid(ReadNpyVectorU32(path, &ids32),
                "expected dtype uint32 ('<u4'), found '<u8'");
}

TEST_F(NpyFile, TypedReadersRejectWrongRank) {
  const std::string path = dir_ + "codes.npy";
  const uint8_t codes[6] = {};
  ASSERT_TRUE(WriteNpy(path, NpyType::kUint8, {6}, codes).ok());
  size_t rows = 0;
  size_t cols = 0;
  Bytes data;
  ExpectInvalid(ReadNpyMatrixU8(path, &rows, &cols, &data),
                "expected a 2-D array, found shape (6,)");

  const uint64_t ids[4] = {};
  ASSERT_TRUE(WriteNpy(path, NpyType::kUint64, {2, 2}, ids).ok());
  std::vector<uint64_t> ids64;
  ExpectInvalid(ReadNpyVectorU64(path, &ids64),
                "expected a 1-D array, found shape (2, 2)");
}

TEST_F(NpyFile, U64ReaderAcceptsNonNegativeInt64) {
  const int64_t ids[3] = {0, 42, int64_t{1} << 40};
  const std::string path = dir_ + "ids.npy";
  ASSERT_TRUE(WriteNpy(path, NpyType::kInt64, {3}, ids).ok());
  std::vector<uint64_t> got;
  ASSERT_TRUE(ReadNpyVectorU64(path, &got).ok());
  EXPECT_EQ(got, (std::vector<uint64_t>{0, 42, uint64_t{1} << 40}));
}

TEST_F(NpyFile, U64ReaderRejectsNegativeInt64NamingTheRow) {
  const int64_t ids[4] = {1, 2, -5, 3};
  const std::string path = dir_ + "ids.npy";
  ASSERT_TRUE(WriteNpy(path, NpyType::kInt64, {4}, ids).ok());
  std::vector<uint64_t> got = {9};
  ExpectInvalid(ReadNpyVectorU64(path, &got),
                path + ": row 2 holds negative value -5");
  EXPECT_EQ(got, (std::vector<uint64_t>{9}));
}

TEST_F(NpyFile, RejectsTruncatedData) {
  const std::string path =
      Write("codes.npy", kNumpyHeader3x32 + std::string(50, 'x'));
  ExpectReadFails(path,
                  "truncated: header says 96 bytes of data for shape "
                  "(3, 32) of '|u1', file has 50 after the header");
}

TEST_F(NpyFile, RejectsTrailingGarbage) {
  const std::string path =
      Write("codes.npy", kNumpyHeader3x32 + std::string(99, 'x'));
  ExpectReadFails(path, "trailing garbage: 3 bytes after the 96 bytes");
}

TEST_F(NpyFile, RejectsBadMagicAndVersion) {
  ExpectReadFails(Write("a.npy", "\x93NUMPZ\x01\x00 junk"),
                  "not a .npy file: expected magic 93 4e 55 4d 50 59 "
                  "(\\x93NUMPY), found 93 4e 55 4d 50 5a");
  ExpectReadFails(Write("b.npy", std::string("PK\x03\x04 zip", 8)),
                  ".npz? extract the array first");
  std::string v4 = Npy(Dict("|u1", "(1,)"), "a");
  v4[6] = 4;
  ExpectReadFails(Write("c.npy", v4),
                  "unsupported .npy format version 4.0 (expected 1.0, 2.0 "
                  "or 3.0)");
}

TEST_F(NpyFile, RejectsTruncatedPreambleAndHeader) {
  ExpectReadFails(Write("empty.npy", ""), "truncated: file ends after 0 bytes");
  ExpectReadFails(Write("short.npy", "\x93NUM"),
                  "truncated: file ends after 4 bytes");
  ExpectReadFails(Write("len.npy", std::string("\x93NUMPY\x01\x00\x76", 9)),
                  "truncated: file ends inside the .npy header length");
  ExpectReadFails(Write("hdr.npy", kNumpyHeader3x32.substr(0, 70)),
                  "truncated: header length says data starts at byte 128, "
                  "file ends after 70 bytes");
}

TEST_F(NpyFile, RejectsMalformedHeaders) {
  const std::pair<std::string, std::string> cases[] = {
      {"{'descr': '|u1', 'shape': (2,), }", "header: missing key"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), 'x': 1}",
       "header: unexpected key 'x'"},
      {"{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, "
       "'shape': (2,)}",
       "header: duplicate key 'descr'"},
      {"{'descr' '|u1', 'fortran_order': False, 'shape': (2,)}",
       "header: expected ':' after 'descr' at byte 9, found '''"},
      {"{'descr': '|u1', 'fortran_order': false, 'shape': (2,)}",
       "header: expected True or False"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2, -1)}",
       "header: expected a non-negative integer"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,)} x",
       "header: expected only padding after the dict"},
      {"['descr', '|u1']", "header: expected '{' at byte 0, found '['"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,)",
       "expected ',' or '}' at byte"},
  };
  for (const auto& [dict, fact] : cases) {
    ExpectReadFails(Write("h.npy", Npy(dict, "ab")), fact);
  }
}

TEST_F(NpyFile, MissingFileIsIOError) {
  const std::string path = dir_ + "absent.npy";
  NpyArray array;
  const Status s = ReadNpy(path, &array);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find(path + ": cannot open: No such file"),
            std::string::npos)
      << s.ToString();
}

TEST_F(NpyFile, WriteRejectsNullDataAndBadPath) {
  ExpectInvalid(WriteNpy(dir_ + "n.npy", NpyType::kUint8, {2}, nullptr),
                "data is null for 2 bytes");
  EXPECT_TRUE(WriteNpy(dir_ + "empty.npy", NpyType::kUint8, {0}, nullptr).ok());
  const uint8_t byte = 1;
  const Status s =
      WriteNpy(dir_ + "no/such/dir.npy", NpyType::kUint8, {1}, &byte);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("cannot create"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace semhash::io

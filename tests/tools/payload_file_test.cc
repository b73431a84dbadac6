// Tests for the payload files of build --payloads and export --payloads:
// text lines and numpy string arrays read as numpy writes them, and the
// payloads a format cannot hold refused by row.
#include "tools/io/payload_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../engine/test_util.h"
#include "tools/io/npy_file.h"

namespace semhash::io {
namespace {

using testing::TempDir;

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// np.save(path, np.array([b'a.png', b'dir/b.jpg'])): '|S9', shape (2,).
std::string NumpyBytes() {
  std::string dict =
      "{'descr': '|S9', 'fortran_order': False, 'shape': (2,), }";
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + '\0' + dict +
         std::string("a.png\0\0\0\0dir/b.jpg", 18);
}

TEST(PayloadFile, ReadsTextLinesKeepingEmptyOnes) {
  TempDir dir;
  WriteBytes(dir.Sub("p.txt"), "a.png\n\nc d.jpg\nlast");
  std::vector<std::string> payloads;
  ASSERT_TRUE(ReadPayloads(dir.Sub("p.txt"), &payloads).ok());
  EXPECT_EQ(payloads,
            (std::vector<std::string>{"a.png", "", "c d.jpg", "last"}));
}

TEST(PayloadFile, ReadsNumpyByteStrings) {
  TempDir dir;
  WriteBytes(dir.Sub("p.npy"), NumpyBytes());
  std::vector<std::string> payloads;
  ASSERT_TRUE(ReadPayloads(dir.Sub("p.npy"), &payloads).ok());
  EXPECT_EQ(payloads, (std::vector<std::string>{"a.png", "dir/b.jpg"}));
}

TEST(PayloadFile, ReadsNumpyUnicodeAsUtf8) {
  TempDir dir;
  std::string dict =
      "{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }";
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict += '\n';
  // "é" (U+00E9) then a NUL pad.
  WriteBytes(dir.Sub("u.npy"), std::string("\x93NUMPY\x01\x00", 8) +
                                   char(dict.size()) + '\0' + dict +
                                   std::string("\xe9\0\0\0\0\0\0\0", 8));
  std::vector<std::string> payloads;
  ASSERT_TRUE(ReadPayloads(dir.Sub("u.npy"), &payloads).ok());
  EXPECT_EQ(payloads, (std::vector<std::string>{"\xc3\xa9"}));
}

TEST(PayloadFile, RoundTripsBinaryPayloadsThroughNpy) {
  TempDir dir;
  const std::vector<std::string> written = {std::string("\xff\0z", 3), "",
                                            "line\nbreak"};
  ASSERT_TRUE(
      WritePayloads(dir.Sub("p.npy"), PayloadFormatOf("p.npy"), written).ok());
  std::vector<std::string> read;
  ASSERT_TRUE(ReadPayloads(dir.Sub("p.npy"), &read).ok());
  EXPECT_EQ(read, written);
}

TEST(PayloadFile, RefusesWhatAFormatCannotHold) {
  TempDir dir;
  Status s = WritePayloads(dir.Sub("p.txt"), PayloadFormatOf("p.txt"),
                           {"ok", "two\nlines"});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("row 1"), std::string::npos) << s.ToString();
  s = WritePayloads(dir.Sub("p.npy"), PayloadFormatOf("p.npy"),
                    {std::string("nul\0", 4)});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("NUL"), std::string::npos) << s.ToString();
  const float value = 1;
  ASSERT_TRUE(WriteNpy(dir.Sub("f.npy"), NpyType::kFloat32, {1}, &value).ok());
  std::vector<std::string> payloads;
  s = ReadPayloads(dir.Sub("f.npy"), &payloads);
  EXPECT_NE(s.message().find("array of strings"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace semhash::io

// The worked examples of docs/format.md, byte for byte: if an encoding
// changes, this test and the document must change together (and the format
// version with them).
#include <gtest/gtest.h>

#include "format/id_record.h"
#include "format/keys.h"
#include "format/manifest_watermark.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"

namespace semhash::format {
namespace {

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    if (!hex.empty()) hex += ' ';
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

const std::vector<uint8_t> kCode = {0x01, 0x23, 0x45, 0x67,
                                    0x89, 0xab, 0xcd, 0xef};

TEST(Golden, Keys) {
  EXPECT_EQ(Hex(EncodeIdKey(42)), "00 00 00 00 00 00 00 2a");
  EXPECT_EQ(Hex(EncodePostingKey({0, 0x2A3B4C5, 1})),
            "00 02 a3 b4 c5 00 00 00 01");
}

TEST(Golden, TailRecord) {
  EXPECT_EQ(Hex(EncodeTailRecord({2, 17})),
            "06 01 08 00 00 00 02 00 00 00 11 00 00 00 6e c6 f4 e0 8f ca 52 "
            "57");
}

TEST(Golden, ManifestWatermark) {
  EXPECT_EQ(Hex(EncodeManifestWatermark({16, 732})),
            "07 01 10 00 00 00 10 00 00 00 00 00 00 00 dc 02 00 00 00 00 00 "
            "00 2c 05 a8 e3 6e 41 dc f1");
}

TEST(Golden, IdRecord) {
  EXPECT_EQ(Hex(EncodeIdRecord({0x2A3B4C5, {1}, kCode, "a.png"})),
            "03 01 18 00 00 00 c5 b4 a3 02 01 01 00 00 00 08 00 01 23 45 67 "
            "89 ab cd ef 61 2e 70 6e 67 fc 89 1b 40 dd 64 6a d6");
}

TEST(Golden, PostingChunk) {
  const uint64_t ids[] = {42, 7};
  std::vector<uint8_t> codes = kCode;
  codes.insert(codes.end(), 8, 0xff);
  EXPECT_EQ(Hex(EncodePostingChunk(8, 2, ids, codes.data())),
            "04 01 26 00 00 00 08 00 02 00 00 00 2a 00 00 00 00 00 00 00 07 "
            "00 00 00 00 00 00 00 01 23 45 67 89 ab cd ef ff ff ff ff ff ff "
            "ff ff 89 17 34 7e e3 aa 3c a0");
}

TEST(Golden, PostingOperands) {
  EXPECT_EQ(Hex(EncodeAddOperand(42, kCode)),
            "05 01 11 00 00 00 01 2a 00 00 00 00 00 00 00 01 23 45 67 89 ab "
            "cd ef 57 33 5b 3c dd 37 1d cf");
  EXPECT_EQ(Hex(EncodeRemoveOperand(42)),
            "05 01 09 00 00 00 02 2a 00 00 00 00 00 00 00 c6 80 d4 e9 f7 f2 "
            "ac ab");
}

}  // namespace
}  // namespace semhash::format

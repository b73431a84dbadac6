// The worked examples of docs/format.md, byte for byte: if an encoding
// changes, this test and the document must change together (and the format
// version with them).
#include <gtest/gtest.h>

#include "format/change_record.h"
#include "format/coding.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/manifest_watermark.h"
#include "format/payload_record.h"
#include "format/posting_chunk.h"
#include "format/segment_layout.h"
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

TEST(Golden, ChangeRecord) {
  EXPECT_EQ(Hex(EncodeChangeRecord({ChangeKind::kPut, 0x2A3B4C5, kCode})),
            "09 01 0d 00 00 00 01 c5 b4 a3 02 01 23 45 67 89 ab cd ef e4 28 28 "
            "86 8c e4 23 b7");
  EXPECT_EQ(Hex(EncodeChangeRecord({ChangeKind::kTombstone, 0, {}})),
            "09 01 01 00 00 00 02 f9 17 43 c5 e0 c9 0a 6e");
}

TEST(Golden, PayloadRecord) {
  EXPECT_EQ(Hex(EncodePayloadRecord("a.png")),
            "0a 01 05 00 00 00 61 2e 70 6e 67 be 49 45 d7 72 de 5b 54");
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

// docs/format.md, "Segment file": two rows, (id 42, address 0x01, kCode)
// and (id 7, address 0xff, ff × 8), 8-bit addresses, 64-bit codes, no
// tables, 4096-byte blocks. Each section is one block; its checksum and the
// header follow from the section bytes listed in the document.
TEST(Golden, SegmentHeader) {
  auto bytes = [](std::initializer_list<uint8_t> list) {
    return std::string(list.begin(), list.end());
  };
  std::string codes(kCode.begin(), kCode.end());
  codes.append(8, '\xff');
  const std::string sections[] = {
      codes,
      bytes({42, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}),  // ids
      bytes({0x01, 0, 0, 0, 0xff, 0, 0, 0}),                     // keys
      bytes({0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0}),               // directory
      bytes({1, 0, 0, 0, 0, 0, 0, 0}),                           // id order
  };
  SegmentHeader header = PlanSegment(8, 64, 2, 4096, {});
  ASSERT_EQ(header.sections.size(), 6u);
  std::string checksums;
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(header.sections[i].offset, 4096 * (i + 1));
    EXPECT_EQ(header.sections[i].length, sections[i].size());
    PutLittleEndian<uint64_t>(
        &checksums, SegmentBlockChecksum(
                        header.sections[i].kind, 0, 0,
                        reinterpret_cast<const uint8_t*>(sections[i].data()),
                        sections[i].size()));
  }
  EXPECT_EQ(Hex(checksums),
            "1c d6 0f b2 eb d1 28 09 8f d0 1d b6 e5 a0 fb d1 75 7d 3a 43 e2 d6 "
            "f7 07 0b 47 2b 76 c1 ff bf d4 aa 8b e8 ee 69 ed 3b c3");
  header.checksums_checksum = SegmentChecksumsChecksum(
      reinterpret_cast<const uint8_t*>(checksums.data()), checksums.size());
  const std::string encoded = EncodeSegmentHeader(header);
  ASSERT_EQ(encoded.size(), 4096u);
  EXPECT_EQ(encoded.find_first_not_of('\0', 158), std::string::npos);
  EXPECT_EQ(Hex(encoded.substr(0, 158)),
            "08 01 90 00 00 00 "                                // frame
            "08 00 00 00 40 00 00 00 02 00 00 00 00 00 00 00 "  // widths, rows
            "00 10 00 00 00 00 00 00 06 00 00 00 "  // block, tables, sections
            "01 00 00 10 00 00 00 00 00 00 10 00 00 00 00 00 00 00 "
            "02 00 00 20 00 00 00 00 00 00 10 00 00 00 00 00 00 00 "
            "03 00 00 30 00 00 00 00 00 00 08 00 00 00 00 00 00 00 "
            "04 00 00 40 00 00 00 00 00 00 0c 00 00 00 00 00 00 00 "
            "05 00 00 50 00 00 00 00 00 00 08 00 00 00 00 00 00 00 "
            "09 00 00 60 00 00 00 00 00 00 28 00 00 00 00 00 00 00 "
            "7b df 1b 4c 6d 65 48 ad "   // checksums_checksum
            "1d 4b e2 89 fa 86 03 5b");  // frame checksum
}

}  // namespace
}  // namespace semhash::format

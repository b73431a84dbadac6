// The segment header codec (format/segment_layout.h) on its own: planned
// layouts, round trips, and the headers a reader must refuse.
#include "format/segment_layout.h"

#include <gtest/gtest.h>

#include "format/frame.h"

namespace semhash::format {
namespace {

std::vector<SegmentTable> Tables(uint32_t m, uint32_t bits) {
  std::vector<SegmentTable> tables;
  for (uint32_t t = 0; t < m; ++t) tables.push_back({t * bits, bits});
  return tables;
}

TEST(SegmentLayout, PlanAlignsEverySectionAndSizesItFromTheRows) {
  const SegmentHeader h = PlanSegment(30, 256, 1000000, 65536, Tables(8, 32));
  ASSERT_EQ(h.sections.size(), 6u + 3 * 8);
  EXPECT_EQ(h.sections[0].offset, SegmentHeaderBytes(h));
  uint64_t end = SegmentHeaderBytes(h), blocks = 0;
  for (const SegmentSectionEntry& s : h.sections) {
    // At the previous end, rounded up to the alignment.
    EXPECT_EQ(s.offset % kSegmentAlignment, 0u);
    EXPECT_GE(s.offset, end);
    EXPECT_LT(s.offset - end, kSegmentAlignment);
    end = s.offset + s.length;
    if (s.kind != SegmentSection::kChecksums) {
      blocks += SegmentBlocks(s.length, 65536);
    }
  }
  EXPECT_EQ(h.sections[0].length, 32000000u);  // codes
  EXPECT_EQ(h.sections[1].length, 8000000u);   // ids
  // 2^19 + 1 directory slots: d = floor(log2(1M)) = 19.
  EXPECT_EQ(h.sections[3].length, 4u * ((1u << 19) + 1));
  EXPECT_EQ(h.sections.back().length, 8 * blocks);
  EXPECT_EQ(SegmentFileBytes(h), end);
}

TEST(SegmentLayout, HeaderRoundTrips) {
  for (uint32_t m : {0u, 8u, 64u}) {
    const uint32_t bits = m == 0 ? 0 : 256 / m;
    SegmentHeader h = PlanSegment(12, 256, 12345, 4096, Tables(m, bits));
    h.checksums_checksum = 0x0123456789abcdef;
    const std::string bytes = EncodeSegmentHeader(h);
    EXPECT_EQ(bytes.size() % kSegmentAlignment, 0u);
    SegmentHeader back;
    const Status s = DecodeSegmentHeader(bytes, &back);
    ASSERT_TRUE(s.ok()) << m << ": " << s.ToString();
    EXPECT_EQ(back.tables, h.tables);
    EXPECT_EQ(back.sections, h.sections);
    EXPECT_EQ(back.checksums_checksum, h.checksums_checksum);
    EXPECT_EQ(EncodeSegmentHeader(back), bytes);
  }
}

TEST(SegmentLayout, DecoderRefusesWhatThePlanWouldNotWrite) {
  const SegmentHeader good = PlanSegment(16, 128, 5000, 4096, Tables(4, 32));
  auto refused = [](const SegmentHeader& h, const std::string& message) {
    SegmentHeader out;
    const Status s = DecodeSegmentHeader(EncodeSegmentHeader(h), &out);
    EXPECT_TRUE(s.IsCorruption()) << message << ": " << s.ToString();
    EXPECT_NE(s.message().find(message), std::string::npos) << s.ToString();
  };
  SegmentHeader h = good;
  h.rows = uint64_t{1} << 32;
  refused(h, "more than 2^32 - 1");
  h = good;
  h.code_bits = 96;
  refused(h, "code_bits 96");
  h = good;
  h.address_bits = 7;
  refused(h, "address_bits 7");
  h = good;
  h.block_bytes = 2048;
  refused(h, "block_bytes 2048");
  h = good;
  h.tables[3].bits = 31;  // Covers 127 of 128 bits.
  refused(h, "cover 127 of 128");
  h = good;
  h.tables[0].bits = 3;
  refused(h, "table 0 substring");
  h = good;
  h.sections.pop_back();
  refused(h, "sections where");
  h = good;
  h.sections[4].table = 1;
  refused(h, "section 4 is kind 5 table 1");
  // Bytes past a well-formed frame but inside its padding.
  std::string bytes = EncodeSegmentHeader(good);
  bytes[bytes.size() - 1] = 'x';
  SegmentHeader out;
  EXPECT_TRUE(DecodeSegmentHeader(bytes, &out).IsCorruption());
  EXPECT_TRUE(DecodeSegmentHeader(bytes.substr(0, bytes.size() - 1), &out)
                  .IsCorruption());
}

TEST(SegmentLayout, BlockChecksumsDependOnKindTableAndPosition) {
  const uint8_t data[16] = {1, 2, 3};
  const uint64_t base =
      SegmentBlockChecksum(SegmentSection::kTableKeys, 2, 7, data, 16);
  EXPECT_NE(base,
            SegmentBlockChecksum(SegmentSection::kTableRows, 2, 7, data, 16));
  EXPECT_NE(base,
            SegmentBlockChecksum(SegmentSection::kTableKeys, 3, 7, data, 16));
  EXPECT_NE(base,
            SegmentBlockChecksum(SegmentSection::kTableKeys, 2, 8, data, 16));
  EXPECT_NE(base,
            SegmentBlockChecksum(SegmentSection::kTableKeys, 2, 7, data, 15));
}

}  // namespace
}  // namespace semhash::format

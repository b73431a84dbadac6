#include "format/frame.h"

#include <gtest/gtest.h>

namespace semhash::format {
namespace {

std::string Framed(std::string_view payload) {
  std::string value;
  AppendFrame(RecordKind::kTail, 3, payload, &value);
  return value;
}

TEST(Frame, RoundTrip) {
  const std::string value = Framed("hello");
  ASSERT_EQ(value.size(), kFrameOverheadBytes + 5);
  FrameView frame;
  ASSERT_TRUE(DecodeFrame(RecordKind::kTail, value, &frame).ok());
  EXPECT_EQ(frame.version, 3);
  EXPECT_EQ(frame.payload, "hello");
}

TEST(Frame, EveryFlippedByteIsCorruption) {
  const std::string value = Framed("posting payload bytes");
  for (size_t i = 0; i < value.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xFF}) {
      std::string damaged = value;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      FrameView frame;
      EXPECT_TRUE(
          DecodeFrame(RecordKind::kTail, damaged, &frame).IsCorruption())
          << "byte " << i << " flip " << int(flip);
    }
  }
}

TEST(Frame, EveryTruncationIsCorruption) {
  const std::string value = Framed("abc");
  for (size_t n = 0; n < value.size(); ++n) {
    FrameView frame;
    EXPECT_TRUE(DecodeFrame(RecordKind::kTail, value.substr(0, n), &frame)
                    .IsCorruption())
        << n;
  }
}

TEST(Frame, KindIsCheckedAndSeedsTheChecksum) {
  std::string value = Framed("abc");
  FrameView frame;
  EXPECT_TRUE(DecodeFrame(RecordKind::kIdRecord, value, &frame).IsCorruption());
  // Relabelling the kind byte alone must not verify as the other kind.
  value[0] = static_cast<char>(RecordKind::kIdRecord);
  EXPECT_TRUE(DecodeFrame(RecordKind::kIdRecord, value, &frame).IsCorruption());
}

}  // namespace
}  // namespace semhash::format

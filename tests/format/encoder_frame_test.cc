// Tests for the encoder-model frame (format/encoder_frame.cc): the model
// bytes come back unchanged, and a frame of another version or kind is
// Corruption. Linked with semhash_format alone: no encoder code is needed.
#include "format/encoder_frame.h"

#include <gtest/gtest.h>

#include <string>

#include "format/frame.h"

namespace semhash::format {
namespace {

TEST(EncoderFrame, RoundTripsTheModelBytes) {
  const std::string model("SHEM\0model\xff bytes", 17);
  const std::string framed = EncodeEncoderFrame(model);
  ASSERT_EQ(framed.size(), kFrameOverheadBytes + model.size());
  EXPECT_EQ(static_cast<uint8_t>(framed[0]),
            static_cast<uint8_t>(RecordKind::kEncoderModel));
  std::string_view decoded;
  ASSERT_TRUE(DecodeEncoderFrame(framed, &decoded).ok());
  EXPECT_EQ(decoded, model);
}

TEST(EncoderFrame, AnotherVersionIsCorruption) {
  std::string framed;
  AppendFrame(RecordKind::kEncoderModel, kEncoderFrameVersion + 1, "model",
              &framed);
  std::string_view decoded;
  const Status s = DecodeEncoderFrame(framed, &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.ToString().find("encoder model: unknown version 2"),
            std::string::npos)
      << s.ToString();
}

TEST(EncoderFrame, AnotherKindIsCorruption) {
  std::string framed;
  AppendFrame(RecordKind::kManifest, kEncoderFrameVersion, "model", &framed);
  std::string_view decoded;
  EXPECT_TRUE(DecodeEncoderFrame(framed, &decoded).IsCorruption());
}

}  // namespace
}  // namespace semhash::format

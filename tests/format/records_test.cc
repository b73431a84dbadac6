// Id records, tail records and the manifest: round trips and damage.
#include <gtest/gtest.h>

#include <cstring>

#include "format/frame.h"
#include "format/id_record.h"
#include "format/manifest.h"
#include "format/manifest_watermark.h"
#include "format/tail_record.h"

namespace semhash::format {
namespace {

TEST(IdRecord, RoundTrip) {
  IdRecord record{0x3FFFFFFF, {7}, std::vector<uint8_t>(32, 0xA5), "img/1.png"};
  IdRecord decoded;
  ASSERT_TRUE(DecodeIdRecord(EncodeIdRecord(record), &decoded).ok());
  EXPECT_EQ(decoded.address, record.address);
  EXPECT_EQ(decoded.chunks, record.chunks);
  EXPECT_EQ(decoded.code, record.code);
  EXPECT_EQ(decoded.payload, record.payload);
}

TEST(IdRecord, EmptyPayloadAndDamage) {
  const std::string value =
      EncodeIdRecord({1, {0}, std::vector<uint8_t>(8, 1), ""});
  IdRecord decoded;
  ASSERT_TRUE(DecodeIdRecord(value, &decoded).ok());
  EXPECT_TRUE(decoded.payload.empty());
  for (size_t i = 0; i < value.size(); ++i) {
    std::string damaged = value;
    damaged[i] ^= 0x04;
    EXPECT_TRUE(DecodeIdRecord(damaged, &decoded).IsCorruption()) << i;
  }
}

TEST(IdRecord, CodeLengthBeyondPayloadIsCorruption) {
  // Well-framed payload whose code length field points past its end.
  std::string payload("\x01\x00\x00\x00\x01\x00\x00\x00\x00\xFF\x00", 11);
  std::string value;
  AppendFrame(RecordKind::kIdRecord, kIdRecordVersion, payload, &value);
  IdRecord decoded;
  EXPECT_TRUE(DecodeIdRecord(value, &decoded).IsCorruption());
}

TEST(TailRecord, RoundTrip) {
  TailRecord decoded;
  ASSERT_TRUE(DecodeTailRecord(EncodeTailRecord({3, 1000}), &decoded).ok());
  EXPECT_EQ(decoded.chunk, 3u);
  EXPECT_EQ(decoded.appended, 1000u);
}

TEST(ManifestWatermark, RoundTripAndEveryFlipIsCorruption) {
  const std::string value = EncodeManifestWatermark({16, 732});
  // kind 7, version 1, length 16, the two numbers, the checksum.
  ASSERT_EQ(value.size(), 6u + 16 + 8);
  EXPECT_EQ(value.substr(0, 6), std::string("\x07\x01\x10\x00\x00\x00", 6));
  ManifestWatermark decoded;
  ASSERT_TRUE(DecodeManifestWatermark(value, &decoded).ok());
  EXPECT_EQ(decoded.manifest_number, 16u);
  EXPECT_EQ(decoded.synced_bytes, 732u);
  for (size_t i = 0; i < value.size(); ++i) {
    std::string damaged = value;
    damaged[i] ^= 0x10;
    EXPECT_TRUE(DecodeManifestWatermark(damaged, &decoded).IsCorruption()) << i;
  }
  EXPECT_TRUE(
      DecodeManifestWatermark(value.substr(0, 20), &decoded).IsCorruption());
}

Manifest SampleManifest() {
  Manifest m;
  m.address_bits = 30;
  m.code_bits = 256;
  m.posting_chunk_capacity = 1024;
  m.merge_operator = "semhash.PostingChunkMerge.v1";
  m.encoder_kind = "lsh";
  m.encoder_params = "seed=42";
  m.encoder_model_checksum = 0x0123456789ABCDEF;
  return m;
}

TEST(Manifest, RoundTripIsByteStable) {
  const std::string value = EncodeManifest(SampleManifest());
  Manifest decoded;
  ASSERT_TRUE(DecodeManifest(value, &decoded).ok());
  EXPECT_EQ(decoded.address_bits, 30u);
  EXPECT_EQ(decoded.code_bits, 256u);
  EXPECT_EQ(decoded.encoder_kind, "lsh");
  EXPECT_EQ(decoded.encoder_params, "seed=42");
  EXPECT_EQ(decoded.encoder_model_checksum, 0x0123456789ABCDEFu);
  EXPECT_EQ(EncodeManifest(decoded), value);
}

TEST(Manifest, EveryFlippedByteIsCorruption) {
  const std::string value = EncodeManifest(SampleManifest());
  for (size_t i = 0; i < value.size(); ++i) {
    std::string damaged = value;
    damaged[i] ^= 0x20;
    Manifest decoded;
    EXPECT_TRUE(DecodeManifest(damaged, &decoded).IsCorruption()) << i;
  }
}

TEST(Manifest, NewerFormatIsNotSupported) {
  Manifest m = SampleManifest();
  m.format_version = kFormatVersion + 1;
  Manifest decoded;
  const Status s = DecodeManifest(EncodeManifest(m), &decoded);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
}

TEST(Manifest, OutOfRangeFieldsAreNamed) {
  Manifest m = SampleManifest();
  m.code_bits = 100;
  Manifest decoded;
  const Status s = DecodeManifest(EncodeManifest(m), &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("code_bits"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace semhash::format

namespace semhash::format {
namespace {

// Found by manifest_fuzzer under UBSan: a frame's payload starts 6 bytes into
// the value, and FlatBuffers read the manifest's scalars in place, misaligned.
// Decoding must work from every alignment (UBSan checks it in CI).
TEST(ManifestRegression, MisalignedPayloadIsReadAligned) {
  const std::string value = EncodeManifest(SampleManifest());
  std::vector<uint64_t> storage(value.size() / 8 + 2);
  for (size_t shift = 0; shift < 8; ++shift) {
    char* start = reinterpret_cast<char*>(storage.data()) + shift;
    std::memcpy(start, value.data(), value.size());
    Manifest decoded;
    ASSERT_TRUE(
        DecodeManifest(std::string_view(start, value.size()), &decoded).ok())
        << shift;
    EXPECT_EQ(decoded.encoder_params, "seed=42");
  }
}

}  // namespace
}  // namespace semhash::format

// The calibration record (format/calibration_record.h): round trips, damage
// of every byte, and room for fields a later version appends.
#include "format/calibration_record.h"

#include <gtest/gtest.h>

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {
namespace {

CalibrationRecord Example() {
  CalibrationRecord record;
  record.rows = 60000;
  record.queries = 256;
  record.points = {
      {CalibratedPlan::kExact, 10, 0, 2560, 2560, 15360000, 0, 0},
      {CalibratedPlan::kAddressProbe, 10, 512, 2480, 2560, 0, 131072, 9000},
      {CalibratedPlan::kTableProbe, 100, 4096, 25000, 25600, 0, 1048576, 70000},
  };
  return record;
}

TEST(CalibrationRecord, RoundTrip) {
  for (CalibrationSource source :
       {CalibrationSource::kStoredCodes, CalibrationSource::kGivenQueries}) {
    CalibrationRecord record = Example();
    record.source = source;
    CalibrationRecord decoded;
    ASSERT_TRUE(
        DecodeCalibrationRecord(EncodeCalibrationRecord(record), &decoded)
            .ok());
    EXPECT_EQ(decoded, record);
  }
}

TEST(CalibrationRecord, EveryFlippedByteIsCorruption) {
  const std::string value = EncodeCalibrationRecord(Example());
  for (size_t i = 0; i < value.size(); ++i) {
    std::string damaged = value;
    damaged[i] ^= 0x10;
    CalibrationRecord decoded;
    const Status s = DecodeCalibrationRecord(damaged, &decoded);
    EXPECT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
  }
  CalibrationRecord decoded;
  EXPECT_TRUE(
      DecodeCalibrationRecord(value.substr(0, value.size() - 1), &decoded)
          .IsCorruption());
  EXPECT_TRUE(DecodeCalibrationRecord("", &decoded).IsCorruption());
}

// A frame whose checksum is right but whose payload lies: each is named.
TEST(CalibrationRecord, InconsistentPayloadIsCorruption) {
  auto reframe = [](std::string payload) {
    std::string value;
    AppendFrame(RecordKind::kCalibration, kCalibrationVersion, payload, &value);
    return value;
  };
  const std::string value = EncodeCalibrationRecord(Example());
  const std::string payload =
      value.substr(kFrameHeaderBytes, value.size() - kFrameOverheadBytes);
  CalibrationRecord decoded;
  // Three points claimed, two present.
  Status s = DecodeCalibrationRecord(
      reframe(payload.substr(0, payload.size() - kCalibrationPointBytes)),
      &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("do not fit"), std::string::npos) << s.ToString();
  // An unknown plan.
  std::string bad_plan = payload;
  bad_plan[19] = 7;
  s = DecodeCalibrationRecord(reframe(bad_plan), &decoded);
  EXPECT_NE(s.message().find("unknown plan 7"), std::string::npos)
      << s.ToString();
  // More found than there were to find.
  std::string too_many = payload;
  too_many[19 + 13] = char(0xff);
  s = DecodeCalibrationRecord(reframe(too_many), &decoded);
  EXPECT_NE(s.message().find("found more"), std::string::npos) << s.ToString();
}

// A later version may append fields to each point: point_bytes says how
// far to skip, and the fields known are read as before.
TEST(CalibrationRecord, LongerPointsAreReadByTheirKnownFields) {
  const CalibrationRecord record = Example();
  std::string payload;
  PutLittleEndian<uint64_t>(&payload, record.rows);
  PutLittleEndian<uint32_t>(&payload, record.queries);
  payload.push_back(0);
  PutLittleEndian<uint32_t>(&payload, uint32_t(record.points.size()));
  PutLittleEndian<uint16_t>(&payload, kCalibrationPointBytes + 3);
  const std::string value = EncodeCalibrationRecord(record);
  for (size_t i = 0; i < record.points.size(); ++i) {
    payload.append(value, kFrameHeaderBytes + 19 + i * kCalibrationPointBytes,
                   kCalibrationPointBytes);
    payload.append("new");
  }
  std::string longer;
  AppendFrame(RecordKind::kCalibration, kCalibrationVersion, payload, &longer);
  CalibrationRecord decoded;
  ASSERT_TRUE(DecodeCalibrationRecord(longer, &decoded).ok());
  EXPECT_EQ(decoded, record);
}

}  // namespace
}  // namespace semhash::format

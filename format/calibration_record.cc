// Calibration record codec (see calibration_record.h).
#include "format/calibration_record.h"

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {
namespace {

constexpr size_t kHeaderBytes = 8 + 4 + 1 + 4 + 2;

Status Damaged(const std::string& what) {
  return Status::Corruption("calibration record: " + what);
}

}  // namespace

std::string EncodeCalibrationRecord(const CalibrationRecord& record) {
  std::string payload;
  PutLittleEndian<uint64_t>(&payload, record.rows);
  PutLittleEndian<uint32_t>(&payload, record.queries);
  payload.push_back(static_cast<char>(record.source));
  PutLittleEndian<uint32_t>(&payload,
                            static_cast<uint32_t>(record.points.size()));
  PutLittleEndian<uint16_t>(&payload, kCalibrationPointBytes);
  for (const CalibrationPoint& point : record.points) {
    payload.push_back(static_cast<char>(point.plan));
    PutLittleEndian<uint32_t>(&payload, point.k);
    for (uint64_t field :
         {point.budget, point.found, point.relevant, point.codes_scanned,
          point.candidates, point.lookups}) {
      PutLittleEndian<uint64_t>(&payload, field);
    }
  }
  std::string value;
  AppendFrame(RecordKind::kCalibration, kCalibrationVersion, payload, &value);
  return value;
}

Status DecodeCalibrationRecord(std::string_view value, CalibrationRecord* out) {
  std::string_view payload;
  Status s = DecodeFrameOfVersion(RecordKind::kCalibration, kCalibrationVersion,
                                  "calibration record", value, &payload);
  if (!s.ok()) return s;
  if (payload.size() < kHeaderBytes) return Damaged("short header");
  const char* p = payload.data();
  CalibrationRecord record;
  record.rows = GetLittleEndian<uint64_t>(p);
  record.queries = GetLittleEndian<uint32_t>(p + 8);
  const auto source = static_cast<uint8_t>(p[12]);
  if (source > static_cast<uint8_t>(CalibrationSource::kGivenQueries)) {
    return Damaged("unknown query source " + std::to_string(source));
  }
  record.source = static_cast<CalibrationSource>(source);
  const uint32_t count = GetLittleEndian<uint32_t>(p + 13);
  const uint16_t point_bytes = GetLittleEndian<uint16_t>(p + 17);
  if (point_bytes < kCalibrationPointBytes) {
    return Damaged("points of " + std::to_string(point_bytes) + " bytes");
  }
  if ((payload.size() - kHeaderBytes) / point_bytes < count) {
    return Damaged(std::to_string(count) + " points do not fit in " +
                   std::to_string(payload.size()) + " bytes");
  }
  for (uint32_t i = 0; i < count; ++i) {
    const char* q = p + kHeaderBytes + size_t{i} * point_bytes;
    CalibrationPoint& point = record.points.emplace_back();
    const auto plan = static_cast<uint8_t>(q[0]);
    if (plan < static_cast<uint8_t>(CalibratedPlan::kExact) ||
        plan > static_cast<uint8_t>(CalibratedPlan::kAddressProbe)) {
      return Damaged("unknown plan " + std::to_string(plan));
    }
    point.plan = static_cast<CalibratedPlan>(plan);
    point.k = GetLittleEndian<uint32_t>(q + 1);
    uint64_t* fields[] = {&point.budget,     &point.found,
                          &point.relevant,   &point.codes_scanned,
                          &point.candidates, &point.lookups};
    for (size_t f = 0; f < std::size(fields); ++f) {
      *fields[f] = GetLittleEndian<uint64_t>(q + 5 + 8 * f);
    }
    if (point.found > point.relevant) {
      return Damaged("point " + std::to_string(i) + " found more than exist");
    }
  }
  *out = std::move(record);
  return Status::OK();
}

}  // namespace semhash::format

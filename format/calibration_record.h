// The calibration record: what a database measured about its own searches,
// so that SearchOptions::target_recall can be met without hand-set knobs
// (engine/db/search_planner.h). Column family "default", key "calibration",
// frame kind 11. Layout and a worked example: docs/format.md, "Calibration
// (kind 11)".
//
// Every figure is a whole number summed over the sample queries (results
// that count as found, work counted by the searches' own statistics), so
// the record is the same bytes on every machine for the same data.
#ifndef SEMHASH_FORMAT_CALIBRATION_RECORD_H_
#define SEMHASH_FORMAT_CALIBRATION_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"

namespace semhash::format {

inline constexpr char kCalibrationKey[] = "calibration";
inline constexpr uint8_t kCalibrationVersion = 1;

// A search plan as stored. On disk: never renumber.
enum class CalibratedPlan : uint8_t {
  kExact = 1,         // DB::SearchExact.
  kTableProbe = 2,    // The multi-index tables, up to a candidate budget.
  kAddressProbe = 3,  // The address ball, up to a candidate budget.
};

// Where the sample queries came from. On disk: never renumber.
enum class CalibrationSource : uint8_t {
  kStoredCodes = 0,   // Stored codes, each query's own id left out.
  kGivenQueries = 1,  // Held-out queries the application supplied.
};

// One plan at one budget and one k, summed over every sample query.
struct CalibrationPoint {
  CalibratedPlan plan = CalibratedPlan::kExact;
  uint32_t k = 0;
  uint64_t budget = 0;  // Candidates; 0 for kExact.
  // Results among each query's first k whose distance is at most the exact
  // k-th distance (so a tie with it counts), and how many there could be.
  uint64_t found = 0;
  uint64_t relevant = 0;
  uint64_t codes_scanned = 0;  // Codes compared by a sequential scan.
  uint64_t candidates = 0;     // Codes compared after a lookup.
  uint64_t lookups = 0;        // Table or address lookups.

  friend bool operator==(const CalibrationPoint&,
                         const CalibrationPoint&) = default;
};

struct CalibrationRecord {
  uint64_t rows = 0;  // Images stored when it was measured.
  uint32_t queries = 0;
  CalibrationSource source = CalibrationSource::kStoredCodes;
  std::vector<CalibrationPoint> points;

  friend bool operator==(const CalibrationRecord&,
                         const CalibrationRecord&) = default;
};

// Bytes of one point in version 1; a later version may append fields to
// each point (point_bytes grows) and readers skip what they do not know.
inline constexpr uint16_t kCalibrationPointBytes = 53;

std::string EncodeCalibrationRecord(const CalibrationRecord& record);
// Corruption naming the problem if `value` is not one intact record: a
// damaged frame, an unknown plan or source, or points that do not fit.
Status DecodeCalibrationRecord(std::string_view value, CalibrationRecord* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_CALIBRATION_RECORD_H_

// Calibration as text and JSON (see calibration_text.h).
#include "tools/calibration_text.h"

#include <iomanip>

#include "semhash/db.h"

namespace semhash::cli {

void PrintCalibration(const Status& status, const Calibration& calibration,
                      std::ostream& out) {
  if (status.IsNotFound()) {
    out << "calibration: none (searches are exact; bulk loads and "
           "compactions of "
        << kMinCalibrationRows
        << " images or more calibrate, as does `semhash calibrate`)\n";
    return;
  }
  if (!status.ok()) {
    out << "calibration: damaged, " << status.ToString()
        << " (searches below recall 1 fail; `semhash calibrate` replaces "
           "it)\n";
    return;
  }
  out << "calibration: " << calibration.queries
      << (calibration.held_out ? " held-out queries" : " stored codes")
      << " at " << calibration.rows << " images ("
      << (calibration.stale ? "stale" : "current") << ": "
      << calibration.rows_now << " now)\n"
      << "  k  plan            budget  recall  (low)    scanned  candidates  "
         "lookups   cost us\n";
  const std::ios::fmtflags flags = out.flags();
  out << std::fixed;
  for (const CalibrationPoint& p : calibration.points) {
    out << std::setw(3) << p.k << "  " << std::left << std::setw(14)
        << SearchPlanName(p.plan) << std::right << std::setw(8) << p.budget
        << std::setprecision(4) << std::setw(8) << p.recall << std::setw(8)
        << p.recall_low << std::setprecision(0) << std::setw(11)
        << p.codes_scanned << std::setw(12) << p.candidates << std::setw(9)
        << p.lookups << std::setprecision(1) << std::setw(10)
        << p.cost_ns / 1000 << "\n";
  }
  out.flags(flags);
}

void JsonCalibration(const Status& status, const Calibration& calibration,
                     JsonWriter* json) {
  json->Key("calibration");
  if (status.IsNotFound()) {
    json->Null();
    return;
  }
  if (!status.ok()) {
    json->BeginObject().Key("error").String(status.ToString()).EndObject();
    return;
  }
  json->BeginObject();
  json->Key("rows").Uint(calibration.rows);
  json->Key("rows_now").Uint(calibration.rows_now);
  json->Key("stale").Bool(calibration.stale);
  json->Key("queries").Uint(calibration.queries);
  json->Key("held_out").Bool(calibration.held_out);
  json->Key("points").BeginArray();
  for (const CalibrationPoint& p : calibration.points) {
    json->BeginObject();
    json->Key("plan").String(SearchPlanName(p.plan));
    json->Key("k").Uint(p.k);
    json->Key("budget").Uint(p.budget);
    json->Key("recall").Double(p.recall);
    json->Key("recall_low").Double(p.recall_low);
    json->Key("codes_scanned").Double(p.codes_scanned);
    json->Key("candidates").Double(p.candidates);
    json->Key("lookups").Double(p.lookups);
    json->Key("cost_ns").Double(p.cost_ns);
    json->EndObject();
  }
  json->EndArray().EndObject();
}

}  // namespace semhash::cli

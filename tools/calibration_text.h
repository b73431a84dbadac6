// The calibration a database stores (semhash/calibration.h) as text and as
// JSON, for `semhash inspect` and `semhash calibrate`.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_CALIBRATION_TEXT_H_
#define SEMHASH_TOOLS_CALIBRATION_TEXT_H_

#include <ostream>

#include "semhash/calibration.h"
#include "semhash/status.h"
#include "tools/json_writer.h"

namespace semhash::cli {

// `status` is what DB::GetCalibration returned: OK (then `calibration` is
// shown), NotFound (none stored) or the error of a damaged record.
void PrintCalibration(const Status& status, const Calibration& calibration,
                      std::ostream& out);
// The same as the key "calibration" of an open JSON object: null when none
// is stored, {"error": ...} when damaged.
void JsonCalibration(const Status& status, const Calibration& calibration,
                     JsonWriter* json);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_CALIBRATION_TEXT_H_

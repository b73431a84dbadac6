// Calibration: how well each search plan does on this database, measured on
// its own codes, which DB::Search's planner reads to meet
// SearchOptions::target_recall (DB::Calibrate, DB::GetCalibration).
//
// Thread safety: plain structs.
#ifndef SEMHASH_CALIBRATION_H_
#define SEMHASH_CALIBRATION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/codes.h"
#include "semhash/search.h"

namespace semhash {

struct CalibrateOptions {
  // Stored codes sampled as queries (a fixed seed: the same database gives
  // the same sample); each query's own id is left out of its answers.
  // Ignored when held-out queries are given below.
  size_t sample_queries = 256;
  // Held-out queries the application supplies instead: n addresses and n
  // codes (code_bits / 8 bytes each, back to back), owned by the caller.
  size_t n = 0;
  const Address* addresses = nullptr;
  const uint8_t* codes = nullptr;
  // Threads for the sample's searches (0: one per core). The figures do
  // not depend on it.
  unsigned threads = 0;
};

// One plan at one candidate budget for answers of k neighbours, averaged
// over the sample queries.
struct CalibrationPoint {
  SearchPlan plan = SearchPlan::kExact;
  uint32_t k = 0;
  uint64_t budget = 0;  // Candidates; 0 for kExact.
  // Recall@k against the exact answer (ties with the k-th nearest count).
  double recall = 0;
  // Two standard errors below `recall`: what the planner compares with
  // SearchOptions::target_recall, so that the target holds beyond the
  // sample.
  double recall_low = 0;
  // Work per query, as SearchStats counts it: codes compared by a
  // sequential scan, codes compared after a lookup, and lookups.
  double codes_scanned = 0;
  double candidates = 0;
  double lookups = 0;
  // The planner's cost of one query, in nanoseconds on the machine the
  // cost constants were measured on (engine/db/search_planner.h).
  double cost_ns = 0;
};

struct Calibration {
  uint64_t rows = 0;  // Images stored when it was measured.
  uint64_t rows_now = 0;
  // rows and rows_now differ by more than a fifth: a bulk load or a
  // compaction will measure again (DB::Calibrate does at once).
  bool stale = false;
  uint32_t queries = 0;
  bool held_out = false;  // Queries the application gave, not stored codes.
  std::vector<CalibrationPoint> points;
};

}  // namespace semhash

#endif  // SEMHASH_CALIBRATION_H_

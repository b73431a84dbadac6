// The search planner: which plan DB::Search runs for a recall target
// (SearchOptions::target_recall), chosen from the database's calibration
// (format/calibration_record.h), and the knobs each plan runs with, which
// DB::Calibrate measures with the same function.
//
// Cost is counted work, never time, so a plan choice is the same on every
// run: a query's cost is
//   codes_scanned * kScanNsPer64Bits * code_bits / 64
//   + candidates * kCandidateNs + lookups * kLookupNs,
// in nanoseconds on the machine the constants were measured on (see
// search_planner.cc for the command). The plan is the least costly one
// whose calibrated recall@k, less two standard errors, reaches the target, for
// the smallest calibrated k at least the query's; with no such k, no
// calibration, or a target of 1, it is the exact search.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_DB_SEARCH_PLANNER_H_
#define SEMHASH_ENGINE_DB_SEARCH_PLANNER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format/calibration_record.h"
#include "semhash/calibration.h"
#include "semhash/options.h"
#include "semhash/search.h"

namespace semhash {

// The k a calibration measures, ascending.
inline constexpr uint32_t kCalibratedK[] = {10, 100};

// The calibration is stale once the images stored differ from the
// calibrated count by more than this fraction of it.
inline constexpr double kStaleFraction = 0.2;

struct PlannedSearch {
  SearchPlan plan = SearchPlan::kExact;
  uint64_t budget = 0;
  double expected_recall = 1;
  bool stale = false;
};

// The public view of a stored calibration, with costs per query.
Calibration DescribeCalibration(const format::CalibrationRecord& record,
                                uint64_t rows_now, uint32_t code_bits);

// The plan for a query of k neighbours at `target` recall.
// REQUIRES: target in (0, 1].
PlannedSearch ChoosePlan(const Calibration& calibration, size_t k,
                         double target);

// The options a budgeted probe plan runs with.
// REQUIRES: plan is kTableProbe or kAddressProbe.
SearchOptions PlanOptions(SearchPlan plan, uint64_t budget);

// The candidate budgets worth measuring on `rows` images of code_bits
// bits: from 32, doubling, while a probe's candidates alone cost less than
// a scan.
std::vector<uint64_t> CalibrationBudgets(uint64_t rows, uint32_t code_bits);

// Stored and public names of a plan.
format::CalibratedPlan ToStored(SearchPlan plan);
SearchPlan FromStored(format::CalibratedPlan plan);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_SEARCH_PLANNER_H_

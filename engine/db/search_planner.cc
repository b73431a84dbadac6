// The search planner (see search_planner.h).
//
// The cost constants come from one quiet run of
//   semhash bench --n 1000000 --tables 13
// on this project's 2-core machine (docs/benchmarks.md, "1M clustered
// codes"), each row's time per query divided by the work it counts:
// SearchExact's scan, 794.6 queries/s over 1M 256-bit codes, is 1.26 ns a
// code (0.3 ns per 64 bits; codes that fit in the cache scan at about half
// that, so small databases are charged a little more than they cost); the
// 13-table probe at min_candidates 100 and 2500 (41,571 and 3,313
// queries/s, 113 and 2,672 candidates) adds about 110 ns per candidate,
// its lookups included, which is split as 100 ns a candidate and 40 ns a
// lookup, the address probe's range lookups (radius 3, whole ball) costing
// about that. Only their ratios matter to a choice; remeasure them with the
// same command on another machine kind.
#include "engine/db/search_planner.h"

#include <cmath>

namespace semhash {
namespace {

// A 64-bit word of a code compared by the sequential scan.
constexpr double kScanNsPer64Bits = 0.3;
// A code compared after a lookup: a cache miss for its row, its id and code.
constexpr double kCandidateNs = 100;
// A table or address lookup: a directory read and a binary search.
constexpr double kLookupNs = 40;

// The largest radii the budgeted probes may reach; the budget stops them
// first on all but the farthest queries.
constexpr uint32_t kPlanTableRadius = 3;
constexpr uint32_t kPlanAddressRadius = 4;

double QueryCost(double codes_scanned, double candidates, double lookups,
                 uint32_t code_bits) {
  return codes_scanned * kScanNsPer64Bits * (code_bits / 64.0) +
         candidates * kCandidateNs + lookups * kLookupNs;
}

// Two standard errors below the measured recall, as if each of the
// relevant results were found independently: a plan chosen by it meets the
// target on other queries like the sample's, not only on the sample.
double RecallLowerBound(uint64_t found, uint64_t relevant) {
  if (relevant == 0) return 1;
  const double n = double(relevant);
  const double p = double(found) / n;
  return p - 2 * std::sqrt(p * (1 - p) / n);
}

}  // namespace

format::CalibratedPlan ToStored(SearchPlan plan) {
  switch (plan) {
    case SearchPlan::kTableProbe:
      return format::CalibratedPlan::kTableProbe;
    case SearchPlan::kAddressProbe:
      return format::CalibratedPlan::kAddressProbe;
    case SearchPlan::kExact:
    case SearchPlan::kExplicit:
      break;
  }
  return format::CalibratedPlan::kExact;
}

SearchPlan FromStored(format::CalibratedPlan plan) {
  switch (plan) {
    case format::CalibratedPlan::kTableProbe:
      return SearchPlan::kTableProbe;
    case format::CalibratedPlan::kAddressProbe:
      return SearchPlan::kAddressProbe;
    case format::CalibratedPlan::kExact:
      break;
  }
  return SearchPlan::kExact;
}

Calibration DescribeCalibration(const format::CalibrationRecord& record,
                                uint64_t rows_now, uint32_t code_bits) {
  Calibration out;
  out.rows = record.rows;
  out.rows_now = rows_now;
  out.stale = std::abs(double(rows_now) - double(record.rows)) >
              kStaleFraction * double(record.rows);
  out.queries = record.queries;
  out.held_out = record.source == format::CalibrationSource::kGivenQueries;
  const double queries = std::max<double>(record.queries, 1);
  // The exact scan reads every image now stored, not as many as then.
  const double scale =
      record.rows == 0 ? 1 : double(rows_now) / double(record.rows);
  for (const format::CalibrationPoint& stored : record.points) {
    CalibrationPoint& point = out.points.emplace_back();
    point.plan = FromStored(stored.plan);
    point.k = stored.k;
    point.budget = stored.budget;
    point.recall = stored.relevant == 0
                       ? 1
                       : double(stored.found) / double(stored.relevant);
    point.recall_low = RecallLowerBound(stored.found, stored.relevant);
    point.codes_scanned = double(stored.codes_scanned) / queries * scale;
    point.candidates = double(stored.candidates) / queries;
    point.lookups = double(stored.lookups) / queries;
    point.cost_ns = QueryCost(point.codes_scanned, point.candidates,
                              point.lookups, code_bits);
  }
  return out;
}

PlannedSearch ChoosePlan(const Calibration& calibration, size_t k,
                         double target) {
  PlannedSearch exact;
  exact.stale = calibration.stale;
  if (target >= 1) return exact;
  uint32_t calibrated_k = 0;
  for (uint32_t candidate : kCalibratedK) {
    if (candidate >= k) {
      calibrated_k = candidate;
      break;
    }
  }
  // The exact search's own cost, to beat; without it, nothing was measured.
  const CalibrationPoint* best = nullptr;
  for (const CalibrationPoint& point : calibration.points) {
    if (point.k == calibrated_k && point.plan == SearchPlan::kExact) {
      best = &point;
    }
  }
  if (best == nullptr) return exact;
  for (const CalibrationPoint& point : calibration.points) {
    if (point.k == calibrated_k && point.recall_low >= target &&
        point.cost_ns < best->cost_ns) {
      best = &point;
    }
  }
  return {best->plan, best->budget,
          best->plan == SearchPlan::kExact ? 1 : best->recall,
          calibration.stale};
}

SearchOptions PlanOptions(SearchPlan plan, uint64_t budget) {
  SearchOptions options;
  options.min_candidates = budget;
  if (plan == SearchPlan::kTableProbe) {
    options.use_tables = true;
    options.max_table_radius = kPlanTableRadius;
  } else {
    options.use_tables = false;
    options.max_radius = kPlanAddressRadius;
    options.max_candidates = budget;
  }
  return options;
}

std::vector<uint64_t> CalibrationBudgets(uint64_t rows, uint32_t code_bits) {
  std::vector<uint64_t> budgets;
  const double scan = QueryCost(double(rows), 0, 0, code_bits);
  for (uint64_t budget = 32;
       budget < rows && QueryCost(0, double(budget), 0, code_bits) < scan;
       budget *= 2) {
    budgets.push_back(budget);
  }
  return budgets;
}

}  // namespace semhash

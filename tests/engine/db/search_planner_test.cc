// The search planner and the calibration it reads (engine/db/
// search_planner.h, db_calibrate.cc): the plan chosen where the answer is
// known, the recall target met on held-out queries, the record persisted,
// refreshed when stale, and reported as Corruption when damaged.
#include "engine/db/search_planner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "engine/db/rocksdb_store.h"
#include "format/calibration_record.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::NoisyCopy;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 16;
constexpr uint32_t kCodeBits = 256;
constexpr size_t kCodeBytes = kCodeBits / 8;
constexpr size_t kClusters = 200;
constexpr double kNoise = 0.03;

// Images around kClusters random centres, each bit flipped with
// probability kNoise: a query's nearest neighbours are in its own cluster,
// whose addresses are near its own, so a small probe finds them.
struct Clustered {
  std::vector<std::vector<uint8_t>> centres;
  std::mt19937_64 rng{7};

  Clustered() {
    for (size_t c = 0; c < kClusters; ++c) {
      centres.push_back(RandomCode(&rng, kCodeBytes));
    }
  }
  std::vector<uint8_t> Next() {
    return NoisyCopy(centres[rng() % kClusters], kNoise, &rng);
  }
};

// Bulk-loads images [first, first + n) of `data` with ids from `first`.
void Load(DB* db, Clustered* data, uint64_t first, size_t n) {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  for (size_t i = 0; i < n; ++i) {
    const auto code = data->Next();
    ids.push_back(first + i);
    addresses.push_back(AddressFromCode(code, kAddressBits));
    codes.insert(codes.end(), code.begin(), code.end());
  }
  std::unique_ptr<BulkLoader> loader;
  ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
  ASSERT_TRUE(loader->Add(n, ids.data(), addresses.data(), codes.data()).ok());
  const Status s = loader->Finish();
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// Recall@k of `found` against the exact answer, ties with the k-th nearest
// counted as found (the calibration's measure).
double Recall(const std::vector<Neighbor>& found,
              const std::vector<Neighbor>& exact) {
  if (exact.empty()) return 1;
  size_t hits = 0;
  for (const Neighbor& n : found) hits += n.distance <= exact.back().distance;
  return double(hits) / double(exact.size());
}

class PlannerTest : public ::testing::Test {
 protected:
  static constexpr size_t kImages = 40000;

  void SetUp() override {
    db_ = OpenOrDie(dir_.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
    Load(db_.get(), &data_, 0, kImages);
  }

  // Mean recall@k of default searches at `target` over held-out queries
  // drawn like the stored images; *plan gets the last one's stats.
  double HeldOutRecall(double target, size_t k, SearchStats* plan) {
    std::mt19937_64 rng(99);
    double recall = 0;
    constexpr size_t kQueries = 300;
    SearchOptions options;
    options.target_recall = target;
    for (size_t q = 0; q < kQueries; ++q) {
      const auto code = data_.Next();
      SearchResult planned, exact;
      EXPECT_TRUE(db_->Search(options, AddressFromCode(code, kAddressBits),
                              code, k, &planned)
                      .ok());
      EXPECT_TRUE(db_->SearchExact(code, k, &exact).ok());
      recall += Recall(planned.neighbors, exact.neighbors);
      *plan = planned.stats;
    }
    return recall / kQueries;
  }

  TempDir dir_;
  Clustered data_;
  std::unique_ptr<DB> db_;
};

TEST(Planner, TinyDatabaseRunsTheExactScan) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  Clustered data;
  Load(db.get(), &data, 0, 500);
  Calibration calibration;
  EXPECT_TRUE(db->GetCalibration(&calibration).IsNotFound());
  ASSERT_TRUE(db->Calibrate(CalibrateOptions(), &calibration).ok());
  EXPECT_TRUE(calibration.points.empty());
  EXPECT_EQ(calibration.rows, 500u);
  EXPECT_TRUE(db->GetCalibration(&calibration).IsNotFound());
  const auto code = data.Next();
  SearchResult planned, exact;
  ASSERT_TRUE(db->Search(SearchOptions(), AddressFromCode(code, kAddressBits),
                         code, 10, &planned)
                  .ok());
  ASSERT_TRUE(db->SearchExact(code, 10, &exact).ok());
  EXPECT_EQ(planned.stats.plan, SearchPlan::kExact);
  EXPECT_EQ(planned.stats.path, SearchPath::kMemoryScan);
  EXPECT_EQ(planned.stats.expected_recall, 1);
  EXPECT_EQ(planned.neighbors, exact.neighbors);
}

TEST_F(PlannerTest, BulkLoadCalibratesAndAClusteredDatabasePlansAProbe) {
  Calibration calibration;
  ASSERT_TRUE(db_->GetCalibration(&calibration).ok());
  EXPECT_EQ(calibration.rows, kImages);
  EXPECT_FALSE(calibration.stale);
  EXPECT_FALSE(calibration.held_out);
  EXPECT_EQ(calibration.queries, 256u);
  double exact_cost = 0;
  for (const CalibrationPoint& point : calibration.points) {
    if (point.plan == SearchPlan::kExact && point.k == 10) {
      exact_cost = point.cost_ns;
    }
  }
  ASSERT_GT(exact_cost, 0);
  SearchStats stats;
  HeldOutRecall(0.95, 10, &stats);
  EXPECT_EQ(stats.plan, SearchPlan::kAddressProbe);
  EXPECT_GT(stats.plan_budget, 0u);
  EXPECT_LE(stats.candidates_reranked, stats.plan_budget);
  EXPECT_GE(stats.expected_recall, 0.95);
  EXPECT_FALSE(stats.calibration_stale);
  // The plan chosen is the cheapest point that reaches the target, and
  // cheaper than the exact search.
  for (const CalibrationPoint& point : calibration.points) {
    if (point.k != 10 || point.plan == SearchPlan::kExact) continue;
    if (point.plan == stats.plan && point.budget == stats.plan_budget) {
      EXPECT_LT(point.cost_ns, exact_cost);
      EXPECT_EQ(point.recall, stats.expected_recall);
    }
  }
}

TEST_F(PlannerTest, RecallTargetIsMetOnHeldOutQueries) {
  for (double target : {0.8, 0.95, 0.99}) {
    for (size_t k : {size_t{10}, size_t{100}}) {
      SearchStats stats;
      const double recall = HeldOutRecall(target, k, &stats);
      EXPECT_GE(recall, target) << "target " << target << " k " << k << " plan "
                                << SearchPlanName(stats.plan);
    }
  }
  // A lower target never costs more.
  SearchStats low, high;
  HeldOutRecall(0.8, 10, &low);
  HeldOutRecall(0.99, 10, &high);
  EXPECT_LE(low.plan_budget,
            high.plan_budget == 0 ? SIZE_MAX : high.plan_budget);
}

TEST_F(PlannerTest, ExplicitKnobsOverrideThePlan) {
  const auto code = data_.Next();
  const Address address = AddressFromCode(code, kAddressBits);
  SearchOptions options;
  options.max_radius = 0;
  SearchResult result;
  ASSERT_TRUE(db_->Search(options, address, code, 10, &result).ok());
  EXPECT_EQ(result.stats.plan, SearchPlan::kExplicit);
  EXPECT_EQ(result.stats.path, SearchPath::kMemoryProbe);
  EXPECT_EQ(result.stats.radius_reached, 0u);
  EXPECT_EQ(result.stats.expected_recall, 0);
  // The target is ignored then, even a bad one.
  options.target_recall = 7;
  EXPECT_TRUE(db_->Search(options, address, code, 10, &result).ok());
  SearchOptions budget;
  budget.min_candidates = 5;
  ASSERT_TRUE(db_->Search(budget, address, code, 10, &result).ok());
  EXPECT_EQ(result.stats.plan, SearchPlan::kExplicit);
  EXPECT_EQ(result.stats.path, SearchPath::kMemoryProbe);
}

TEST_F(PlannerTest, TargetOneIsExactAndTargetsOutsideAreRefused) {
  const auto code = data_.Next();
  const Address address = AddressFromCode(code, kAddressBits);
  SearchOptions options;
  options.target_recall = 1;
  SearchResult result, exact;
  ASSERT_TRUE(db_->Search(options, address, code, 10, &result).ok());
  ASSERT_TRUE(db_->SearchExact(code, 10, &exact).ok());
  EXPECT_EQ(result.stats.plan, SearchPlan::kExact);
  EXPECT_EQ(result.neighbors, exact.neighbors);
  for (double bad : {0.0, -0.5, 1.01, std::nan("")}) {
    options.target_recall = bad;
    const Status s = db_->Search(options, address, code, 10, &result);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad << ": " << s.ToString();
  }
  // k beyond every calibrated k: the exact search.
  options.target_recall = 0.9;
  ASSERT_TRUE(db_->Search(options, address, code, 101, &result).ok());
  EXPECT_EQ(result.stats.plan, SearchPlan::kExact);
}

TEST_F(PlannerTest, CalibrationSurvivesReopening) {
  Calibration before, after;
  ASSERT_TRUE(db_->GetCalibration(&before).ok());
  const auto code = data_.Next();
  const Address address = AddressFromCode(code, kAddressBits);
  SearchResult first, second;
  ASSERT_TRUE(db_->Search(SearchOptions(), address, code, 10, &first).ok());
  db_.reset();
  Options read_only;
  read_only.read_only = true;
  db_ = OpenOrDie(dir_.Sub("db"), read_only);
  ASSERT_TRUE(db_->GetCalibration(&after).ok());
  ASSERT_EQ(after.points.size(), before.points.size());
  for (size_t i = 0; i < after.points.size(); ++i) {
    EXPECT_EQ(after.points[i].recall, before.points[i].recall) << i;
    EXPECT_EQ(after.points[i].cost_ns, before.points[i].cost_ns) << i;
  }
  ASSERT_TRUE(db_->Search(SearchOptions(), address, code, 10, &second).ok());
  EXPECT_EQ(second.stats.plan, first.stats.plan);
  EXPECT_EQ(second.stats.plan_budget, first.stats.plan_budget);
  EXPECT_EQ(second.neighbors, first.neighbors);
  EXPECT_TRUE(db_->Calibrate(CalibrateOptions(), &after).IsNotSupported());
}

TEST_F(PlannerTest, DamagedCalibrationIsCorruptionNotADefault) {
  db_.reset();
  {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, dir_.Sub("db"), &store).ok());
    std::string value;
    ASSERT_TRUE(store->db()
                    ->Get(rocksdb::ReadOptions(), store->meta(),
                          format::kCalibrationKey, &value)
                    .ok());
    value[30] ^= 1;
    ASSERT_TRUE(store->db()
                    ->Put(rocksdb::WriteOptions(), store->meta(),
                          format::kCalibrationKey, value)
                    .ok());
  }
  db_ = OpenOrDie(dir_.Sub("db"));
  const auto code = data_.Next();
  const Address address = AddressFromCode(code, kAddressBits);
  SearchResult result;
  Status s = db_->Search(SearchOptions(), address, code, 10, &result);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("calibration record"), std::string::npos);
  Calibration calibration;
  EXPECT_TRUE(db_->GetCalibration(&calibration).IsCorruption());
  VerifyReport report;
  EXPECT_TRUE(db_->Verify(VerifyOptions(), &report).IsCorruption());
  ASSERT_FALSE(report.problems.empty());
  EXPECT_NE(report.problems[0].find("calibration record"), std::string::npos)
      << report.problems[0];
  // What needs no calibration still works: the exact target, the knobs.
  SearchOptions exact;
  exact.target_recall = 1;
  EXPECT_TRUE(db_->Search(exact, address, code, 10, &result).ok());
  SearchOptions knobs;
  knobs.max_radius = 1;
  EXPECT_TRUE(db_->Search(knobs, address, code, 10, &result).ok());
  // Calibrating again replaces it.
  ASSERT_TRUE(db_->Calibrate(CalibrateOptions(), &calibration).ok());
  s = db_->Search(SearchOptions(), address, code, 10, &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.stats.plan, SearchPlan::kAddressProbe);
}

TEST_F(PlannerTest, StaleAfterManyWritesAndRefreshedByCompaction) {
  WriteBatch batch;
  for (uint64_t id = kImages; id < kImages + kImages / 4; ++id) {
    const auto code = data_.Next();
    batch.Put(id, AddressFromCode(code, kAddressBits), code);
  }
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  Calibration calibration;
  ASSERT_TRUE(db_->GetCalibration(&calibration).ok());
  EXPECT_TRUE(calibration.stale);
  EXPECT_EQ(calibration.rows, kImages);
  EXPECT_EQ(calibration.rows_now, kImages + kImages / 4);
  const auto code = data_.Next();
  SearchResult result;
  ASSERT_TRUE(db_->Search(SearchOptions(), AddressFromCode(code, kAddressBits),
                          code, 10, &result)
                  .ok());
  EXPECT_TRUE(result.stats.calibration_stale);
  CompactReport report;
  ASSERT_TRUE(db_->Compact(nullptr, &report).ok());
  ASSERT_TRUE(db_->GetCalibration(&calibration).ok());
  EXPECT_FALSE(calibration.stale);
  EXPECT_EQ(calibration.rows, kImages + kImages / 4);
}

TEST_F(PlannerTest, BatchRunsThePlanOfSingleSearches) {
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  for (size_t q = 0; q < 20; ++q) {
    const auto code = data_.Next();
    addresses.push_back(AddressFromCode(code, kAddressBits));
    codes.insert(codes.end(), code.begin(), code.end());
  }
  for (double target : {0.95, 1.0}) {
    SearchOptions options;
    options.target_recall = target;
    std::vector<SearchResult> batch;
    ASSERT_TRUE(db_->SearchBatch(options, addresses.size(), addresses.data(),
                                 codes.data(), 10, 2, &batch)
                    .ok());
    for (size_t q = 0; q < addresses.size(); ++q) {
      SearchResult one;
      ASSERT_TRUE(db_->Search(options, addresses[q],
                              CodeView(&codes[q * kCodeBytes], kCodeBytes), 10,
                              &one)
                      .ok());
      EXPECT_EQ(batch[q].neighbors, one.neighbors) << target << " " << q;
      EXPECT_EQ(batch[q].stats.plan, one.stats.plan);
      EXPECT_EQ(batch[q].stats.plan_budget, one.stats.plan_budget);
      EXPECT_EQ(batch[q].stats.expected_recall, one.stats.expected_recall);
    }
    EXPECT_EQ(batch[0].stats.plan,
              target == 1 ? SearchPlan::kExact : SearchPlan::kAddressProbe);
  }
  SearchOptions bad;
  bad.target_recall = 0;
  std::vector<SearchResult> batch;
  EXPECT_TRUE(db_->SearchBatch(bad, addresses.size(), addresses.data(),
                               codes.data(), 10, 1, &batch)
                  .IsInvalidArgument());
}

TEST_F(PlannerTest, HeldOutQueriesCalibrate) {
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  for (size_t q = 0; q < 100; ++q) {
    const auto code = data_.Next();
    addresses.push_back(AddressFromCode(code, kAddressBits));
    codes.insert(codes.end(), code.begin(), code.end());
  }
  CalibrateOptions options;
  options.n = addresses.size();
  options.addresses = addresses.data();
  options.codes = codes.data();
  Calibration calibration;
  ASSERT_TRUE(db_->Calibrate(options, &calibration).ok());
  EXPECT_TRUE(calibration.held_out);
  EXPECT_EQ(calibration.queries, 100u);
  ASSERT_TRUE(db_->GetCalibration(&calibration).ok());
  EXPECT_TRUE(calibration.held_out);
}

// ChoosePlan over a made-up calibration: the cheapest point whose recall
// (less its margin) reaches the target, the exact search otherwise.
TEST(Planner, ChoosesTheCheapestPointThatReachesTheTarget) {
  Calibration calibration;
  auto add = [&](SearchPlan plan, uint32_t k, uint64_t budget, double low,
                 double cost) {
    CalibrationPoint point;
    point.plan = plan;
    point.k = k;
    point.budget = budget;
    point.recall = low + 0.01;
    point.recall_low = low;
    point.cost_ns = cost;
    calibration.points.push_back(point);
  };
  add(SearchPlan::kExact, 10, 0, 1, 1000);
  add(SearchPlan::kAddressProbe, 10, 100, 0.90, 100);
  add(SearchPlan::kAddressProbe, 10, 200, 0.96, 300);
  add(SearchPlan::kTableProbe, 10, 200, 0.97, 250);
  add(SearchPlan::kTableProbe, 10, 400, 0.999, 1200);
  PlannedSearch plan = ChoosePlan(calibration, 10, 0.95);
  EXPECT_EQ(plan.plan, SearchPlan::kTableProbe);
  EXPECT_EQ(plan.budget, 200u);
  EXPECT_DOUBLE_EQ(plan.expected_recall, 0.98);
  plan = ChoosePlan(calibration, 5, 0.85);
  EXPECT_EQ(plan.plan, SearchPlan::kAddressProbe);
  EXPECT_EQ(plan.budget, 100u);
  // Reachable only by a point dearer than the exact search.
  EXPECT_EQ(ChoosePlan(calibration, 10, 0.99).plan, SearchPlan::kExact);
  EXPECT_EQ(ChoosePlan(calibration, 10, 1).plan, SearchPlan::kExact);
  // No points for k = 100.
  EXPECT_EQ(ChoosePlan(calibration, 11, 0.5).plan, SearchPlan::kExact);
  EXPECT_EQ(ChoosePlan(Calibration(), 10, 0.5).plan, SearchPlan::kExact);
}

}  // namespace
}  // namespace semhash

// `semhash calibrate`, the calibration `inspect` shows, and the plan
// `query` reports (tools/calibrate_command.cc, calibration_text.cc,
// query_command.cc).
#include <gtest/gtest.h>

#include <random>

#include "../engine/test_util.h"
#include "engine/db/rocksdb_store.h"
#include "format/calibration_record.h"
#include "tests/tools/cli_runner.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::Outcome;
using testing::Semhash;
using testing::TempDir;

constexpr size_t kImages = 4000;
constexpr size_t kQueries = 50;
constexpr size_t kCodeBytes = 32;

bool Has(const Outcome& run, const std::string& text) {
  return run.output.find(text) != std::string::npos;
}

// A database of kImages clustered external codes (addresses: their first
// 16 bits), bulk-loaded by `build`, which calibrates it; and kQueries
// held-out codes from the same clusters.
class CalibrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(3);
    std::vector<std::vector<uint8_t>> centres;
    for (int c = 0; c < 40; ++c) {
      centres.push_back(testing::RandomCode(&rng, kCodeBytes));
    }
    auto draw = [&](size_t n) {
      std::vector<uint8_t> codes;
      for (size_t i = 0; i < n; ++i) {
        const auto code =
            testing::NoisyCopy(centres[rng() % centres.size()], 0.03, &rng);
        codes.insert(codes.end(), code.begin(), code.end());
      }
      return codes;
    };
    const auto stored = draw(kImages);
    const auto queries = draw(kQueries);
    ASSERT_TRUE(io::WriteNpy(dir_.Sub("codes.npy"), io::NpyType::kUint8,
                             {kImages, kCodeBytes}, stored.data())
                    .ok());
    ASSERT_TRUE(io::WriteNpy(dir_.Sub("queries.npy"), io::NpyType::kUint8,
                             {kQueries, kCodeBytes}, queries.data())
                    .ok());
    const Outcome run =
        Semhash("build --db " + Db() + " --codes " + dir_.Sub("codes.npy") +
                " --address-bits 16 --code-bits 256 -q");
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }

  std::string Db() const { return dir_.Sub("db"); }
  Outcome Query(const std::string& flags) const {
    return Semhash("query --json --db " + Db() + " --codes " +
                   dir_.Sub("queries.npy") + " " + flags);
  }

  TempDir dir_;
};

TEST_F(CalibrateCliTest, BuildCalibratesAndInspectShowsIt) {
  Outcome run = Semhash("inspect --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "calibration: 256 stored codes at 4000 images "
                  "(current: 4000 now)"))
      << run.output;
  EXPECT_TRUE(Has(run, " 10  exact ")) << run.output;
  EXPECT_TRUE(Has(run, "address-probe")) << run.output;
  run = Semhash("inspect --json --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "\"calibration\": {\"rows\": 4000, \"rows_now\": "
                  "4000, \"stale\": false, \"queries\": 256"))
      << run.output;
}

TEST_F(CalibrateCliTest, QueryReportsThePlanAndTheRecallReached) {
  Outcome run = Query("--target-recall 1 --compare-exact");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "\"plan\": \"exact\", \"plan_budget\": 0, "
                  "\"expected_recall\": 1"))
      << run.output;
  EXPECT_TRUE(Has(run, "plans: exact 50 (expected recall@10 1.000)"))
      << run.output;
  EXPECT_TRUE(Has(run, "recall@10 against the exact answer: 1.000"))
      << run.output;
  run = Query("--max-radius 1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "\"plan\": \"explicit\"")) << run.output;
  EXPECT_TRUE(Has(run, "plans: explicit 50\n")) << run.output;
  run = Query("--target-recall 0");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(Has(run, "--target-recall")) << run.output;
}

TEST_F(CalibrateCliTest, CalibrateOnHeldOutQueries) {
  const Outcome run = Semhash("calibrate --db " + Db() + " --codes " +
                              dir_.Sub("queries.npy") + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "\"queries\": 50, \"held_out\": true")) << run.output;
  EXPECT_TRUE(Has(Semhash("inspect --db " + Db()),
                  "calibration: 50 held-out queries at 4000 images"));
}

TEST_F(CalibrateCliTest, DamagedCalibrationIsReportedAndReplaced) {
  {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, Db(), &store).ok());
    std::string value;
    ASSERT_TRUE(store->db()
                    ->Get(rocksdb::ReadOptions(), store->meta(),
                          format::kCalibrationKey, &value)
                    .ok());
    value[8] ^= 0x04;
    ASSERT_TRUE(store->db()
                    ->Put(rocksdb::WriteOptions(), store->meta(),
                          format::kCalibrationKey, value)
                    .ok());
  }
  Outcome run = Semhash("inspect --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "calibration: damaged, Corruption: calibration "
                  "record: checksum mismatch"))
      << run.output;
  run = Query("");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(Has(run, "calibration record")) << run.output;
  EXPECT_EQ(Semhash("verify --db " + Db()).exit_code, 1);
  EXPECT_EQ(Query("--target-recall 1").exit_code, 0);
  run = Semhash("calibrate --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(Query("").exit_code, 0);
  EXPECT_EQ(Semhash("verify --db " + Db()).exit_code, 0);
}

}  // namespace
}  // namespace semhash

// DBImpl's calibration (see semhash/calibration.h and search_planner.h):
// measuring each plan's recall and work on the database's own codes,
// storing the result, and planning searches from it.
//
// The sample queries are searched through the same calls an application
// uses (SearchExactBatch for the truth, SearchBatch with each plan's
// options), so what is measured is what a planned search runs. When the DB
// has no in-memory index loaded (a tool that only writes opens it with
// MemoryIndex::kOff, as `semhash build` and `compact` do), a temporary one
// is read for the calibration and searched instead: the plans are for the
// searches an application runs, on the index. A
// stored code is its own nearest neighbour at distance 0; each is
// therefore searched for k + 1 neighbours and its own id dropped, which
// measures it as if it were a new image.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine/common/in_parallel.h"
#include "engine/db/db_impl.h"
#include "engine/db/rocksdb_status.h"
#include "engine/db/search_planner.h"
#include "format/calibration_record.h"

namespace semhash {
namespace {

// The sample is the same for the same database: a fixed seed.
constexpr uint64_t kSampleSeed = 0x63616c6962726174;  // "calibrat"

// The queries a calibration searches.
struct SampleQueries {
  std::vector<uint64_t> ids;  // Empty for held-out queries.
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  size_t size() const { return addresses.size(); }
};

// `count` of the `rows` stored images, chosen by position with a fixed
// seed, read in id order.
Status SampleStored(DB* db, uint64_t rows, size_t count, SampleQueries* out) {
  std::mt19937_64 rng(kSampleSeed);
  std::vector<uint64_t> positions;
  // Floyd's sampling: `count` distinct positions in [0, rows).
  for (uint64_t j = rows - count; j < rows; ++j) {
    const uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(rng);
    positions.push_back(std::find(positions.begin(), positions.end(), t) ==
                                positions.end()
                            ? t
                            : j);
  }
  std::sort(positions.begin(), positions.end());
  std::unique_ptr<Iterator> it = db->NewIterator();
  uint64_t position = 0;
  size_t next = 0;
  for (it->SeekToFirst(); it->Valid() && next < positions.size();
       it->Next(), ++position) {
    if (position != positions[next]) continue;
    ++next;
    out->ids.push_back(it->id());
    out->addresses.push_back(it->address());
    out->codes.insert(out->codes.end(), it->code().begin(), it->code().end());
  }
  return it->status();
}

// The first k of `neighbors` once `self` (if it is one of them) is left
// out; a query that is not stored leaves out nothing.
std::vector<Neighbor> WithoutSelf(const std::vector<Neighbor>& neighbors,
                                  const uint64_t* self, size_t k) {
  std::vector<Neighbor> out;
  for (const Neighbor& n : neighbors) {
    if (out.size() == k) break;
    if (self != nullptr && n.id == *self) continue;
    out.push_back(n);
  }
  return out;
}

// Adds one search's work to `point`, as its statistics counted it.
void AddWork(const SearchStats& stats, format::CalibrationPoint* point) {
  switch (stats.path) {
    case SearchPath::kMemoryScan:
    case SearchPath::kDiskScan:
      point->codes_scanned += stats.candidates_reranked;
      break;
    case SearchPath::kDiskProbe:
      point->candidates += stats.candidates_reranked;
      point->lookups += stats.addresses_probed;
      break;
    case SearchPath::kMemoryProbe:
    case SearchPath::kMultiIndex:
      point->candidates += stats.candidates_reranked;
      point->lookups += stats.lookups;
      break;
  }
}

// Adds one query's recall at k to `point`: results among the first k (self
// left out) as near as the exact k-th nearest.
void AddRecall(const std::vector<Neighbor>& truth,
               const std::vector<Neighbor>& found,
               format::CalibrationPoint* point) {
  point->relevant += truth.size();
  if (truth.empty()) return;
  const uint32_t kth = truth.back().distance;
  for (const Neighbor& n : found) point->found += n.distance <= kth ? 1 : 0;
}

}  // namespace

Status DBImpl::LoadCalibration() {
  std::string value;
  const rocksdb::Status got = store_->db()->Get(
      rocksdb::ReadOptions(), store_->meta(), format::kCalibrationKey, &value);
  auto record = std::make_shared<format::CalibrationRecord>();
  Status s;
  if (got.IsNotFound()) {
    record.reset();
  } else if (!got.ok()) {
    return FromRocksDB(got);
  } else {
    s = format::DecodeCalibrationRecord(value, record.get());
    if (!s.ok()) record.reset();
  }
  MutexLock lock(&calibration_mutex_);
  calibration_ = std::move(record);
  calibration_status_ = s;
  return Status::OK();
}

uint64_t DBImpl::RowsForPlanning(
    const format::CalibrationRecord& record) const {
  return memory_ != nullptr && memory_->ready() ? memory_->rows() : record.rows;
}

Status DBImpl::PlanSearch(double target, size_t k, PlannedSearch* plan) {
  *plan = PlannedSearch();
  // Written so that a NaN target fails too.
  if (!(target > 0 && target <= 1)) {
    return Status::InvalidArgument("target_recall " + std::to_string(target) +
                                   " is not in (0, 1]");
  }
  if (target >= 1) return Status::OK();
  std::shared_ptr<const format::CalibrationRecord> record;
  {
    MutexLock lock(&calibration_mutex_);
    if (!calibration_status_.ok()) return calibration_status_;
    record = calibration_;
  }
  if (record == nullptr) return Status::OK();
  *plan = ChoosePlan(
      DescribeCalibration(*record, RowsForPlanning(*record), info_.code_bits),
      k, target);
  return Status::OK();
}

Status DBImpl::GetCalibration(Calibration* calibration) {
  *calibration = Calibration();
  std::shared_ptr<const format::CalibrationRecord> record;
  {
    MutexLock lock(&calibration_mutex_);
    if (!calibration_status_.ok()) return calibration_status_;
    record = calibration_;
  }
  if (record == nullptr) return Status::NotFound("no calibration stored");
  uint64_t rows = 0;
  Status s = CountImages(&rows);
  if (!s.ok()) return s;
  *calibration = DescribeCalibration(*record, rows, info_.code_bits);
  return Status::OK();
}

Status DBImpl::Calibrate(const CalibrateOptions& options,
                         Calibration* calibration) {
  if (read_only_) return Status::NotSupported("database opened read-only");
  MutexLock lock(&write_mutex_);
  return CalibrateLocked(options, calibration);
}

Status DBImpl::MaybeRecalibrate() {
  std::shared_ptr<const format::CalibrationRecord> record;
  {
    MutexLock lock(&calibration_mutex_);
    if (calibration_status_.ok()) record = calibration_;
  }
  if (record != nullptr) {
    uint64_t rows = 0;
    Status s = CountImages(&rows);
    if (!s.ok()) return s;
    if (!DescribeCalibration(*record, rows, info_.code_bits).stale) {
      return Status::OK();
    }
  }
  Calibration ignored;
  return CalibrateLocked(CalibrateOptions(), &ignored);
}

Status DBImpl::CalibrateLocked(const CalibrateOptions& options,
                               Calibration* calibration) {
  *calibration = Calibration();
  const size_t code_bytes = info_.code_bits / 8;
  uint64_t rows = 0;
  Status s = CountImages(&rows);
  if (!s.ok()) return s;
  format::CalibrationRecord record;
  record.rows = rows;
  rocksdb::WriteOptions write;
  write.sync = true;
  if (rows < kMinCalibrationRows) {
    // Nothing worth measuring: the exact scan is the plan.
    s = FromRocksDB(
        store_->db()->Delete(write, store_->meta(), format::kCalibrationKey));
    if (!s.ok()) return s;
    MutexLock lock(&calibration_mutex_);
    calibration_.reset();
    calibration_status_ = Status::OK();
    calibration->rows = calibration->rows_now = rows;
    return Status::OK();
  }
  SampleQueries queries;
  if (options.n > 0) {
    if (options.addresses == nullptr || options.codes == nullptr) {
      return Status::InvalidArgument("null held-out queries");
    }
    record.source = format::CalibrationSource::kGivenQueries;
    queries.addresses.assign(options.addresses, options.addresses + options.n);
    queries.codes.assign(options.codes, options.codes + options.n * code_bytes);
    for (Address address : queries.addresses) {
      s = CheckAddress(address);
      if (!s.ok()) return s.WithContext("held-out query");
    }
  } else {
    s = SampleStored(
        this, rows, std::min<uint64_t>(options.sample_queries, rows), &queries);
    if (!s.ok()) return s;
  }
  const size_t n = queries.size();
  record.queries = static_cast<uint32_t>(n);
  // The index answers with its own work counted; the DB's batch calls (a
  // plan per call) only if it is not ready.
  const MemoryIndex* index =
      memory_ != nullptr && memory_->ready() ? memory_.get() : nullptr;
  const uint8_t* codes = queries.codes.data();
  auto exact_batch = [&](size_t k, std::vector<SearchResult>* out) {
    if (index == nullptr) {
      return SearchExactBatch(n, codes, k, options.threads, out);
    }
    out->assign(n, SearchResult());
    return InParallel(n, options.threads, [&](size_t first, size_t count) {
      Status status;
      index->KnnBatch(codes + first * code_bytes, count, k, &(*out)[first],
                      &status);
      return status;
    });
  };
  auto probe_batch = [&](const SearchOptions& probe, size_t k,
                         std::vector<SearchResult>* out) {
    if (index == nullptr) {
      return SearchBatch(probe, n, queries.addresses.data(), codes, k,
                         options.threads, out);
    }
    out->assign(n, SearchResult());
    return InParallel(n, options.threads, [&](size_t first, size_t count) {
      Status status;
      for (size_t q = first; q < first + count && status.ok(); ++q) {
        index->Probe(probe, queries.addresses[q], codes + q * code_bytes, k,
                     &(*out)[q], &status);
      }
      return status;
    });
  };
  // +1: room for the query's own id, left out.
  const size_t extra = queries.ids.empty() ? 0 : 1;
  auto self = [&](size_t q) {
    return queries.ids.empty() ? nullptr : &queries.ids[q];
  };
  // The truth, and the exact search's own work, at each k.
  std::vector<std::vector<std::vector<Neighbor>>> truth;
  for (uint32_t k : kCalibratedK) {
    std::vector<SearchResult> exact;
    s = exact_batch(k + extra, &exact);
    if (!s.ok()) return s;
    format::CalibrationPoint& point = record.points.emplace_back();
    point.plan = format::CalibratedPlan::kExact;
    point.k = k;
    auto& answers = truth.emplace_back();
    for (size_t q = 0; q < n; ++q) {
      answers.push_back(WithoutSelf(exact[q].neighbors, self(q), k));
      AddWork(exact[q].stats, &point);
      point.found += answers.back().size();
      point.relevant += answers.back().size();
    }
  }
  const size_t largest_k = std::size(kCalibratedK) - 1;
  std::vector<SearchPlan> plans;
  if (info_.mih_tables > 0) {
    plans.push_back(SearchPlan::kTableProbe);
  }
  plans.push_back(SearchPlan::kAddressProbe);
  for (SearchPlan plan : plans) {
    for (uint64_t budget : CalibrationBudgets(rows, info_.code_bits)) {
      std::vector<SearchResult> found;
      s = probe_batch(PlanOptions(plan, budget),
                      kCalibratedK[largest_k] + extra, &found);
      if (!s.ok()) return s;
      bool perfect = true;
      for (size_t i = 0; i < std::size(kCalibratedK); ++i) {
        format::CalibrationPoint& point = record.points.emplace_back();
        point.plan = ToStored(plan);
        point.k = kCalibratedK[i];
        point.budget = budget;
        for (size_t q = 0; q < n; ++q) {
          AddRecall(truth[i][q],
                    WithoutSelf(found[q].neighbors, self(q), point.k), &point);
          AddWork(found[q].stats, &point);
        }
        perfect = perfect && point.found == point.relevant;
      }
      // A larger budget costs more and cannot find more.
      if (perfect) break;
    }
  }
  const std::string value = format::EncodeCalibrationRecord(record);
  s = FromRocksDB(
      store_->db()->Put(write, store_->meta(), format::kCalibrationKey, value));
  if (!s.ok()) return s;
  *calibration = DescribeCalibration(record, rows, info_.code_bits);
  MutexLock lock(&calibration_mutex_);
  calibration_ =
      std::make_shared<const format::CalibrationRecord>(std::move(record));
  calibration_status_ = Status::OK();
  return Status::OK();
}

}  // namespace semhash

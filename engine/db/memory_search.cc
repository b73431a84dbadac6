// MemoryIndex searches (see memory_index.h): the probe planner over the
// address table, multi-index hashing, and exact scans.
//
// The planner. The Hamming ball around a query's address is probed shell by
// shell, as on disk, and gathers exactly the images the disk probe gathers.
// Each shell is covered either by one lookup per address or by range scans:
// the addresses that differ from the query's only in their low j bits are
// one contiguous range of the sorted address table, so one lookup of the
// (address_bits - j)-bit prefix covers 2^j addresses, and a popcount on
// each row's address keeps the rows of the shell. With few images most
// addresses are empty, and a shorter prefix turns thousands of empty
// lookups into a few hundred ranges of about one row each. The planner
// picks j per shell from the number of images, minimising
//   lookups(j) * kLookupCost + lookups(j) * rows_per_range(j) * kRowCost.
// An empty lookup costs one directory read (SortedKeys): the occupancy
// filter.
#include <algorithm>
#include <bit>
#include <cmath>

#include "engine/db/hamming_ball.h"
#include "engine/db/hamming_kernels.h"
#include "engine/db/memory_index_base.h"
#include "engine/db/top_k.h"

namespace semhash {
namespace {

// Rows compared per kernel call in scans: their codes and distances stay in
// the first-level cache.
constexpr size_t kBlockRows = 1024;
static_assert(MemoryIndex::Base::kReadAheadRows % kBlockRows == 0);
// Queries of a batched scan that share one pass over the codes.
constexpr size_t kBatchQueries = 32;
// The planner's costs: a lookup is a directory read and a binary search (a
// cache miss or two), a row is one popcount of its address.
constexpr double kLookupCost = 8;
constexpr double kRowCost = 1;

// Sets the distance of every deleted row in [first, first + n) to the
// largest value, so that no top-k keeps it.
void MaskDead(const std::vector<uint64_t>& dead, size_t first, size_t n,
              uint32_t* distances) {
  for (size_t i = 0; i < n;) {
    const size_t row = first + i;
    const uint64_t word = dead[row / 64] >> (row % 64);
    const size_t span = std::min<size_t>(64 - row % 64, n - i);
    for (uint64_t bits = span < 64 ? word & ((uint64_t{1} << span) - 1) : word;
         bits != 0; bits &= bits - 1) {
      distances[i + std::countr_zero(bits)] = UINT32_MAX;
    }
    i += span;
  }
}

// The rows a scan reads: the delta's (no base, nothing to check) or the
// base's, whose codes and ids are checked before each block is read.
struct ScanRange {
  const uint8_t* codes;
  const uint64_t* ids;
  size_t n;
  const MemoryIndex::Base* base = nullptr;
};

// Calls keep(row, distance) for each row of [0, n) whose distance is below
// bound() (asked once per block of rows), skipping the dead ones (dead may
// be null).
template <typename Bound, typename Keep>
Status ScanBelow(const uint8_t* query, const ScanRange& rows, size_t code_bytes,
                 const std::vector<uint64_t>* dead, Bound bound, Keep keep) {
  const HammingKernels& kernels = BestHammingKernels();
  uint32_t distances[kBlockRows];
  uint32_t passed[kBlockRows];
  Status s;
  for (size_t first = 0; first < rows.n; first += kBlockRows) {
    const size_t count = std::min(kBlockRows, rows.n - first);
    if (rows.base != nullptr) {
      rows.base->ReadAhead(first);
      if (!rows.base->CheckCodes(first, first + count, &s)) return s;
    }
    kernels.distances(query, rows.codes + first * code_bytes, count, code_bytes,
                      distances);
    if (dead != nullptr) MaskDead(*dead, first, count, distances);
    const size_t kept = kernels.below(distances, count, bound(), passed);
    for (size_t i = 0; i < kept; ++i) {
      keep(first + passed[i], distances[passed[i]]);
    }
  }
  return Status::OK();
}

// Offers the rows to *top.
Status ScanRows(const uint8_t* query, const ScanRange& rows, size_t code_bytes,
                const std::vector<uint64_t>* dead, TopK* top) {
  return ScanBelow(
      query, rows, code_bytes, dead, [top] { return top->Bound(); },
      [&](size_t row, uint32_t distance) {
        top->Push(rows.ids[row], distance);
      });
}

// Appends the rows within `radius` bits to *out.
Status CollectWithin(const uint8_t* query, const ScanRange& rows,
                     size_t code_bytes, const std::vector<uint64_t>* dead,
                     uint32_t radius, std::vector<Neighbor>* out) {
  // Every distance (at most 1024) is below UINT32_MAX and a dead row's
  // masked one is not, so a radius of UINT32_MAX need not wrap to 0.
  const uint32_t bound = radius == UINT32_MAX ? UINT32_MAX : radius + 1;
  return ScanBelow(
      query, rows, code_bytes, dead, [bound] { return bound; },
      [&](size_t row, uint32_t distance) {
        out->push_back({rows.ids[row], distance});
      });
}

ScanRange AllRows(const MemoryIndex::Base& base) {
  return {base.codes, base.ids, base.size(), &base};
}

// Copies what the multi-index tables did into `stats`; `delta_rows` rows
// of the delta were compared besides.
void ReportTables(const MultiIndexStats& tables, uint64_t delta_rows,
                  SearchStats* stats) {
  stats->path = SearchPath::kMultiIndex;
  stats->radius_reached = tables.radius_reached;
  stats->lookups = tables.lookups;
  stats->lookups_empty = tables.lookups_empty;
  stats->candidates_reranked = tables.candidates + delta_rows;
}

// The shell at `radius` covered by prefixes of address_bits - j bits: the
// prefixes within [radius - j, radius] of the query's prefix.
struct ShellPlan {
  uint32_t range_bits = 0;
  uint32_t min_prefix_radius = 0;
  uint32_t max_prefix_radius = 0;
};

ShellPlan PlanShell(uint32_t address_bits, uint32_t radius, uint64_t rows) {
  ShellPlan best;
  double best_cost = INFINITY;
  for (uint32_t j = 0; j < address_bits; ++j) {
    const uint32_t prefix_bits = address_bits - j;
    const uint32_t low = radius > j ? radius - j : 0;
    const uint32_t high = std::min(radius, prefix_bits);
    double lookups = 0;
    for (uint32_t h = low; h <= high; ++h) {
      lookups += double(ShellSize(prefix_bits, h));
    }
    const double rows_per_range = std::ldexp(double(rows), -int(prefix_bits));
    const double cost =
        lookups * kLookupCost + lookups * rows_per_range * kRowCost;
    if (cost < best_cost) {
      best_cost = cost;
      best = {j, low, high};
    }
  }
  return best;
}

}  // namespace

void MemoryIndex::ScanDelta(const uint8_t* query, TopK* top) const {
  // The delta is in memory: nothing to check, nothing to fail.
  (void)ScanRows(query,
                 {delta_codes_.data(), delta_ids_.data(), delta_ids_.size()},
                 code_bytes_, nullptr, top);
}

Status MemoryIndex::ScanAll(const uint8_t* query, TopK* top) const {
  ScanDelta(query, top);
  return ScanRows(query, AllRows(*base_), code_bytes_, &dead_, top);
}

// One shell of the address ball: the rows whose address is exactly
// `radius` bits from `address`, base and delta.
Status MemoryIndex::ProbeShell(Address address, uint32_t radius,
                               const uint8_t* query, size_t max_candidates,
                               TopK* top, SearchStats* stats) const {
  const ShellPlan plan = PlanShell(address_bits_, radius, LiveRowsLocked());
  const uint32_t prefix_bits = address_bits_ - plan.range_bits;
  const HammingKernels& kernels = BestHammingKernels();
  // Taken here, under the caller's lock: -Wthread-safety checks `visit` as
  // a function of its own, holding no lock.
  const Base& base = *base_;
  const std::vector<uint64_t>* dead = &dead_;
  const SortedKeys& keys = base.addresses;
  std::vector<uint32_t> distances;
  Status s;
  stats->range_bits = plan.range_bits;
  stats->addresses_probed += ShellSize(address_bits_, radius);
  // Base rows: each prefix is one range; rows of one address are adjacent.
  auto visit = [&](Address prefix) {
    ++stats->lookups;
    SortedKeys::Range range;
    if (!base.FindPrefix(prefix, prefix_bits, &range, &s) ||
        !base.CheckKeys(range.begin, range.end, &s)) {
      return false;
    }
    if (range.empty()) ++stats->lookups_empty;
    for (uint32_t row = range.begin; row < range.end;) {
      const Address stored = keys.key(row);
      uint32_t end = row + 1;
      while (end < range.end && keys.key(end) == stored) ++end;
      if (static_cast<uint32_t>(std::popcount(stored ^ address)) == radius) {
        // Without a limit, one pass over the address's rows; with one, as
        // many rows at a time as there is room for (dead rows take none).
        bool occupied = false;
        for (uint32_t first = row; first < end;) {
          const size_t room = max_candidates - stats->candidates_reranked;
          if (room == 0) break;
          const uint32_t count =
              static_cast<uint32_t>(std::min<size_t>(end - first, room));
          if (!base.CheckCodes(first, first + count, &s)) return false;
          distances.resize(count);
          kernels.distances(query, base.code(first, code_bytes_), count,
                            code_bytes_, distances.data());
          MaskDead(*dead, first, count, distances.data());
          for (uint32_t i = 0; i < count; ++i) {
            if (distances[i] == UINT32_MAX) continue;
            top->Push(base.ids[first + i], distances[i]);
            ++stats->candidates_reranked;
            occupied = true;
          }
          first += count;
        }
        if (occupied) ++stats->addresses_occupied;
        if (stats->candidates_reranked >= max_candidates) return false;
      }
      row = end;
    }
    return true;
  };
  const Address centre = address >> plan.range_bits;
  for (uint32_t h = plan.min_prefix_radius; h <= plan.max_prefix_radius; ++h) {
    if (!ForEachAddressAtRadius(centre, prefix_bits, h, visit)) break;
  }
  if (!s.ok()) return s;
  // Delta rows: few, so each is tested. An address that only the delta
  // occupies counts as occupied once.
  std::vector<Address> delta_only;
  for (size_t d = 0;
       d < delta_ids_.size() && stats->candidates_reranked < max_candidates;
       ++d) {
    const Address stored = delta_addresses_[d];
    if (static_cast<uint32_t>(std::popcount(stored ^ address)) != radius) {
      continue;
    }
    uint32_t distance = 0;
    kernels.distances(query, &delta_codes_[d * code_bytes_], 1, code_bytes_,
                      &distance);
    top->Push(delta_ids_[d], distance);
    ++stats->candidates_reranked;
    delta_only.push_back(stored);
  }
  std::sort(delta_only.begin(), delta_only.end());
  delta_only.erase(std::unique(delta_only.begin(), delta_only.end()),
                   delta_only.end());
  for (Address stored : delta_only) {
    SortedKeys::Range range;
    if (!base.Find(stored, &range, &s)) return s;
    bool live = false;
    for (uint32_t row = range.begin; row < range.end && !live; ++row) {
      live = !IsDead(row);
    }
    if (!live) ++stats->addresses_occupied;
  }
  return Status::OK();
}

bool MemoryIndex::Probe(const SearchOptions& options, Address address,
                        const uint8_t* query, size_t k, SearchResult* result,
                        Status* status) const {
  ReadLock lock(&mutex_);
  if (state_ != State::kReady) return false;
  *result = SearchResult();
  *status = Status::OK();
  SearchStats& stats = result->stats;
  const size_t min_candidates = MinCandidates(options, k);
  TopK top(k);
  if (UseTables(options) && base_->tables) {
    ScanDelta(query, &top);
    MultiIndexStats mih;
    const size_t gathered = delta_ids_.size();
    base_->tables->SearchProbe(
        query, MaxTableRadius(options),
        min_candidates > gathered ? min_candidates - gathered : 0, base_->ids,
        &dead_, &top, &mih, status);
    ReportTables(mih, gathered, &stats);
    result->neighbors = top.Take();
    return true;
  }
  stats.path = SearchPath::kMemoryProbe;
  const uint32_t max_radius = std::min(MaxRadius(options), address_bits_);
  const size_t max_candidates = MaxCandidates(options);
  for (uint32_t radius = 0; radius <= max_radius; ++radius) {
    *status = ProbeShell(address, radius, query, max_candidates, &top, &stats);
    if (!status->ok()) return true;
    stats.radius_reached = radius;
    if (stats.candidates_reranked >= std::min(min_candidates, max_candidates)) {
      break;
    }
  }
  result->neighbors = top.Take();
  return true;
}

// The tables are tried first unless their least work (radius 0) costs more
// than a scan; they give up, and the scan runs, once the work still needed
// to prove the answer is estimated above the scan's (MultiIndex::SearchKnn,
// which first spends up to half a scan's worth to tighten its bound). A
// search that gave up shows as a scan whose lookups (and candidates)
// include the tables' work.
Status MemoryIndex::KnnLocked(const uint8_t* query, size_t k,
                              SearchResult* result) const {
  *result = SearchResult();
  SearchStats& stats = result->stats;
  const uint64_t rows = LiveRowsLocked();
  Status s;
  MultiIndexStats mih;
  if (base_->tables) {
    const double scan_cost = MultiIndex::ScanCost(
        base_->size() + delta_ids_.size(), code_bytes_ * 8);
    TopK top(k);
    ScanDelta(query, &top);
    if (base_->tables->SearchKnn(query, base_->ids, &dead_, scan_cost, &top,
                                 &mih, &s)) {
      ReportTables(mih, delta_ids_.size(), &stats);
      result->neighbors = top.Take();
      return s;
    }
  }
  TopK top(k);
  s = ScanAll(query, &top);
  stats.path = SearchPath::kMemoryScan;
  stats.lookups = mih.lookups;
  stats.lookups_empty = mih.lookups_empty;
  stats.candidates_reranked = rows + mih.candidates;
  result->neighbors = top.Take();
  return s;
}

bool MemoryIndex::Knn(const uint8_t* query, size_t k, SearchResult* result,
                      Status* status) const {
  ReadLock lock(&mutex_);
  if (state_ != State::kReady) return false;
  *status = KnnLocked(query, k, result);
  return true;
}

bool MemoryIndex::KnnBatch(const uint8_t* queries, size_t m, size_t k,
                           SearchResult* results, Status* status) const {
  ReadLock lock(&mutex_);
  if (state_ != State::kReady) return false;
  *status = Status::OK();
  if (base_->tables) {
    for (size_t q = 0; q < m && status->ok(); ++q) {
      *status = KnnLocked(queries + q * code_bytes_, k, &results[q]);
    }
    return true;
  }
  // One pass over the base codes for each group of queries.
  const HammingKernels& kernels = BestHammingKernels();
  std::vector<uint32_t> distances(kBatchQueries * kBlockRows);
  uint32_t passed[kBlockRows];
  const uint64_t rows = LiveRowsLocked();
  for (size_t first = 0; first < m; first += kBatchQueries) {
    const size_t group = std::min(kBatchQueries, m - first);
    const uint8_t* group_queries = queries + first * code_bytes_;
    std::vector<TopK> tops(group, TopK(k));
    for (size_t q = 0; q < group; ++q) {
      ScanDelta(group_queries + q * code_bytes_, &tops[q]);
    }
    for (size_t row = 0; row < base_->size(); row += kBlockRows) {
      const size_t count = std::min(kBlockRows, base_->size() - row);
      base_->ReadAhead(row);
      if (!base_->CheckCodes(row, row + count, status)) return true;
      kernels.distances_batch(group_queries, group,
                              base_->code(row, code_bytes_), count, code_bytes_,
                              distances.data(), count);
      for (size_t q = 0; q < group; ++q) {
        uint32_t* d = &distances[q * count];
        MaskDead(dead_, row, count, d);
        const size_t kept = kernels.below(d, count, tops[q].Bound(), passed);
        for (size_t i = 0; i < kept; ++i) {
          tops[q].Push(base_->ids[row + passed[i]], d[passed[i]]);
        }
      }
    }
    for (size_t q = 0; q < group; ++q) {
      SearchResult& result = results[first + q];
      result = SearchResult();
      result.stats.path = SearchPath::kMemoryScan;
      result.stats.candidates_reranked = rows;
      result.neighbors = tops[q].Take();
    }
  }
  return true;
}

bool MemoryIndex::Radius(const uint8_t* query, uint32_t radius,
                         SearchResult* result, Status* status) const {
  ReadLock lock(&mutex_);
  if (state_ != State::kReady) return false;
  *result = SearchResult();
  *status = Status::OK();
  SearchStats& stats = result->stats;
  std::vector<Neighbor>& out = result->neighbors;
  // The delta is in memory: nothing to check, nothing to fail.
  (void)CollectWithin(
      query, {delta_codes_.data(), delta_ids_.data(), delta_ids_.size()},
      code_bytes_, nullptr, radius, &out);
  const uint64_t rows = LiveRowsLocked();
  bool probed = false;
  if (base_->tables) {
    const MultiIndex& tables = *base_->tables;
    if (tables.RadiusCost(radius) <
        MultiIndex::ScanCost(base_->size(), code_bytes_ * 8)) {
      MultiIndexStats mih;
      tables.SearchRadius(query, radius, base_->ids, &dead_, &out, &mih,
                          status);
      ReportTables(mih, delta_ids_.size(), &stats);
      probed = true;
    }
  }
  if (!probed) {
    *status = CollectWithin(query, AllRows(*base_), code_bytes_, &dead_, radius,
                            &out);
    stats.path = SearchPath::kMemoryScan;
    stats.candidates_reranked = rows;
  }
  std::sort(out.begin(), out.end(), NeighborBefore);
  return true;
}

}  // namespace semhash

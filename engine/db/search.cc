// DBImpl::Search, SearchExact, SearchRadius and CountImages (see
// semhash/db.h).
//
// Each first asks the in-memory index (engine/db/memory_index.h); when it is
// off or not loaded yet, they read RocksDB as follows. Search probes the
// Hamming ball around the query address shell by shell (radius 0, 1, 2, ...).
// Each address is one prefix seek over the postings column family: its chunks
// are adjacent keys, and the prefix bloom filter makes an empty address cost no
// data-block read. One iterator serves the whole search, so it sees one
// consistent snapshot. SearchExact and SearchRadius scan every posting chunk.
#include <algorithm>
#include <memory>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/db_iterator.h"
#include "engine/db/hamming_ball.h"
#include "engine/db/hamming_kernels.h"
#include "engine/db/posting_scan.h"
#include "engine/db/rocksdb_status.h"
#include "engine/db/search_planner.h"
#include "engine/db/top_k.h"
#include "format/keys.h"
#include "format/posting_chunk.h"

namespace semhash {
namespace {

// Re-ranks the first min(size, limit) images of one posting chunk into
// `top`; *count gets how many. `distances` is scratch space reused across
// chunks.
void RerankChunk(const format::PostingChunkView& chunk, CodeView query,
                 size_t limit, std::vector<uint32_t>* distances, TopK* top,
                 size_t* count) {
  *count = std::min(chunk.size(), limit);
  if (*count == 0) return;
  // Chunks are columnar (format/posting_chunk.h): code(0) starts all
  // chunk.size() codes, back to back.
  distances->resize(*count);
  BestHammingKernels().distances(query.data(), chunk.code(0).data(), *count,
                                 query.size(), distances->data());
  for (size_t i = 0; i < *count; ++i) {
    top->Push(chunk.id(i), (*distances)[i]);
  }
}

// Re-ranks the images of one address into `top`, until
// stats->candidates_reranked reaches max_candidates.
Status ProbeAddress(PostingScan* scan, Address address, CodeView query,
                    size_t max_candidates, std::vector<uint32_t>* distances,
                    TopK* top, SearchStats* stats) {
  ++stats->addresses_probed;
  bool occupied = false;
  for (scan->SeekAddress(address);
       scan->Valid() && stats->candidates_reranked < max_candidates;
       scan->Next()) {
    format::PostingKey key;
    format::PostingChunkView chunk;
    Status s = scan->Read(&key, &chunk);
    if (!s.ok()) return s;
    size_t count = 0;
    RerankChunk(chunk, query, max_candidates - stats->candidates_reranked,
                distances, top, &count);
    stats->candidates_reranked += count;
    occupied = occupied || count > 0;
  }
  if (occupied) ++stats->addresses_occupied;
  return scan->status();
}

}  // namespace

const char* SearchPathName(SearchPath path) {
  switch (path) {
    case SearchPath::kDiskProbe:
      return "disk-probe";
    case SearchPath::kDiskScan:
      return "disk-scan";
    case SearchPath::kMemoryProbe:
      return "memory-probe";
    case SearchPath::kMemoryScan:
      return "memory-scan";
    case SearchPath::kMultiIndex:
      return "multi-index";
  }
  return "unknown";
}

const char* SearchPlanName(SearchPlan plan) {
  switch (plan) {
    case SearchPlan::kExplicit:
      return "explicit";
    case SearchPlan::kExact:
      return "exact";
    case SearchPlan::kTableProbe:
      return "table-probe";
    case SearchPlan::kAddressProbe:
      return "address-probe";
  }
  return "unknown";
}

Status DBImpl::Search(const SearchOptions& options, Address address,
                      CodeView code, size_t k, SearchResult* result) {
  Status s = CheckAddress(address);
  if (s.ok()) s = CheckCode(code);
  if (!s.ok()) return s;
  if (options.HasExplicitKnobs()) {
    return ProbeSearch(options, address, code, k, result);
  }
  PlannedSearch plan;
  s = PlanSearch(options.target_recall, k, &plan);
  if (!s.ok()) return s;
  return RunPlan(plan, address, code, k, result);
}

Status DBImpl::RunPlan(const PlannedSearch& plan, Address address,
                       CodeView code, size_t k, SearchResult* result) {
  const Status s = plan.plan == SearchPlan::kExact
                       ? SearchExact(code, k, result)
                       : ProbeSearch(PlanOptions(plan.plan, plan.budget),
                                     address, code, k, result);
  SearchStats& stats = result->stats;
  stats.plan = plan.plan;
  stats.plan_budget = plan.budget;
  stats.expected_recall = plan.expected_recall;
  stats.calibration_stale = plan.stale;
  return s;
}

Status DBImpl::ProbeSearch(const SearchOptions& options, Address address,
                           CodeView code, size_t k, SearchResult* result) {
  Status s;
  if (memory_ != nullptr &&
      memory_->Probe(options, address, code.data(), k, result, &s)) {
    return s;
  }
  *result = SearchResult();
  const size_t min_candidates = MinCandidates(options, k);
  const size_t max_candidates = MaxCandidates(options);
  const uint32_t max_radius = std::min(MaxRadius(options), info_.address_bits);
  std::shared_ptr<const rocksdb::Snapshot> pin;
  rocksdb::ReadOptions read_options = ReaderOptions(&pin);
  read_options.prefix_same_as_start = true;
  PostingScan scan(std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(
                       read_options, store_->postings())),
                   code.size());
  TopK top(k);
  std::vector<uint32_t> distances;
  SearchStats& stats = result->stats;
  for (uint32_t radius = 0; radius <= max_radius; ++radius) {
    ForEachAddressAtRadius(
        address, info_.address_bits, radius, [&](Address probe) {
          s = ProbeAddress(&scan, probe, code, max_candidates, &distances, &top,
                           &stats);
          return s.ok() && stats.candidates_reranked < max_candidates;
        });
    if (!s.ok()) return s;
    stats.radius_reached = radius;
    if (stats.candidates_reranked >= std::min(min_candidates, max_candidates)) {
      break;
    }
  }
  result->neighbors = top.Take();
  return Status::OK();
}

template <typename Visit>
Status DBImpl::ForEachPostingChunk(Visit visit) {
  const size_t code_bytes = info_.code_bits / 8;
  std::shared_ptr<const rocksdb::Snapshot> pin;
  PostingScan scan(std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(
                       ReaderOptions(&pin), store_->postings())),
                   code_bytes);
  for (scan.SeekToFirst(); scan.Valid(); scan.Next()) {
    format::PostingKey key;
    format::PostingChunkView chunk;
    Status s = scan.Read(&key, &chunk);
    if (!s.ok()) return s;
    if (chunk.size() > 0) visit(chunk);
  }
  return scan.status();
}

// Every posting chunk in key order: the codes are columnar there, so each
// chunk is one kernel call, where the id table would be one decode per image.
template <typename Visit>
Status DBImpl::ForEachStoredDistance(CodeView code, SearchStats* stats,
                                     Visit visit) {
  std::vector<uint32_t> distances;
  return ForEachPostingChunk([&](const format::PostingChunkView& chunk) {
    distances.resize(chunk.size());
    BestHammingKernels().distances(code.data(), chunk.code(0).data(),
                                   chunk.size(), code.size(), distances.data());
    for (size_t i = 0; i < chunk.size(); ++i) visit(chunk.id(i), distances[i]);
    stats->candidates_reranked += chunk.size();
  });
}

Status DBImpl::SearchExact(CodeView code, size_t k, SearchResult* result) {
  Status s = CheckCode(code);
  if (!s.ok()) return s;
  if (memory_ != nullptr && memory_->Knn(code.data(), k, result, &s)) {
    return s;
  }
  *result = SearchResult();
  result->stats.path = SearchPath::kDiskScan;
  TopK top(k);
  s = ForEachStoredDistance(
      code, &result->stats,
      [&](uint64_t id, uint32_t distance) { top.Push(id, distance); });
  if (!s.ok()) return s;
  result->neighbors = top.Take();
  return Status::OK();
}

Status DBImpl::SearchRadius(CodeView code, uint32_t radius,
                            SearchResult* result) {
  Status s = CheckCode(code);
  if (!s.ok()) return s;
  if (memory_ != nullptr && memory_->Radius(code.data(), radius, result, &s)) {
    return s;
  }
  *result = SearchResult();
  result->stats.path = SearchPath::kDiskScan;
  std::vector<Neighbor>& out = result->neighbors;
  s = ForEachStoredDistance(code, &result->stats,
                            [&](uint64_t id, uint32_t distance) {
                              if (distance <= radius)
                                out.push_back({id, distance});
                            });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), NeighborBefore);
  return Status::OK();
}

// The batched exact scan of SearchExactBatch: each chunk is compared with
// all m queries at once (the kernel keeps the chunk in cache meanwhile).
Status DBImpl::ScanForQueries(const uint8_t* codes, size_t first, size_t m,
                              size_t k, std::vector<SearchResult>* results) {
  if (m == 0) return Status::OK();
  const size_t code_bytes = info_.code_bits / 8;
  const uint8_t* queries = codes + first * code_bytes;
  const HammingKernels& kernels = BestHammingKernels();
  std::vector<TopK> tops(m, TopK(k));
  std::vector<uint32_t> distances;
  uint64_t compared = 0;
  Status s = ForEachPostingChunk([&](const format::PostingChunkView& chunk) {
    const size_t count = chunk.size();
    distances.resize(m * count);
    kernels.distances_batch(queries, m, chunk.code(0).data(), count, code_bytes,
                            distances.data(), count);
    for (size_t q = 0; q < m; ++q) {
      for (size_t i = 0; i < count; ++i) {
        tops[q].Push(chunk.id(i), distances[q * count + i]);
      }
    }
    compared += count;
  });
  if (!s.ok()) return s;
  for (size_t q = 0; q < m; ++q) {
    SearchResult& result = (*results)[first + q];
    result.neighbors = tops[q].Take();
    result.stats.path = SearchPath::kDiskScan;
    result.stats.candidates_reranked = compared;
  }
  return Status::OK();
}

Status DBImpl::CountImages(uint64_t* count) {
  if (memory_ != nullptr && memory_->CountRows(count)) return Status::OK();
  std::shared_ptr<const rocksdb::Snapshot> pin;
  std::unique_ptr<rocksdb::Iterator> ids(
      store_->db()->NewIterator(ReaderOptions(&pin), store_->ids()));
  uint64_t n = 0;
  for (ids->SeekToFirst(); ids->Valid(); ids->Next()) ++n;
  if (!ids->status().ok()) return FromRocksDB(ids->status());
  *count = n;
  return Status::OK();
}

std::unique_ptr<Iterator> DBImpl::NewIterator() {
  std::shared_ptr<const rocksdb::Snapshot> pin;
  const rocksdb::ReadOptions read_options = ReaderOptions(&pin);
  return std::make_unique<DBIterator>(
      std::unique_ptr<rocksdb::Iterator>(
          store_->db()->NewIterator(read_options, store_->ids())),
      info_.code_bits / 8, std::move(pin));
}

}  // namespace semhash

// FAISS's side of `semhash bench`: IndexBinaryFlat, IndexBinaryHash over the
// first 30 bits and IndexBinaryMultiHash, built over the same codes and run
// on one thread, 10 queries a call (see tools/bench/bench.h). Compiled only
// in builds with FAISS.
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <omp.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tools/bench/bench.h"
#include "tools/retrieval_metrics.h"

namespace semhash::bench {
namespace {

constexpr size_t kFaissBatch = 10;

// Builds an Index(args...) over data's codes; sets row's build time and
// memory per image.
template <typename Index, typename... Args>
std::unique_ptr<Index> BuildFaiss(const BenchData& data, BenchRow* row,
                                  Args... args) {
  const double resident_before = ResidentBytes();
  const Clock::time_point start = Clock::now();
  auto index = std::make_unique<Index>(args...);
  index->add(static_cast<faiss::IndexBinary::idx_t>(data.n), data.codes.data());
  row->build_seconds = SecondsSince(start);
  row->memory_bytes = (ResidentBytes() - resident_before) / data.n;
  return index;
}

// One FAISS row over `index` as configured now. Candidates are the
// distances FAISS's hash indexes count, or every code for a flat scan.
BenchRow TimeFaiss(const faiss::IndexBinary& index, const BenchData& data,
                   double budget, BenchRow row) {
  std::vector<int32_t> distances(kFaissBatch * kK);
  std::vector<faiss::IndexBinary::idx_t> labels(kFaissBatch * kK);
  std::vector<uint32_t> found(kK);
  double recall = 0;
  faiss::indexBinaryHash_stats.reset();
  row.queries = TimeQueries(
      data.q, kFaissBatch, budget,
      [&](size_t begin, size_t end) {
        index.search(static_cast<faiss::IndexBinary::idx_t>(end - begin),
                     &data.queries[begin * data.code_bytes], kK,
                     distances.data(), labels.data());
        for (size_t i = begin; i < end; ++i) {
          for (size_t j = 0; j < kK; ++j) {
            const size_t at = (i - begin) * kK + j;
            found[j] = labels[at] < 0 ? std::numeric_limits<uint32_t>::max()
                                      : distances[at];
          }
          recall += cli::RecallAtK(data.kth_exact[i], found, kK);
        }
        return true;
      },
      &row.seconds, &row.cpu_seconds);
  row.recall = recall / row.queries;
  const bool flat =
      dynamic_cast<const faiss::IndexBinaryFlat*>(&index) != nullptr;
  row.candidates =
      flat ? static_cast<double>(data.n)
           : static_cast<double>(faiss::indexBinaryHash_stats.ndis) /
                 row.queries;
  return row;
}

}  // namespace

void MeasureFaiss(const BenchFlags& flags, const BenchData& data,
                  std::vector<BenchRow>* rows) {
  const double budget = flags.budget;
  omp_set_num_threads(1);
  const int d = static_cast<int>(data.code_bytes * 8);
  BenchRow flat_row{"FAISS IndexBinaryFlat", "", true};
  auto flat = BuildFaiss<faiss::IndexBinaryFlat>(data, &flat_row, d);
  rows->push_back(TimeFaiss(*flat, data, budget, flat_row));
  flat.reset();

  BenchRow hash_row{"FAISS IndexBinaryHash", "", true};
  auto hash =
      BuildFaiss<faiss::IndexBinaryHash>(data, &hash_row, d, int{kAddressBits});
  for (int nflip = 0; nflip <= 3; ++nflip) {
    hash->nflip = nflip;
    hash_row.setting = "b 30, nflip " + std::to_string(nflip);
    rows->push_back(TimeFaiss(*hash, data, budget, hash_row));
  }
  hash.reset();

  for (const auto& [tables, bits] : flags.multi_hash) {
    BenchRow multi_row{"FAISS IndexBinaryMultiHash", "", true};
    auto multi = BuildFaiss<faiss::IndexBinaryMultiHash>(data, &multi_row, d,
                                                         tables, bits);
    for (int nflip = 0; nflip <= 2; ++nflip) {
      multi->nflip = nflip;
      multi_row.setting = std::to_string(tables) + " tables x " +
                          std::to_string(bits) + " bits, nflip " +
                          std::to_string(nflip);
      rows->push_back(TimeFaiss(*multi, data, budget, multi_row));
    }
  }
}

}  // namespace semhash::bench

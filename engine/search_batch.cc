// DBImpl::SearchBatch and DBImpl::SearchExactBatch (see semhash/db.h):
// queries spread over threads. Each thread takes a contiguous share of the
// queries; results are written to disjoint elements, so no locking.
#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "engine/db_impl.h"

namespace semhash {
namespace {

// Runs work(first, count) over [0, n) split into `threads` shares; returns
// the first error.
template <typename Work>
Status InParallel(size_t n, unsigned threads, Work work) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<Status> statuses(threads);
  std::vector<std::thread> pool;
  const size_t share = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t first = std::min(n, t * share);
    const size_t count = std::min(share, n - first);
    pool.emplace_back(
        [&, t, first, count] { statuses[t] = work(first, count); });
  }
  for (auto& thread : pool) thread.join();
  for (const Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

Status DBImpl::SearchBatch(const SearchOptions& options, size_t n,
                           const Address* addresses, const uint8_t* codes,
                           size_t k, unsigned threads,
                           std::vector<SearchResult>* results) {
  const size_t code_bytes = info_.code_bits / 8;
  for (size_t i = 0; i < n; ++i) {
    Status s = CheckAddress(addresses[i]);
    if (!s.ok()) return s.WithContext("query " + std::to_string(i));
  }
  results->assign(n, SearchResult());
  return InParallel(n, threads, [&](size_t first, size_t count) {
    for (size_t i = first; i < first + count; ++i) {
      Status s = Search(options, addresses[i],
                        CodeView(codes + i * code_bytes, code_bytes), k,
                        &(*results)[i]);
      if (!s.ok()) return s.WithContext("query " + std::to_string(i));
    }
    return Status::OK();
  });
}

Status DBImpl::SearchExactBatch(size_t n, const uint8_t* codes, size_t k,
                                unsigned threads,
                                std::vector<SearchResult>* results) {
  results->assign(n, SearchResult());
  const size_t code_bytes = info_.code_bits / 8;
  return InParallel(n, threads, [&](size_t first, size_t count) {
    if (memory_ != nullptr && count > 0 &&
        memory_->KnnBatch(codes + first * code_bytes, count, k,
                          &(*results)[first])) {
      return Status::OK();
    }
    return ScanForQueries(codes, first, count, k, results);
  });
}

}  // namespace semhash

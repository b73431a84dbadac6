// DBImpl::SearchBatch and DBImpl::SearchExactBatch (see semhash/db.h):
// queries spread over threads. Each thread takes a contiguous share of the
// queries; results are written to disjoint elements, so no locking.
#include <memory>
#include <vector>

#include "engine/db_impl.h"
#include "engine/in_parallel.h"

namespace semhash {

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

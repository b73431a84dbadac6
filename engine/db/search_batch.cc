// DBImpl::SearchBatch, SearchExactBatch and SearchRadiusBatch (see
// semhash/db.h):
// queries spread over threads. Each thread takes a contiguous share of the
// queries; results are written to disjoint elements, so no locking.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/in_parallel.h"
#include "engine/db/db_impl.h"

namespace semhash {
namespace {

// InvalidArgument unless the caller's n queries can exist: non-null arrays,
// n codes that fit in the address space, and n results a vector can hold
// (std::vector would throw length_error past that).
Status CheckQueryArrays(size_t n, const uint8_t* codes, size_t code_bytes,
                        const std::vector<SearchResult>& results) {
  if (n == 0) return Status::OK();
  if (codes == nullptr) return Status::InvalidArgument("null query codes");
  if (n > PTRDIFF_MAX / code_bytes || n > results.max_size()) {
    return Status::InvalidArgument(std::to_string(n) +
                                   " queries cannot be an array");
  }
  return Status::OK();
}

// Runs one(i) for every query i < n, spread over `threads` threads; the
// first failure is returned, naming its query.
template <typename One>
Status EachQuery(size_t n, unsigned threads, One one) {
  return InParallel(n, threads, [&](size_t first, size_t count) {
    for (size_t i = first; i < first + count; ++i) {
      Status s = one(i);
      if (!s.ok()) return s.WithContext("query " + std::to_string(i));
    }
    return Status::OK();
  });
}

}  // namespace

Status DBImpl::SearchBatch(const SearchOptions& options, size_t n,
                           const Address* addresses, const uint8_t* codes,
                           size_t k, unsigned threads,
                           std::vector<SearchResult>* results) {
  const size_t code_bytes = info_.code_bits / 8;
  Status checked = CheckQueryArrays(n, codes, code_bytes, *results);
  if (checked.ok() && n > 0 && addresses == nullptr) {
    checked = Status::InvalidArgument("null query addresses");
  }
  if (!checked.ok()) return checked;
  for (size_t i = 0; i < n; ++i) {
    Status s = CheckAddress(addresses[i]);
    if (!s.ok()) return s.WithContext("query " + std::to_string(i));
  }
  results->assign(n, SearchResult());
  return EachQuery(n, threads, [&](size_t i) {
    return Search(options, addresses[i],
                  CodeView(codes + i * code_bytes, code_bytes), k,
                  &(*results)[i]);
  });
}

Status DBImpl::SearchExactBatch(size_t n, const uint8_t* codes, size_t k,
                                unsigned threads,
                                std::vector<SearchResult>* results) {
  const size_t code_bytes = info_.code_bits / 8;
  const Status checked = CheckQueryArrays(n, codes, code_bytes, *results);
  if (!checked.ok()) return checked;
  results->assign(n, SearchResult());
  return InParallel(n, threads, [&](size_t first, size_t count) {
    Status s;
    if (count == 0) return s;
    return memory_->KnnBatch(codes + first * code_bytes, count, k,
                             &(*results)[first], &s)
               ? s
               : IndexUnavailable();
  });
}

Status DBImpl::SearchRadiusBatch(size_t n, const uint8_t* codes,
                                 uint32_t radius, unsigned threads,
                                 std::vector<SearchResult>* results) {
  const size_t code_bytes = info_.code_bits / 8;
  const Status checked = CheckQueryArrays(n, codes, code_bytes, *results);
  if (!checked.ok()) return checked;
  results->assign(n, SearchResult());
  return EachQuery(n, threads, [&](size_t i) {
    return SearchRadius(CodeView(codes + i * code_bytes, code_bytes), radius,
                        &(*results)[i]);
  });
}

}  // namespace semhash

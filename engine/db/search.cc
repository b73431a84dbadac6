// DBImpl::Search, SearchExact, SearchRadius and CountImages (see
// semhash/db.h): each asks the in-memory index (engine/db/memory_index.h),
// the mapped live segment with the changes since, which every open loads.
#include "engine/db/db_impl.h"
#include "engine/db/db_iterator.h"

namespace semhash {

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

Status DBImpl::Search(const SearchOptions& options, Address address,
                      CodeView code, size_t k, SearchResult* result) {
  Status s = CheckAddress(address);
  if (s.ok()) s = CheckCode(code);
  if (!s.ok()) return s;
  return memory_->Probe(options, address, code.data(), k, result, &s)
             ? s
             : IndexUnavailable();
}

Status DBImpl::SearchExact(CodeView code, size_t k, SearchResult* result) {
  Status s = CheckCode(code);
  if (!s.ok()) return s;
  return memory_->Knn(code.data(), k, result, &s) ? s : IndexUnavailable();
}

Status DBImpl::SearchRadius(CodeView code, uint32_t radius,
                            SearchResult* result) {
  Status s = CheckCode(code);
  if (!s.ok()) return s;
  return memory_->Radius(code.data(), radius, result, &s) ? s
                                                          : IndexUnavailable();
}

Status DBImpl::CountImages(uint64_t* count) {
  return memory_->CountRows(count) ? Status::OK() : IndexUnavailable();
}

std::unique_ptr<Iterator> DBImpl::NewIterator() {
  return std::make_unique<DBIterator>(this, CurrentView());
}

}  // namespace semhash

// Reads a reopened database through all of its read paths (db_observer.h).
#include "tools/crash_test/db_observer.h"

#include <map>
#include <string>

namespace semhash::crash {
namespace {

// Addresses up to this width are all searched, empty ones included, so that
// a posting entry left behind at an address with no images is found too.
constexpr uint32_t kMaxBitsSearchedInFull = 16;

Status ReadAll(DB* db, ExpectedState* observed, ObserveStats* stats) {
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const CodeView code = it->code();
    observed->Set(it->id(), Image{it->address(), {code.begin(), code.end()}});
    ++stats->images;
  }
  return it->status().WithContext("iterator");
}

Status CheckGets(DB* db, const std::vector<uint64_t>& absent_candidates,
                 const ExpectedState& observed, ObserveStats* stats) {
  Record record;
  for (const auto& [id, image] : observed.images()) {
    ++stats->gets;
    const Status s = db->Get(id, &record);
    if (!s.ok()) return s.WithContext("Get " + std::to_string(id));
    if (record.address != image.address || record.code != image.code) {
      return Status::Corruption("Get " + std::to_string(id) +
                                " disagrees with the iterator");
    }
  }
  for (uint64_t id : absent_candidates) {
    if (observed.Contains(id)) continue;
    ++stats->gets;
    const Status s = db->Get(id, &record);
    if (s.ok()) {
      return Status::Corruption("Get " + std::to_string(id) +
                                " finds an image the iterator does not");
    }
    if (!s.IsNotFound()) return s.WithContext("Get " + std::to_string(id));
  }
  return Status::OK();
}

// The images stored at one address, by id.
using Bucket = std::map<uint64_t, const Image*>;

// k is one more than all images stored: a search that returns more than are
// stored at the address says so, and none is cut off.
Status CheckAddress(DB* db, Address address, const Bucket& bucket,
                    CodeView query, size_t k) {
  SearchOptions options;
  options.max_radius = 0;
  SearchResult result;
  Status s = db->Search(options, address, query, k, &result);
  const std::string where = "Search at address " + std::to_string(address);
  if (!s.ok()) return s.WithContext(where);
  if (result.neighbors.size() != bucket.size()) {
    return Status::Corruption(
        where + " returns " + std::to_string(result.neighbors.size()) +
        " images; " + std::to_string(bucket.size()) + " are stored there");
  }
  std::map<uint64_t, uint32_t> seen;
  for (const Neighbor& n : result.neighbors) {
    auto it = bucket.find(n.id);
    if (it == bucket.end() || !seen.emplace(n.id, n.distance).second) {
      return Status::Corruption(where + " returns id " + std::to_string(n.id) +
                                " twice or not stored there");
    }
    if (n.distance != HammingDistance(query, it->second->code)) {
      return Status::Corruption(where + ": wrong distance for id " +
                                std::to_string(n.id));
    }
  }
  return Status::OK();
}

Status CheckSearches(DB* db, const ExpectedState& observed,
                     ObserveStats* stats) {
  std::map<Address, Bucket> buckets;
  for (const auto& [id, image] : observed.images()) {
    buckets[image.address][id] = &image;
  }
  const uint32_t bits = db->info().address_bits;
  if (bits <= kMaxBitsSearchedInFull) {
    for (uint64_t a = 0; a < (uint64_t{1} << bits); ++a) buckets[Address(a)];
  }
  const std::vector<uint8_t> zeros(db->info().code_bits / 8, 0);
  for (const auto& [address, bucket] : buckets) {
    ++stats->searches;
    const CodeView query = bucket.empty()
                               ? CodeView(zeros)
                               : CodeView(bucket.begin()->second->code);
    const Status s =
        CheckAddress(db, address, bucket, query, observed.size() + 1);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

Status ObserveDatabase(DB* db, const std::vector<uint64_t>& absent_candidates,
                       ExpectedState* observed, ObserveStats* stats) {
  *observed = ExpectedState();
  Status s = ReadAll(db, observed, stats);
  if (s.ok()) s = CheckGets(db, absent_candidates, *observed, stats);
  if (s.ok()) s = CheckSearches(db, *observed, stats);
  return s;
}

}  // namespace semhash::crash

// The radius join's connected components (see near_duplicates.h).
#include "tools/near_duplicates.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

namespace semhash::cli {
namespace {

Status CountImages(DB* db, uint64_t* images) {
  *images = 0;
  const std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++*images;
  return it->status();
}

// Grows the group of `seed` (whose record is `seed_record`) breadth-first,
// marking its members in *seen.
Status GrowGroup(DB* db, uint32_t radius, uint64_t seed, Record seed_record,
                 std::unordered_set<uint64_t>* seen, DuplicateGroup* group) {
  group->members.clear();
  std::vector<std::pair<uint64_t, Record>> members;
  members.emplace_back(seed, std::move(seed_record));
  for (size_t next = 0; next < members.size(); ++next) {
    const std::vector<uint8_t>& code = members[next].second.code;
    SearchResult found;
    Status s =
        db->SearchRadius(CodeView(code.data(), code.size()), radius, &found);
    if (!s.ok())
      return s.WithContext("id " + std::to_string(members[next].first));
    for (const Neighbor& n : found.neighbors) {
      if (!seen->insert(n.id).second) continue;
      Record record;
      s = db->Get(n.id, &record);
      if (!s.ok()) return s.WithContext("id " + std::to_string(n.id));
      members.emplace_back(n.id, std::move(record));
    }
  }
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::vector<uint8_t>& first = members[0].second.code;
  for (auto& [id, record] : members) {
    group->members.push_back(
        {id,
         HammingDistance(CodeView(first.data(), first.size()),
                         CodeView(record.code.data(), record.code.size())),
         std::move(record.payload)});
  }
  return Status::OK();
}

}  // namespace

Status FindNearDuplicates(
    DB* db, uint32_t radius,
    const std::function<Status(const DuplicateGroup&)>& emit,
    const std::function<void(uint64_t done, uint64_t total)>& progress) {
  uint64_t total = 0;
  Status s = CountImages(db, &total);
  if (!s.ok()) return s;
  std::unordered_set<uint64_t> seen;
  DuplicateGroup group;
  const std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!seen.insert(it->id()).second) continue;
    Record seed;
    seed.code.assign(it->code().begin(), it->code().end());
    seed.payload = it->payload();
    s = GrowGroup(db, radius, it->id(), std::move(seed), &seen, &group);
    if (s.ok() && group.members.size() > 1) s = emit(group);
    if (!s.ok()) return s;
    progress(seen.size(), total);
  }
  return it->status();
}

}  // namespace semhash::cli

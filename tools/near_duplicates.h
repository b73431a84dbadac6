// Near-duplicate groups of a database: the connected components of the
// graph that joins two stored images when their codes lie within `radius`
// bits (the radius join), found with the exact radius search
// (DB::SearchRadius, which uses the multi-index tables when the database has
// them), so the cost is one radius search per image, not a pass over all
// pairs.
//
// Images are taken in id order; an image not yet in a group seeds one,
// which grows breadth-first by a radius search from each new member. Every
// image is searched from exactly once. A group is complete when its search
// ends, so it is handed out then: output streams, and memory holds the ids
// seen (a hash set) and the group being grown.
//
// Thread safety: one call at a time per `db`; `emit` and `progress` run on
// the calling thread.
#ifndef SEMHASH_TOOLS_NEAR_DUPLICATES_H_
#define SEMHASH_TOOLS_NEAR_DUPLICATES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "semhash/db.h"

namespace semhash::cli {

// One group: its members by ascending id; the first is the group's seed,
// its smallest id. A member's distance is to the first member's code (it
// may exceed the radius: members join through chains).
struct DuplicateGroup {
  struct Member {
    uint64_t id = 0;
    uint32_t distance = 0;
    std::string payload;
  };
  std::vector<Member> members;
};

// Calls emit(group) for each group of two or more images, in the order of
// their first members' ids, and progress(images done, images in the
// database) as it goes. Stops at the first non-OK status emit returns or a
// search fails, and returns it.
Status FindNearDuplicates(
    DB* db, uint32_t radius,
    const std::function<Status(const DuplicateGroup&)>& emit,
    const std::function<void(uint64_t done, uint64_t total)>& progress);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_NEAR_DUPLICATES_H_

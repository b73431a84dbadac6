// What DB::Verify, DB::Compact and DB::GetSpaceUsage report: the calls an
// administrator's tools (`semhash verify`, `compact`, `inspect`) are built on.
//
// Thread safety: plain structs.
#ifndef SEMHASH_MAINTENANCE_H_
#define SEMHASH_MAINTENANCE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace semhash {

// Called as a long task progresses: items done out of total (0: unknown).
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

struct VerifyOptions {
  // Stop listing problems after this many (they are still counted).
  size_t max_problems = 100;
  ProgressCallback progress;
};

struct VerifyReport {
  uint64_t images = 0;         // Images stored.
  uint64_t segment_rows = 0;   // Rows of the live segment.
  uint64_t changes = 0;        // Change records (puts and tombstones).
  uint64_t tombstones = 0;     // Change records deleting a segment row.
  uint64_t payloads = 0;       // Payload records.
  uint64_t bytes_checked = 0;  // Value and segment bytes checksummed.
  uint64_t problem_count = 0;  // Every problem found.
  // The first max_problems problems, each naming its keys decoded.
  std::vector<std::string> problems;
};

struct CompactReport {
  uint64_t bytes_before = 0;  // Table and log files, before and after.
  uint64_t bytes_after = 0;
  uint64_t changes_merged = 0;  // Change records merged into the segment.
  uint64_t segment_rows = 0;    // Rows of the segment it published.
};

// Bytes on disk by column family (docs/format.md, "Column families").
struct FamilySpace {
  std::string name;
  uint64_t table_bytes = 0;  // SST files.
  uint64_t table_files = 0;
  uint64_t memtable_bytes = 0;  // Not yet flushed; approximate.
};

struct SpaceUsage {
  std::vector<FamilySpace> families;
  uint64_t log_bytes = 0;    // Write-ahead log files.
  uint64_t total_bytes = 0;  // Every file in the database directory.
  // The in-memory index (Options::memory_index): its bytes of memory (0
  // when it is off) and the images it holds (0 until it is loaded).
  uint64_t memory_index_bytes = 0;
  uint64_t memory_index_images = 0;
  // The live segment file (docs/format.md, "The live segment"): its number
  // (0: none), rows and bytes on disk (counted in total_bytes too).
  uint64_t segment = 0;
  uint64_t segment_rows = 0;
  uint64_t segment_bytes = 0;
};

}  // namespace semhash

#endif  // SEMHASH_MAINTENANCE_H_

// MemoryIndex: every stored image's id, address and long code in memory,
// which Search, SearchExact and SearchRadius read instead of RocksDB
// (Options::memory_index).
//
// Layout: an immutable base whose rows are sorted by address (ids and codes
// back to back; the addresses as SortedKeys, which doubles as the occupancy
// filter), with the optional multi-index hashing tables over it; a bitset of
// the base rows deleted since; and a delta of rows written since, which
// every search scans in full. When the delta outgrows an eighth of the base,
// the writer merges both into a new base and swaps it in.
//
// The base may instead be a mapped segment file (Install of a
// MappedSegment): its pages are read in place, each block checked before
// its first use, and a search that meets a damaged block fails with the
// Corruption naming the file and offset.
//
// Consistency with RocksDB: RocksDB is the truth. The DB applies each write
// batch here after RocksDB committed it, while it still holds its write
// mutex, so the index changes in RocksDB's order. Changes applied while a
// load is in flight are queued and replayed on top of what the load read
// (at a snapshot taken under the same write mutex).
//
// Persistence: with a Persist hook (set by a read-write DB), each merge of
// base and delta hands the new base's rows to the hook, which publishes
// them as the database's live segment file and returns it mapped; the
// index then serves the mapped file, not the rows it built. Without one
// (read-only), or if the hook fails, the merged base stays in memory.
//
// Thread safety: searches take a shared lock; Apply, BeginLoad and Install
// an exclusive one. Apply and BeginLoad must be serialised by the caller
// (the DB's write mutex).
#ifndef SEMHASH_ENGINE_DB_MEMORY_INDEX_H_
#define SEMHASH_ENGINE_DB_MEMORY_INDEX_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/common/thread_annotations.h"
#include "engine/db/rw_lock.h"
#include "semhash/codes.h"
#include "semhash/options.h"
#include "semhash/search.h"
#include "semhash/status.h"

namespace semhash {

class MappedSegment;
class MultiIndex;
class TopK;
struct SegmentRows;

// The knobs of a probe (SearchOptions), unset ones at their defaults.
// The candidates a probe gathers before it stops.
inline size_t MinCandidates(const SearchOptions& options, size_t k) {
  const size_t set = options.min_candidates.value_or(0);
  return set != 0 ? set : std::max<size_t>(k, 100);
}
// The most candidates a probe re-ranks.
inline size_t MaxCandidates(const SearchOptions& options) {
  const size_t set = options.max_candidates.value_or(0);
  return set != 0 ? set : SIZE_MAX;
}
inline uint32_t MaxRadius(const SearchOptions& options) {
  return options.max_radius.value_or(3);
}
inline bool UseTables(const SearchOptions& options) {
  return options.use_tables.value_or(true);
}
inline uint32_t MaxTableRadius(const SearchOptions& options) {
  return options.max_table_radius.value_or(2);
}

// Rows as a loader reads them from the posting lists.
struct MemoryRows {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;  // Ascending.
  std::vector<uint8_t> codes;      // ids.size() codes, back to back.
};

class MemoryIndex {
 public:
  // One committed operation: the image's old address if it was stored
  // (it is removed), and the new row if it is a put.
  struct Change {
    uint64_t id = 0;
    bool had_old = false;
    Address old_address = 0;
    bool put = false;
    Address address = 0;
    std::vector<uint8_t> code;
  };

  // The immutable rows (engine/db/memory_index_base.h); named here for the
  // scan helpers of memory_search.cc.
  struct Base;

  // Publishes the rows of a merged base (and its tables, null without)
  // and returns them mapped in *segment; called by the writer only.
  using Persist =
      std::function<Status(const SegmentRows& rows, const MultiIndex* tables,
                           std::shared_ptr<const MappedSegment>* segment)>;

  MemoryIndex(uint32_t address_bits, uint32_t code_bits, uint32_t mih_tables);
  MemoryIndex(const MemoryIndex&) = delete;
  MemoryIndex& operator=(const MemoryIndex&) = delete;
  ~MemoryIndex();

  // From now until Install, searches return false and Apply queues.
  // Returns the load's ticket: only the latest load may install.
  uint64_t BeginLoad() LOCKS_EXCLUDED(mutex_);
  // Makes `rows` the contents, replays what Apply queued since BeginLoad,
  // and serves searches again; does nothing if a later load began. Calls
  // publish (if set) while searches are held off, as Apply does.
  // REQUIRES: rows.addresses ascend.
  void Install(uint64_t ticket, MemoryRows rows,
               const std::function<void()>& publish = nullptr)
      LOCKS_EXCLUDED(mutex_);
  // Install of a mapped segment as the base (its widths and table count
  // must be the index's: InvalidArgument otherwise, installing nothing).
  Status Install(uint64_t ticket, std::shared_ptr<const MappedSegment> segment,
                 const std::function<void()>& publish = nullptr)
      LOCKS_EXCLUDED(mutex_);
  // Sets the hook each merge calls (see above). REQUIRES: before the first
  // Apply, Merge or load.
  void set_persist(Persist persist) { persist_ = std::move(persist); }
  // Merges base and delta into a new base now, whatever their sizes, and
  // persists it (see above): the hook's error, or the Corruption of a
  // damaged mapped base (the index is then left as it was). OK, doing
  // nothing, while the index is not loaded. REQUIRES: called by the writer.
  Status Merge() LOCKS_EXCLUDED(mutex_) { return Rebuild(/*force=*/true); }
  // A bulk load's merge: the live rows but those whose ids are in
  // `replaced` (ascending), merged by address with `loaded`, persisted
  // through `persist` (not the hook of set_persist) and made the base only
  // once persisted, calling `publish` with the new segment while searches
  // are held off; on failure the index is left as it was.
  // REQUIRES: loaded.addresses ascend; called by the writer, index loaded.
  Status MergeLoaded(
      MemoryRows loaded, const std::vector<uint64_t>& replaced,
      const Persist& persist,
      const std::function<void(std::shared_ptr<const MappedSegment>)>& publish)
      LOCKS_EXCLUDED(mutex_);

  // The load failed: serve no searches (the DB reads RocksDB) until the
  // next load.
  void Abandon(uint64_t ticket) LOCKS_EXCLUDED(mutex_);
  // Applies a committed write batch, in order, and calls publish while
  // searches are held off: the DB publishes its RocksDB read snapshot
  // there, so readers of RocksDB and of this index see the change at once.
  void Apply(const std::vector<Change>& changes,
             const std::function<void()>& publish) LOCKS_EXCLUDED(mutex_);

  // The searches return false, doing nothing, while the index is not loaded
  // (or was found out of step with RocksDB, see Remove); the DB then reads
  // RocksDB. Otherwise they return true with *status the search's outcome:
  // OK, or the Corruption of a damaged mapped base (*result then holds
  // nothing useful). REQUIRES: the arguments were validated by the DB.
  bool Probe(const SearchOptions& options, Address address,
             const uint8_t* query, size_t k, SearchResult* result,
             Status* status) const LOCKS_EXCLUDED(mutex_);
  bool Knn(const uint8_t* query, size_t k, SearchResult* result,
           Status* status) const LOCKS_EXCLUDED(mutex_);
  bool KnnBatch(const uint8_t* queries, size_t m, size_t k,
                SearchResult* results, Status* status) const
      LOCKS_EXCLUDED(mutex_);
  // Every image within `radius` bits, best first.
  bool Radius(const uint8_t* query, uint32_t radius, SearchResult* result,
              Status* status) const LOCKS_EXCLUDED(mutex_);

  bool ready() const LOCKS_EXCLUDED(mutex_);
  uint64_t rows() const LOCKS_EXCLUDED(mutex_);
  // *rows = the images held, as the searches do: false while not loaded.
  bool CountRows(uint64_t* rows) const LOCKS_EXCLUDED(mutex_);
  size_t memory_bytes() const LOCKS_EXCLUDED(mutex_);

 private:
  enum class State { kLoading, kReady, kOutOfStep };

  // The searches' bodies. REQUIRES: state kReady.
  void ScanDelta(const uint8_t* query, TopK* top) const
      SHARED_LOCKS_REQUIRED(mutex_);
  Status ScanAll(const uint8_t* query, TopK* top) const
      SHARED_LOCKS_REQUIRED(mutex_);
  // One shell of the address ball; stops once stats->candidates_reranked
  // reaches max_candidates.
  Status ProbeShell(Address address, uint32_t radius, const uint8_t* query,
                    size_t max_candidates, TopK* top, SearchStats* stats) const
      SHARED_LOCKS_REQUIRED(mutex_);
  Status KnnLocked(const uint8_t* query, size_t k, SearchResult* result) const
      SHARED_LOCKS_REQUIRED(mutex_);

  // Applies one change.
  void ApplyLocked(const Change& change) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Removes `id`, stored at `address`, from the delta or the base.
  void Remove(uint64_t id, Address address) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Merges base and delta into a new base when the delta is large, or
  // always if `force`: see Merge. REQUIRES: called by the writer.
  Status Rebuild(bool force) LOCKS_EXCLUDED(mutex_);
  std::shared_ptr<const Base> MakeBase(MemoryRows rows) const;
  // A base over a mapped segment; InvalidArgument if its widths or table
  // count are not the index's.
  Status MakeMappedBase(std::shared_ptr<const MappedSegment> segment,
                        std::shared_ptr<const Base>* out) const;
  // Installs `base` as a load's result (see Install).
  void InstallBase(uint64_t ticket, std::shared_ptr<const Base> base,
                   const std::function<void()>& publish) LOCKS_EXCLUDED(mutex_);
  // Makes `base` the contents, with nothing deleted and an empty delta.
  void ReplaceBase(std::shared_ptr<const Base> base)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Base rows not deleted, then delta rows, in address order, but those
  // whose ids are in `excluded` (ascending; may be null); fails on a
  // damaged mapped base.
  Status LiveRows(MemoryRows* rows,
                  const std::vector<uint64_t>* excluded = nullptr) const
      SHARED_LOCKS_REQUIRED(mutex_);
  bool IsDead(uint32_t row) const SHARED_LOCKS_REQUIRED(mutex_) {
    return (dead_[row / 64] >> (row % 64)) & 1;
  }
  uint64_t LiveRowsLocked() const SHARED_LOCKS_REQUIRED(mutex_);

  const uint32_t address_bits_;
  const size_t code_bytes_;
  const uint32_t mih_tables_;
  Persist persist_;  // Empty: merged bases stay in memory.

  mutable RwLock mutex_;
  State state_ GUARDED_BY(mutex_) = State::kLoading;
  uint64_t ticket_ GUARDED_BY(mutex_) = 0;         // Of the latest BeginLoad.
  std::vector<Change> queued_ GUARDED_BY(mutex_);  // Applied while loading.
  std::shared_ptr<const Base> base_ GUARDED_BY(mutex_);
  // Bit r: base row r was deleted.
  std::vector<uint64_t> dead_ GUARDED_BY(mutex_);
  uint64_t dead_count_ GUARDED_BY(mutex_) = 0;
  std::vector<uint64_t> delta_ids_ GUARDED_BY(mutex_);
  std::vector<Address> delta_addresses_ GUARDED_BY(mutex_);
  std::vector<uint8_t> delta_codes_ GUARDED_BY(mutex_);
  // id -> delta row.
  std::unordered_map<uint64_t, uint32_t> delta_rows_ GUARDED_BY(mutex_);
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MEMORY_INDEX_H_

// DBImpl: the DB of semhash/db.h over a RocksDBStore.
//
// Writes take write_mutex_, read the old id records and address tails they
// touch, and commit one RocksDB WriteBatch: the id records, the posting
// operands (a removal from the old chunk, an append to the tail chunk) and
// the new tails, so a crash leaves all of a write or none; then they apply
// the same changes to the in-memory index (engine/db/memory_index.h), still
// under write_mutex_. Reads take no DB lock.
#ifndef SEMHASH_ENGINE_DB_DB_IMPL_H_
#define SEMHASH_ENGINE_DB_DB_IMPL_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine/common/mutex.h"
#include "engine/common/thread_annotations.h"
#include "engine/db/memory_index.h"
#include "engine/db/rocksdb_store.h"
#include "engine/db/segment_writer.h"
#include "engine/db/staging_directory.h"
#include "format/id_record.h"
#include "format/manifest.h"
#include "semhash/db.h"
#include "semhash/encoder.h"

namespace semhash {

class DBImpl final : public DB {
 public:
  DBImpl(std::unique_ptr<RocksDBStore> store, const format::Manifest& manifest,
         std::unique_ptr<Encoder> encoder, bool read_only);
  ~DBImpl() override;

  // Loads the in-memory index as `mode` says (engine/db/db_memory_index.cc).
  // kLoadAtOpen: the error of a failed load; otherwise OK.
  Status StartMemoryIndex(Options::MemoryIndex mode);

  Status Put(const WriteOptions& options, uint64_t id, Address address,
             CodeView code, std::string_view payload) override;
  Status Delete(const WriteOptions& options, uint64_t id) override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  Status Get(uint64_t id, Record* record) override;
  Status Search(const SearchOptions& options, Address address, CodeView code,
                size_t k, SearchResult* result) override;
  Status SearchExact(CodeView code, size_t k, SearchResult* result) override;
  Status SearchRadius(CodeView code, uint32_t radius,
                      SearchResult* result) override;
  Status SearchBatch(const SearchOptions& options, size_t n,
                     const Address* addresses, const uint8_t* codes, size_t k,
                     unsigned threads,
                     std::vector<SearchResult>* results) override;
  Status SearchExactBatch(size_t n, const uint8_t* codes, size_t k,
                          unsigned threads,
                          std::vector<SearchResult>* results) override;
  Status SearchRadiusBatch(size_t n, const uint8_t* codes, uint32_t radius,
                           unsigned threads,
                           std::vector<SearchResult>* results) override;
  Status CountImages(uint64_t* count) override;
  std::unique_ptr<Iterator> NewIterator() override;
  Status NewBulkLoader(const BulkLoadOptions& options,
                       std::unique_ptr<BulkLoader>* loader) override;
  Status Verify(const VerifyOptions& options, VerifyReport* report) override;
  Status Compact(const ProgressCallback& progress,
                 CompactReport* report) override;
  Status GetSpaceUsage(SpaceUsage* usage) override;
  Status Backup(const std::string& dir) override;
  const DatabaseInfo& info() const override { return info_; }
  const Encoder* encoder() const override { return encoder_.get(); }

  // For the bulk loader, the verifier and the compactor.
  RocksDBStore* store() const { return store_.get(); }
  Mutex* write_mutex() LOCK_RETURNED(write_mutex_) { return &write_mutex_; }
  Status CheckAddress(Address address) const;
  // A bulk loader's destructor calls this once its staging directory is gone.
  void EndBulkLoad() LOCKS_EXCLUDED(bulk_mutex_);
  // A database created with Options::stage_new_database, until DB::Publish
  // renames its directory to `target` through `env`'s file system.
  struct Staged {
    Staged(std::filesystem::path dir_path, std::filesystem::path target_path,
           rocksdb::Env* file_env)
        : dir(std::move(dir_path)),
          target(std::move(target_path)),
          env(file_env) {}
    StagingDirectory dir;
    std::filesystem::path target;
    rocksdb::Env* env;
  };
  // Called once, by DB::Open, before the DB is shared.
  void set_staged(std::unique_ptr<Staged> staged) {
    staged_ = std::move(staged);
  }
  // Null if the database was not staged (or was taken already).
  std::unique_ptr<Staged> TakeStaged() { return std::move(staged_); }
  // After a bulk load: reads the in-memory index anew, and publishes it as
  // the live segment.
  void ReloadMemoryIndex() EXCLUSIVE_LOCKS_REQUIRED(write_mutex_);
  // Before a bulk load ingests (which writes no delta keys): the manifest
  // names no segment any more, synced, and the old file is removed; the
  // next open without a segment reads the posting chunks.
  Status ClearSegment() EXCLUSIVE_LOCKS_REQUIRED(write_mutex_);

  // Points of a segment's publication, for crash tests: a hook set by
  // TEST_SetPublishHook is called at each and may fail the publication
  // there (or cut the power of a fault-injection file system).
  enum class PublishStage { kSegmentWritten, kManifestWritten };
  void TEST_SetPublishHook(std::function<Status(PublishStage)> hook) {
    publish_hook_ = std::move(hook);
  }

 private:
  class BatchBuilder;

  Status CheckCode(CodeView code) const;
  // Exact search of queries [first, first + m) in one pass over the chunks.
  Status ScanForQueries(const uint8_t* codes, size_t first, size_t m, size_t k,
                        std::vector<SearchResult>* results);
  Status CheckOperation(const WriteBatch::Operation& op) const;
  // The live segment (engine/db/db_segment.cc). The file of segment
  // `number`: <db>/segments/NNNNNN.seg.
  std::string SegmentPath(uint64_t number) const;
  // Maps the manifest's segment; Corruption if it is not the file the
  // manifest names (rows, header checksum).
  Status OpenLiveSegment(std::shared_ptr<const MappedSegment>* segment);
  // Each delta id's change on top of `segment`, as RocksDB holds it now.
  Status ReadDeltaChanges(const MappedSegment& segment,
                          std::vector<MemoryIndex::Change>* changes);
  // A MemoryIndex's Persist hook: PublishSegment.
  MemoryIndex::Persist PersistHook();
  // ReloadMemoryIndex without an index (kOff): publishes a segment of the
  // posting chunks' rows all the same. REQUIRES: write_mutex_ held.
  void PublishWithoutIndex();
  // After a load from the posting chunks, read-write: publishes the loaded
  // index as the first segment (migrating a version 1 database).
  void PublishFirstSegment() LOCKS_EXCLUDED(write_mutex_);
  // Open with a segment: maps it and replays the delta on it.
  Status MapLiveSegment() LOCKS_EXCLUDED(write_mutex_);
  // MemoryIndex's Persist hook: writes `rows` as the next segment and makes
  // it the live one (see db_segment.cc). REQUIRES: write_mutex_ held (the
  // writer merges the index); not annotated, as it is called through the
  // index.
  Status PublishSegment(const SegmentRows& rows, const MultiIndex* tables,
                        std::shared_ptr<const MappedSegment>* segment);
  // Writes `manifest` and deletes every delta key, in one synced batch.
  Status WriteManifest(const format::Manifest& manifest);
  void RemoveSegmentFile(const std::string& path);
  // manifest_ = `manifest`, with live_segment_*. REQUIRES: write_mutex_.
  void SetManifest(const format::Manifest& manifest);
  // Verify's check of the live segment: every block and structure
  // (MappedSegment::VerifyAll), then segment + delta = the id records.
  // Corruption naming the file (and the id) otherwise.
  Status VerifySegment() LOCKS_EXCLUDED(write_mutex_);
  // Read-write open: removes files under segments/ the manifest does not
  // name.
  void RemoveOrphanSegments();
  Status TEST_Stage(PublishStage stage) {
    return publish_hook_ ? publish_hook_(stage) : Status::OK();
  }
  // Backup's work in `staging` (engine/db/db_backup.cc).
  // The live segment into `staging`/segments. REQUIRES: write_mutex_ held,
  // or read-only.
  Status PlaceSegment(const std::string& staging);
  Status WriteBackupFiles(const std::string& staging);
  // *record is empty if `id` is not stored. Read as `read` says.
  Status ReadIdRecord(const rocksdb::ReadOptions& read, uint64_t id,
                      std::optional<format::IdRecord>* record);
  // Readers' view of RocksDB. With an in-memory index, RocksDB is read at
  // the snapshot published together with the index's latest change (under
  // the index's lock), so that no read of RocksDB runs ahead of, or behind,
  // a search of the index; without one, at the latest state. *pin keeps
  // the snapshot alive while the returned options are used.
  rocksdb::ReadOptions ReaderOptions(
      std::shared_ptr<const rocksdb::Snapshot>* pin) const
      LOCKS_EXCLUDED(published_mutex_);
  // Makes the latest state the one readers see.
  // REQUIRES: write_mutex_ held, or no writer yet; with an in-memory index,
  // called under its lock (MemoryIndex::Apply's `publish`). Not annotated
  // with write_mutex_: before the first writer it runs without it.
  void PublishSnapshot() LOCKS_EXCLUDED(published_mutex_);
  // Every posting chunk at `snapshot` (null: now) as rows in address
  // order; NotSupported once stop_loading_ is set (the DB is closing).
  Status ReadMemoryRows(const rocksdb::Snapshot* snapshot, MemoryRows* rows);
  // The rows of addresses [first, end), about `expected` of them.
  Status ReadMemoryRange(const rocksdb::Snapshot* snapshot, uint64_t first,
                         uint64_t end, uint64_t expected, MemoryRows* rows);
  // The disk paths of SearchExact and SearchRadius: visit(chunk) for every
  // posting chunk.
  template <typename Visit>
  Status ForEachPostingChunk(Visit visit);
  // visit(id, distance to `code`) for every stored image, from the posting
  // chunks; counts them in stats->candidates_reranked.
  template <typename Visit>
  Status ForEachStoredDistance(CodeView code, SearchStats* stats, Visit visit);

  // Declared before store_, so that an unpublished staging directory is
  // removed after the store is closed.
  std::unique_ptr<Staged> staged_;
  const std::unique_ptr<RocksDBStore> store_;
  const std::unique_ptr<Encoder> encoder_;
  const bool read_only_;
  DatabaseInfo info_;
  // The manifest as last written. Changed only by the writer, under
  // write_mutex_ (a segment's publication); read by it, by the open
  // before the DB is shared, and read-only (when it never changes).
  format::Manifest manifest_;
  std::function<Status(PublishStage)> publish_hook_;
  // manifest_.segment and segment_rows, for GetSpaceUsage without the write
  // mutex; set with manifest_.
  std::atomic<uint64_t> live_segment_{0};
  std::atomic<uint64_t> live_segment_rows_{0};
  // One writer at a time: held by each write, a bulk load's Finish and a
  // compaction throughout, and by a read-write backup while it lists files.
  Mutex write_mutex_;
  Mutex bulk_mutex_;  // Guards bulk_loads_ and the staging directories.
  int bulk_loads_ GUARDED_BY(bulk_mutex_) = 0;  // Loaders alive.
  uint64_t bulk_sequence_ GUARDED_BY(bulk_mutex_) = 0;
  // Null with Options::MemoryIndex::kOff.
  std::unique_ptr<MemoryIndex> memory_;
  std::thread loader_;  // A background load, joined by the destructor.
  mutable Mutex published_mutex_;
  std::shared_ptr<const rocksdb::Snapshot> published_
      GUARDED_BY(published_mutex_);
  std::atomic<bool> stop_loading_{false};
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DB_IMPL_H_

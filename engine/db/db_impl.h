// DBImpl: the DB of semhash/db.h over a RocksDBStore and the live segment.
//
// Format version 3 (docs/format.md): each image's code lives in one place,
// the live segment file, or, if the image changed since that was written,
// its change record in RocksDB's `changes` family; payloads live in
// `payloads`. Writes take write_mutex_ and commit one RocksDB WriteBatch
// (the change records and payloads), so a crash leaves all of a write or
// none; then they apply the same changes to the in-memory index
// (engine/db/memory_index.h), still under write_mutex_. Reads take no DB
// lock: they read RocksDB at the snapshot published with the segment it
// goes with (ReadView).
#ifndef SEMHASH_ENGINE_DB_DB_IMPL_H_
#define SEMHASH_ENGINE_DB_DB_IMPL_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/common/thread_annotations.h"
#include "engine/db/memory_index.h"
#include "engine/db/rocksdb_store.h"
#include "engine/db/segment_writer.h"
#include "engine/db/staging_directory.h"
#include "format/change_record.h"
#include "format/manifest.h"
#include "semhash/db.h"
#include "semhash/encoder.h"

namespace semhash {

class DBImpl final : public DB {
 public:
  DBImpl(std::unique_ptr<RocksDBStore> store, const format::Manifest& manifest,
         std::unique_ptr<Encoder> encoder, bool read_only);
  ~DBImpl() override;

  // Opens the in-memory index over the live segment and the changes since
  // (engine/db/db_segment.cc), migrating a database of an older format
  // first when read-write. The error of a failed open; OK otherwise.
  Status StartMemoryIndex();

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

  // What a reader sees: RocksDB at `snapshot` over `segment` (null: none),
  // published together so that no read pairs changes with the wrong base.
  struct ReadView {
    std::shared_ptr<const rocksdb::Snapshot> snapshot;
    std::shared_ptr<const MappedSegment> segment;
    rocksdb::ReadOptions options() const {
      rocksdb::ReadOptions read;
      read.snapshot = snapshot.get();
      return read;
    }
  };
  // An image as reads find it: in a change record or in the segment.
  struct Located {
    bool found = false;
    Address address = 0;
    std::vector<uint8_t> code;
  };
  // Where `id` is in `view` (changes first, then the segment's id order).
  Status Locate(const ReadView& view, uint64_t id, Located* out) const;
  // *payload = the payload of `id` at `view` (empty if none).
  Status ReadPayload(const ReadView& view, uint64_t id,
                     std::string* payload) const;
  ReadView CurrentView() const LOCKS_EXCLUDED(published_mutex_);

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
  // A bulk load's end: `loaded` (addresses ascending; `ids` its ids,
  // ascending and distinct) replaces the images of its ids; the merged rows
  // are published as the next segment, and the payloads of replaced ids are
  // deleted in the same synced batch as the manifest. The database is
  // unchanged on failure (engine/db/bulk_loader.cc).
  Status PublishBulkLoad(MemoryRows loaded, const std::vector<uint64_t>& ids)
      EXCLUSIVE_LOCKS_REQUIRED(write_mutex_);

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
  Status CheckOperation(const WriteBatch::Operation& op) const;
  // The live segment (engine/db/db_segment.cc). The file of segment
  // `number`: <db>/segments/NNNNNN.seg.
  std::string SegmentPath(uint64_t number) const;
  // Maps the manifest's segment; Corruption if it is not the file the
  // manifest names (rows, header checksum).
  Status OpenLiveSegment(std::shared_ptr<const MappedSegment>* segment);
  // Each change record's change on top of `segment` (null: none), as
  // RocksDB holds them now.
  Status ReadChanges(const MappedSegment* segment,
                     std::vector<MemoryIndex::Change>* changes);
  // A MemoryIndex's Persist hook: PublishSegment.
  MemoryIndex::Persist PersistHook();
  // Open: maps the live segment (if any) and replays the changes on it.
  Status LoadMemoryIndex() LOCKS_EXCLUDED(write_mutex_);
  // A read-write open of a database of format version 1 or 2
  // (engine/db/db_migrate.cc): its id records become the first segment and
  // the payload records, then the manifest says version 3 and the retired
  // families are dropped.
  Status Migrate() LOCKS_EXCLUDED(write_mutex_);
  // MemoryIndex's Persist hook: writes `rows` as the next segment and makes
  // it the live one (see db_segment.cc). REQUIRES: write_mutex_ held (the
  // writer merges the index); not annotated, as it is called through the
  // index. `extra` (may be null) adds to the manifest's batch.
  Status PublishSegment(const SegmentRows& rows, const MultiIndex* tables,
                        std::shared_ptr<const MappedSegment>* segment,
                        const rocksdb::WriteBatch* extra = nullptr);
  // Writes `manifest`, deletes every change record and applies `extra`
  // (may be null), in one synced batch.
  Status WriteManifest(const format::Manifest& manifest,
                       const rocksdb::WriteBatch* extra);
  void RemoveSegmentFile(const std::string& path);
  // manifest_ = `manifest`, with live_segment_*. REQUIRES: write_mutex_.
  void SetManifest(const format::Manifest& manifest);
  // Verify's check of the live segment and the records (db_verify.cc).
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
  // Makes the latest RocksDB state, over `segment` (kept if null), the one
  // readers see. REQUIRES: write_mutex_ held, or no writer yet; called
  // under the index's lock (MemoryIndex::Apply's `publish`) or, for a new
  // segment, before the index swaps to it (either pairing answers alike:
  // the new segment is the old one with the old changes applied).
  void PublishView(std::shared_ptr<const MappedSegment> segment = nullptr)
      LOCKS_EXCLUDED(published_mutex_);
  // The in-memory index answers every search; this is the error when it
  // cannot (found out of step with RocksDB: a bug or memory damage).
  static Status IndexUnavailable();

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
  // The live segment mapped (null: none), as manifest_ names it.
  std::shared_ptr<const MappedSegment> segment_;
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
  std::unique_ptr<MemoryIndex> memory_;
  mutable Mutex published_mutex_;
  ReadView published_ GUARDED_BY(published_mutex_);
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DB_IMPL_H_

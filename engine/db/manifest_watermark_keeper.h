// ManifestWatermarkKeeper: writes DIR/SEMHASH-MANIFEST-WATERMARK (format/
// manifest_watermark.h) after each change RocksDB commits to its MANIFEST:
// at open, and after every flush, compaction and ingestion. It records the
// size RocksDB reports as synced (DB::GetLiveFiles), never more, so a crash
// at any moment leaves a watermark at or below what the MANIFEST holds.
// The file is replaced by a rename, so it is the old watermark or the new
// one; it is not fsynced, since an older watermark only checks less.
//
// Thread safety: RocksDB calls the listener from its background threads;
// Record serialises writes and never lowers the watermark.
#ifndef SEMHASH_ENGINE_DB_MANIFEST_WATERMARK_KEEPER_H_
#define SEMHASH_ENGINE_DB_MANIFEST_WATERMARK_KEEPER_H_

#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include <string>

#include "engine/common/mutex.h"
#include "engine/common/thread_annotations.h"
#include "format/manifest_watermark.h"

namespace semhash {

class ManifestWatermarkKeeper : public rocksdb::EventListener {
 public:
  explicit ManifestWatermarkKeeper(std::string dir) : dir_(std::move(dir)) {}

  // Notes the MANIFEST `db` uses and its synced size, if they moved on.
  void Record(rocksdb::DB* db) LOCKS_EXCLUDED(mu_);

  void OnFlushCompleted(rocksdb::DB* db,
                        const rocksdb::FlushJobInfo&) override {
    Record(db);
  }
  void OnCompactionCompleted(rocksdb::DB* db,
                             const rocksdb::CompactionJobInfo&) override {
    Record(db);
  }
  void OnExternalFileIngested(
      rocksdb::DB* db, const rocksdb::ExternalFileIngestionInfo&) override {
    Record(db);
  }

 private:
  const std::string dir_;
  Mutex mu_;
  format::ManifestWatermark last_ GUARDED_BY(mu_);
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MANIFEST_WATERMARK_KEEPER_H_

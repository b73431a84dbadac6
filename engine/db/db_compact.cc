// DBImpl::Compact and GetSpaceUsage (see semhash/db.h). Compaction
// publishes the live rows as a new segment (so `changes` is emptied), then
// has RocksDB compact every column family to its bottom level, which drops
// the deleted change and payload records.
#include <filesystem>

#include "engine/db/db_impl.h"
#include "engine/db/rocksdb_status.h"

namespace semhash {

Status DBImpl::Compact(const ProgressCallback& progress,
                       CompactReport* report) {
  *report = CompactReport();
  if (read_only_) return Status::NotSupported("database opened read-only");
  MutexLock lock(&write_mutex_);
  SpaceUsage before;
  Status s = GetSpaceUsage(&before);
  if (!s.ok()) return s;
  report->bytes_before = before.total_bytes;
  uint64_t changes = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->changes()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++changes;
  s = FromRocksDB(it->status());
  it.reset();
  if (progress) progress(0, 3);
  // A fresh segment, and an empty `changes`.
  if (s.ok()) s = memory_->Merge();
  if (s.ok()) report->changes_merged = changes;
  if (progress) progress(1, 3);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (auto* family : {store_->meta(), store_->changes(), store_->payloads()}) {
    if (s.ok()) {
      s = FromRocksDB(
          store_->db()->CompactRange(options, family, nullptr, nullptr));
    }
  }
  if (progress) progress(2, 3);
  if (s.ok()) s = FromRocksDB(store_->db()->FlushWAL(/*sync=*/true));
  // Readers' snapshot would keep what the compaction dropped; the answers
  // are the same at the latest state, so readers move to it.
  PublishView();
  SpaceUsage after;
  if (s.ok()) s = GetSpaceUsage(&after);
  report->bytes_after = after.total_bytes;
  report->segment_rows = after.segment_rows;
  if (progress) progress(3, 3);
  return s;
}

Status DBImpl::GetSpaceUsage(SpaceUsage* usage) {
  *usage = SpaceUsage();
  rocksdb::DB* db = store_->db();
  for (auto* family : {store_->meta(), store_->changes(), store_->payloads()}) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(family, &meta);
    FamilySpace space;
    space.name = meta.name;
    space.table_bytes = meta.size;
    space.table_files = meta.file_count;
    db->GetIntProperty(family, "rocksdb.cur-size-all-mem-tables",
                       &space.memtable_bytes);
    usage->families.push_back(space);
  }
  // Iterated with error codes: a file removed meanwhile (RocksDB deletes
  // obsolete files in the background) is skipped, not thrown.
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(db->GetName(), error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code gone;
    if (!it->is_regular_file(gone)) continue;
    const uint64_t bytes = it->file_size(gone);
    if (gone) continue;
    usage->total_bytes += bytes;
    if (it->path().extension() == ".log") usage->log_bytes += bytes;
  }
  if (error) {
    return Status::IOError(db->GetName() + ": " + error.message());
  }
  usage->segment = live_segment_;
  usage->segment_rows = live_segment_rows_;
  if (usage->segment != 0) {
    std::error_code missing;  // Replaced meanwhile: 0 bytes.
    const uintmax_t bytes =
        std::filesystem::file_size(SegmentPath(usage->segment), missing);
    usage->segment_bytes = missing ? 0 : bytes;
  }
  if (memory_ != nullptr) {
    usage->memory_index_bytes = memory_->memory_bytes();
    usage->memory_index_images = memory_->rows();
  }
  return Status::OK();
}

}  // namespace semhash

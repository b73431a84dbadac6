// DBImpl's live segment (format version 3): the segment file that is the
// base of the in-memory index, named by the manifest, and the `changes`
// column family of what changed since it was written.
//
// The invariant: the database is the live segment's rows with each change
// record applied on top (a put replaces or adds the id's row, a tombstone
// deletes it); every write puts its change records in the same RocksDB
// WriteBatch as its payloads. So the index at open is the segment with the
// change records applied, read at one moment under the write mutex.
//
// Publication (PublishSegment, each merge of the index and each bulk load):
// the new segment is written complete and synced under a new number, then
// one synced WriteBatch names it in the manifest and deletes every change
// record, then the old file is removed. A crash leaves the old segment with
// its change records, or the new one with none; a file not named (a
// crash's orphan, a .tmp) is removed by the next read-write open.
#include <rocksdb/file_system.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/durable_files.h"
#include "engine/db/mapped_segment.h"
#include "engine/db/rocksdb_status.h"
#include "engine/db/segment_writer.h"
#include "format/change_record.h"
#include "format/keys.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;

constexpr char kSegmentsDirectory[] = "segments";
constexpr char kSegmentSuffix[] = ".seg";

}  // namespace

std::string DBImpl::SegmentPath(uint64_t number) const {
  std::string name = std::to_string(number);
  if (name.size() < 6) name.insert(0, 6 - name.size(), '0');
  return (fs::path(store_->db()->GetName()) / kSegmentsDirectory /
          (name + kSegmentSuffix))
      .string();
}

Status DBImpl::OpenLiveSegment(std::shared_ptr<const MappedSegment>* out) {
  const std::string path = SegmentPath(manifest_.segment);
  std::shared_ptr<const MappedSegment> segment;
  Status s = MappedSegment::Open(path, &segment);
  if (!s.ok()) return s;
  if (segment->rows() != manifest_.segment_rows ||
      segment->header_checksum() != manifest_.segment_header_checksum) {
    return Status::Corruption(
        path + ": not the segment the manifest names (" +
        std::to_string(segment->rows()) + " rows, the manifest says " +
        std::to_string(manifest_.segment_rows) + "; or its header differs)");
  }
  *out = std::move(segment);
  return Status::OK();
}

Status DBImpl::ReadChanges(const MappedSegment* segment,
                           std::vector<MemoryIndex::Change>* changes) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // One pass; keep the cache for reads.
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(read, store_->changes()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != format::kIdKeyBytes) {
      return Status::Corruption("changes: a key of " +
                                std::to_string(it->key().size()) + " bytes");
    }
    const uint64_t id = format::DecodeIdKey(
        std::string_view(it->key().data(), it->key().size()));
    format::ChangeRecord record;
    Status s = format::DecodeChangeRecord(
        std::string_view(it->value().data(), it->value().size()), &record);
    if (s.ok() && record.kind == format::ChangeKind::kPut &&
        record.code.size() * 8 != info_.code_bits) {
      s = Status::Corruption("change record: code of " +
                             std::to_string(record.code.size() * 8) + " bits");
    }
    bool found = false;
    uint64_t row = 0;
    if (s.ok() && segment != nullptr) s = segment->FindId(id, &found, &row);
    if (s.ok() && record.kind == format::ChangeKind::kTombstone && !found) {
      s = Status::Corruption("a tombstone for an id the segment lacks");
    }
    MemoryIndex::Change change;
    change.id = id;
    if (s.ok() && found) {
      change.had_old = true;
      s = segment->AddressOf(row, &change.old_address);
    }
    if (!s.ok()) return s.WithContext("id " + std::to_string(id));
    if (record.kind == format::ChangeKind::kPut) {
      change.put = true;
      change.address = record.address;
      change.code = std::move(record.code);
    }
    changes->push_back(std::move(change));
  }
  return FromRocksDB(it->status()).WithContext("changes");
}

Status DBImpl::StartMemoryIndex() {
  if (manifest_.format_version < format::kFormatVersion) {
    if (read_only_) {
      return Status::NotSupported(
          "database format version " +
          std::to_string(manifest_.format_version) + "; this semhash reads " +
          std::to_string(format::kFormatVersion) +
          " and migrates older ones when opened read-write (e.g. `semhash "
          "compact DIR`)");
    }
    Status s = Migrate();
    if (!s.ok()) return s.WithContext("migrating to format version 3");
  } else if (!read_only_ && store_->has_retired_families()) {
    // A migration cut short after its manifest was written.
    Status s = store_->DropRetiredFamilies();
    if (!s.ok()) return s;
  }
  if (!read_only_) RemoveOrphanSegments();
  memory_ = std::make_unique<MemoryIndex>(info_.address_bits, info_.code_bits,
                                          info_.mih_tables);
  if (!read_only_) memory_->set_persist(PersistHook());
  return LoadMemoryIndex();
}

Status DBImpl::LoadMemoryIndex() {
  MutexLock lock(&write_mutex_);
  std::shared_ptr<const MappedSegment> segment;
  Status s;
  if (manifest_.segment != 0) s = OpenLiveSegment(&segment);
  std::vector<MemoryIndex::Change> changes;
  if (s.ok()) s = ReadChanges(segment.get(), &changes);
  if (!s.ok()) return s;
  segment_ = segment;
  PublishView(segment);
  const uint64_t ticket = memory_->BeginLoad();
  if (segment != nullptr) {
    s = memory_->Install(ticket, std::move(segment));
  } else {
    memory_->Install(ticket, MemoryRows());
  }
  if (!s.ok()) {
    memory_->Abandon(ticket);
    return s;
  }
  memory_->Apply(changes, [this] { PublishView(); });
  return Status::OK();
}

MemoryIndex::Persist DBImpl::PersistHook() {
  return [this](const SegmentRows& rows, const MultiIndex* tables,
                std::shared_ptr<const MappedSegment>* out) {
    Status s = PublishSegment(rows, tables, out);
    // A merge's segment holds the images the old one did with the changes
    // applied, so readers may pair it with the state after the manifest's
    // batch (no change records) before the index swaps to it.
    if (*out != nullptr) PublishView(*out);
    return s;
  };
}

Status DBImpl::WriteManifest(const format::Manifest& manifest,
                             const rocksdb::WriteBatch* extra) {
  // `extra`'s records first, then the manifest and the deletions.
  rocksdb::WriteBatch batch = extra != nullptr ? *extra : rocksdb::WriteBatch();
  rocksdb::Status s = batch.Put(store_->meta(), format::kManifestKey,
                                format::EncodeManifest(manifest));
  // One Delete per key, not a DeleteRange: Debian's RocksDB 7.8 (built with
  // assertions) aborts in a background compaction whose output holds only
  // a range tombstone (SubcompactionState::SmallestUserKey). No write runs
  // meanwhile: the caller holds the write mutex.
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->changes()));
  for (it->SeekToFirst(); s.ok() && it->Valid(); it->Next()) {
    s = batch.Delete(store_->changes(), it->key());
  }
  if (s.ok()) s = it->status();
  rocksdb::WriteOptions options;
  options.sync = true;
  if (s.ok()) s = store_->db()->Write(options, &batch);
  return FromRocksDB(s).WithContext("writing the manifest");
}

void DBImpl::SetManifest(const format::Manifest& manifest) {
  manifest_ = manifest;
  live_segment_rows_ = manifest.segment_rows;
  live_segment_ = manifest.segment;
}

void DBImpl::RemoveSegmentFile(const std::string& path) {
  rocksdb::FileSystem* files = store_->db()->GetEnv()->GetFileSystem().get();
  // A file left behind is an orphan the next read-write open removes.
  (void)files->DeleteFile(path, rocksdb::IOOptions(), nullptr);
}

Status DBImpl::PublishSegment(const SegmentRows& rows, const MultiIndex* tables,
                              std::shared_ptr<const MappedSegment>* out,
                              const rocksdb::WriteBatch* extra) {
  const uint64_t number = manifest_.next_segment;
  const std::string path = SegmentPath(number);
  const fs::path dir = fs::path(path).parent_path();
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    fs::create_directory(dir, error);
    Status s = error ? Status::IOError(dir.string() +
                                       ": cannot create: " + error.message())
                     : SyncDirectory(store_->db()->GetName());
    if (!s.ok()) return s;
  }
  Status s =
      WriteSegment(path, info_.address_bits, info_.code_bits, rows, tables);
  if (s.ok()) s = TEST_Stage(PublishStage::kSegmentWritten);
  std::shared_ptr<const MappedSegment> segment;
  if (s.ok()) s = MappedSegment::Open(path, &segment);
  if (!s.ok()) return s;
  format::Manifest next = manifest_;
  next.format_version = format::kFormatVersion;
  next.segment = number;
  next.segment_rows = segment->rows();
  next.segment_header_checksum = segment->header_checksum();
  next.next_segment = number + 1;
  // On failure the new file stays, unnamed: removed at the next open.
  s = WriteManifest(next, extra);
  if (!s.ok()) return s;
  const uint64_t old = manifest_.segment;
  SetManifest(next);
  segment_ = segment;
  s = TEST_Stage(PublishStage::kManifestWritten);
  if (old != 0) RemoveSegmentFile(SegmentPath(old));
  *out = std::move(segment);
  return s;
}

void DBImpl::RemoveOrphanSegments() {
  const fs::path dir = fs::path(store_->db()->GetName()) / kSegmentsDirectory;
  const std::string live =
      manifest_.segment != 0 ? SegmentPath(manifest_.segment) : std::string();
  std::error_code error;
  std::vector<std::string> orphans;
  for (fs::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().string() != live) orphans.push_back(it->path().string());
  }
  for (const std::string& orphan : orphans) RemoveSegmentFile(orphan);
}

}  // namespace semhash

// DBImpl's live segment (format version 2): the segment file that is the
// base of the in-memory index, named by the manifest, and the `delta`
// column family of the ids changed since it was written.
//
// The invariant: every id changed since the live segment was written has a
// key in `delta`, put in the same RocksDB WriteBatch as the change (a bulk
// load instead clears the manifest's segment before it ingests, see
// ClearSegment). So the index at open is the segment with each delta id's
// record applied on top, read at one moment under the write mutex.
//
// Publication (PublishSegment, each merge of the index): the new segment is
// written complete and synced under a new number, then one synced
// WriteBatch names it in the manifest and deletes every delta key, then the
// old file is removed. A crash leaves the old segment with its delta keys,
// or the new one with none; a file not named (a crash's orphan, a .tmp) is
// removed by the next read-write open.
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
#include "format/id_record.h"
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

Status DBImpl::ReadDeltaChanges(const MappedSegment& segment,
                                std::vector<MemoryIndex::Change>* changes) {
  if (store_->delta() == nullptr) {
    return Status::Corruption(
        "the manifest names a segment but there is no "
        "delta column family");
  }
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->delta()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != format::kIdKeyBytes) {
      return Status::Corruption("delta: a key of " +
                                std::to_string(it->key().size()) + " bytes");
    }
    const uint64_t id = format::DecodeIdKey(
        std::string_view(it->key().data(), it->key().size()));
    std::optional<format::IdRecord> record;
    Status s = ReadIdRecord(rocksdb::ReadOptions(), id, &record);
    bool found = false;
    uint64_t row = 0;
    if (s.ok()) s = segment.FindId(id, &found, &row);
    MemoryIndex::Change change;
    change.id = id;
    if (s.ok() && found) {
      change.had_old = true;
      s = segment.AddressOf(row, &change.old_address);
    }
    if (!s.ok()) return s;
    if (record.has_value()) {
      change.put = true;
      change.address = record->address;
      change.code = std::move(record->code);
    }
    if (change.had_old || change.put) changes->push_back(std::move(change));
  }
  return FromRocksDB(it->status()).WithContext("delta");
}

Status DBImpl::MapLiveSegment() {
  MutexLock lock(&write_mutex_);
  std::shared_ptr<const MappedSegment> segment;
  Status s = OpenLiveSegment(&segment);
  std::vector<MemoryIndex::Change> changes;
  if (s.ok()) s = ReadDeltaChanges(*segment, &changes);
  const uint64_t ticket = memory_->BeginLoad();
  if (s.ok()) s = memory_->Install(ticket, std::move(segment));
  if (!s.ok()) {
    memory_->Abandon(ticket);
    return s;
  }
  memory_->Apply(changes, [this] { PublishSnapshot(); });
  return Status::OK();
}

Status DBImpl::WriteManifest(const format::Manifest& manifest) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(store_->meta(), format::kManifestKey,
                                format::EncodeManifest(manifest));
  // One Delete per key, not a DeleteRange: Debian's RocksDB 7.8 (built with
  // assertions) aborts in a background compaction whose output holds only
  // a range tombstone (SubcompactionState::SmallestUserKey).
  if (s.ok() && store_->delta() != nullptr) {
    std::unique_ptr<rocksdb::Iterator> it(
        store_->db()->NewIterator(rocksdb::ReadOptions(), store_->delta()));
    for (it->SeekToFirst(); s.ok() && it->Valid(); it->Next()) {
      s = batch.Delete(store_->delta(), it->key());
    }
    if (s.ok()) s = it->status();
  }
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
                              std::shared_ptr<const MappedSegment>* out) {
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
  s = WriteManifest(next);
  if (!s.ok()) return s;
  const uint64_t old = manifest_.segment;
  SetManifest(next);
  s = TEST_Stage(PublishStage::kManifestWritten);
  if (old != 0) RemoveSegmentFile(SegmentPath(old));
  *out = std::move(segment);
  return s;
}

Status DBImpl::ClearSegment() {
  if (manifest_.segment == 0) return Status::OK();
  format::Manifest next = manifest_;
  next.segment = 0;
  next.segment_rows = 0;
  next.segment_header_checksum = 0;
  Status s = WriteManifest(next);
  if (!s.ok()) return s;
  const uint64_t old = manifest_.segment;
  SetManifest(next);
  RemoveSegmentFile(SegmentPath(old));
  return Status::OK();
}

Status DBImpl::VerifySegment() {
  std::optional<MutexLock> writer;  // No publication meanwhile.
  if (!read_only_) writer.emplace(&write_mutex_);
  if (manifest_.segment == 0) return Status::OK();
  std::shared_ptr<const MappedSegment> segment;
  Status s = OpenLiveSegment(&segment);
  if (s.ok()) s = segment->VerifyAll();
  if (!s.ok()) return s;
  if (store_->delta() == nullptr) {
    return Status::Corruption("a segment but no delta column family");
  }
  // Segment + delta = the id records: a sort-merge by id, skipping the
  // delta's ids (their records are what an open applies).
  std::set<uint64_t> delta;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->delta()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() == format::kIdKeyBytes) {
      delta.insert(format::DecodeIdKey({it->key().data(), it->key().size()}));
    }
  }
  if (!it->status().ok()) return FromRocksDB(it->status());
  it.reset(store_->db()->NewIterator(rocksdb::ReadOptions(), store_->ids()));
  it->SeekToFirst();
  const std::span<const uint32_t> order = segment->id_order();
  const size_t code_bytes = segment->code_bytes();
  auto mismatch = [&](uint64_t id, const std::string& what) {
    return Status::Corruption(segment->path() + ": id " + std::to_string(id) +
                              " " + what);
  };
  for (uint64_t i = 0; i <= order.size(); ++i) {
    // The records before the segment's next id must all be in the delta.
    const bool more = i < order.size();
    const uint64_t row = more ? order[i] : 0;
    const uint64_t id = more ? segment->ids()[row] : UINT64_MAX;
    for (; it->Valid(); it->Next()) {
      const uint64_t stored =
          format::DecodeIdKey({it->key().data(), it->key().size()});
      if (more && stored >= id) break;
      if (!delta.contains(stored)) {
        return mismatch(stored, "has a record but is not in the segment");
      }
    }
    if (!more) break;
    if (delta.contains(id)) continue;
    if (!it->Valid() ||
        format::DecodeIdKey({it->key().data(), it->key().size()}) != id) {
      return mismatch(id, "is in the segment but has no record");
    }
    format::IdRecord record;
    s = format::DecodeIdRecord({it->value().data(), it->value().size()},
                               &record);
    if (!s.ok()) return s.WithContext("id " + std::to_string(id));
    if (record.address != segment->address_keys()[row] ||
        record.code.size() != code_bytes ||
        std::memcmp(record.code.data(), segment->codes() + row * code_bytes,
                    code_bytes) != 0) {
      return mismatch(id, "differs from its record (address or code)");
    }
    it->Next();
  }
  return FromRocksDB(it->status());
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

// DBImpl::Compact and DBImpl::GetSpaceUsage (see semhash/db.h).
//
// Deletes and replaces leave posting chunks sparse (a removal never moves
// the other images of a chunk) and tails that only grow. Compact walks the
// posting lists and repacks each sparse one into full chunks numbered from
// 0, moving the id records of the images whose chunk changed, one address
// per RocksDB WriteBatch so a crash leaves each list old or new. Then a
// forced bottommost compaction of every table folds the merge operands into
// their chunks and drops deleted keys.
#include <filesystem>
#include <memory>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/posting_scan.h"
#include "engine/db/rocksdb_status.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"

namespace semhash {
namespace {

// One address's posting list as read: its chunk numbers and live images.
struct PostingList {
  Address address = 0;
  std::vector<uint32_t> chunks;
  std::vector<uint32_t> chunk_of_image;
  std::vector<uint64_t> ids;
  std::vector<uint8_t> codes;
};

size_t ChunksNeeded(size_t images, size_t capacity) {
  return (images + capacity - 1) / capacity;
}

// A list needs repacking when it has more chunks than its images fill.
bool IsSparse(const PostingList& list, size_t capacity) {
  return list.chunks.size() > ChunksNeeded(list.ids.size(), capacity);
}

}  // namespace

class Compactor {
 public:
  Compactor(DBImpl* db, const ProgressCallback& progress, CompactReport* report)
      : store_(db->store()),
        capacity_(db->info().posting_chunk_capacity),
        code_bytes_(db->info().code_bits / 8),
        progress_(progress),
        report_(report) {}

  Status RepackSparseLists() {
    uint64_t total = 0;
    store_->db()->GetIntProperty(store_->tails(), "rocksdb.estimate-num-keys",
                                 &total);
    PostingScan scan(
        std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(
            rocksdb::ReadOptions(), store_->postings())),
        code_bytes_);
    PostingList list;
    uint64_t addresses = 0;
    for (scan.SeekToFirst(); scan.Valid(); scan.Next()) {
      format::PostingKey key;
      format::PostingChunkView chunk;
      Status s = scan.Read(&key, &chunk);
      if (!s.ok()) return s;
      if (!list.chunks.empty() && key.address != list.address) {
        s = Finish(&list);
        if (!s.ok()) return s;
        if (progress_ && ++addresses % 4096 == 0) progress_(addresses, total);
      }
      list.address = key.address;
      AddChunk(key.chunk, chunk, &list);
    }
    if (!scan.status().ok()) return scan.status();
    if (!list.chunks.empty()) return Finish(&list);
    return Status::OK();
  }

 private:
  static void AddChunk(uint32_t number, const format::PostingChunkView& chunk,
                       PostingList* list) {
    list->chunks.push_back(number);
    for (size_t i = 0; i < chunk.size(); ++i) {
      list->chunk_of_image.push_back(number);
      list->ids.push_back(chunk.id(i));
      list->codes.insert(list->codes.end(), chunk.code(i).begin(),
                         chunk.code(i).end());
    }
  }

  // Repacks `list` if it is sparse, then empties it for the next address.
  Status Finish(PostingList* list) {
    Status s;
    if (IsSparse(*list, capacity_)) s = Repack(*list);
    *list = PostingList();
    return s;
  }

  Status Repack(const PostingList& list) {
    rocksdb::WriteBatch batch;
    const size_t needed = ChunksNeeded(list.ids.size(), capacity_);
    for (uint32_t number : list.chunks) {
      if (number >= needed) {
        Status s = FromRocksDB(
            batch.Delete(store_->postings(),
                         format::EncodePostingKey({0, list.address, number})));
        if (!s.ok()) return s;
      }
    }
    for (size_t c = 0; c < needed; ++c) {
      const size_t first = c * capacity_;
      const size_t count = std::min(capacity_, list.ids.size() - first);
      Status s = FromRocksDB(batch.Put(
          store_->postings(),
          format::EncodePostingKey({0, list.address, uint32_t(c)}),
          format::EncodePostingChunk(code_bytes_, count, &list.ids[first],
                                     &list.codes[first * code_bytes_])));
      for (size_t i = first; s.ok() && i < first + count; ++i) {
        if (list.chunk_of_image[i] != c)
          s = MoveIdRecord(list.ids[i], c, &batch);
      }
      if (!s.ok()) return s;
    }
    const std::string tail_key = format::EncodeAddressPrefix(0, list.address);
    const format::TailRecord tail{
        uint32_t(needed == 0 ? 0 : needed - 1),
        uint32_t(list.ids.size() -
                 (needed == 0 ? 0 : (needed - 1) * capacity_))};
    Status s =
        FromRocksDB(needed == 0 ? batch.Delete(store_->tails(), tail_key)
                                : batch.Put(store_->tails(), tail_key,
                                            format::EncodeTailRecord(tail)));
    if (!s.ok()) return s;
    ++report_->addresses_repacked;
    report_->chunks_before += list.chunks.size();
    report_->chunks_after += needed;
    return FromRocksDB(store_->db()->Write(rocksdb::WriteOptions(), &batch));
  }

  Status MoveIdRecord(uint64_t id, size_t chunk, rocksdb::WriteBatch* batch) {
    const std::string key = format::EncodeIdKey(id);
    std::string value;
    Status s = FromRocksDB(
        store_->db()->Get(rocksdb::ReadOptions(), store_->ids(), key, &value));
    format::IdRecord record;
    if (s.ok()) s = format::DecodeIdRecord(value, &record);
    if (s.ok() && record.chunks.empty()) {
      s = Status::Corruption("record lists no chunk");
    }
    if (!s.ok()) return s.WithContext("id " + std::to_string(id));
    record.chunks[0] = uint32_t(chunk);
    ++report_->images_moved;
    return FromRocksDB(
        batch->Put(store_->ids(), key, format::EncodeIdRecord(record)));
  }

  RocksDBStore* const store_;
  const size_t capacity_;
  const size_t code_bytes_;
  const ProgressCallback& progress_;
  CompactReport* const report_;
};

Status DBImpl::Compact(const ProgressCallback& progress,
                       CompactReport* report) {
  *report = CompactReport();
  if (read_only_) return Status::NotSupported("database opened read-only");
  MutexLock lock(&write_mutex_);
  SpaceUsage before;
  Status s = GetSpaceUsage(&before);
  if (!s.ok()) return s;
  report->bytes_before = before.total_bytes;
  s = Compactor(this, progress, report).RepackSparseLists();
  // Readers' snapshot would keep what the compaction is meant to drop; the
  // answers are the same at the latest state, so readers move to it.
  if (memory_ != nullptr) PublishSnapshot();
  // A fresh segment (the delta is empty afterwards), before the RocksDB
  // compaction drops the delta keys it deleted.
  if (s.ok() && memory_ != nullptr) s = memory_->Merge();
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (auto* family : {store_->meta(), store_->ids(), store_->postings(),
                       store_->tails(), store_->delta()}) {
    if (s.ok()) {
      s = FromRocksDB(
          store_->db()->CompactRange(options, family, nullptr, nullptr));
    }
  }
  if (s.ok()) s = FromRocksDB(store_->db()->FlushWAL(/*sync=*/true));
  SpaceUsage after;
  if (s.ok()) s = GetSpaceUsage(&after);
  report->bytes_after = after.total_bytes;
  return s;
}

Status DBImpl::GetSpaceUsage(SpaceUsage* usage) {
  *usage = SpaceUsage();
  rocksdb::DB* db = store_->db();
  for (auto* family : {store_->meta(), store_->ids(), store_->postings(),
                       store_->tails(), store_->delta()}) {
    if (family == nullptr) continue;  // A version 1 database read-only.
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

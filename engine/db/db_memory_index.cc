// DBImpl's in-memory index (engine/db/memory_index.h): loading it from the
// posting chunks at open, in the background or after a bulk load.
//
// A background load reads at a RocksDB snapshot taken under write_mutex_,
// at the same moment as MemoryIndex::BeginLoad: every write committed after
// the snapshot is queued by the index and replayed on what the load read,
// and none committed before it is, so nothing is lost or applied twice.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/posting_scan.h"
#include "format/keys.h"
#include "format/posting_chunk.h"

namespace semhash {

Status DBImpl::ReadMemoryRange(const rocksdb::Snapshot* snapshot,
                               uint64_t first, uint64_t end, uint64_t expected,
                               MemoryRows* rows) {
  const size_t code_bytes = info_.code_bits / 8;
  rows->ids.reserve(expected);
  rows->addresses.reserve(expected);
  rows->codes.reserve(expected * code_bytes);
  // Past the last address: the next table's first key.
  const std::string upper = end < (uint64_t{1} << 32)
                                ? format::EncodeAddressPrefix(0, Address(end))
                                : std::string(1, '\x01');
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  read_options.fill_cache = false;  // One pass; keep the cache for searches.
  read_options.iterate_upper_bound = &upper_slice;
  // Across many addresses: the prefix bloom filter must not be consulted.
  read_options.total_order_seek = true;
  PostingScan scan(std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(
                       read_options, store_->postings())),
                   code_bytes);
  for (scan.Seek(Address(first)); scan.Valid(); scan.Next()) {
    if (stop_loading_.load(std::memory_order_relaxed)) {
      return Status::NotSupported("database closing");
    }
    format::PostingKey key;
    format::PostingChunkView chunk;
    Status s = scan.Read(&key, &chunk);
    if (!s.ok()) return s;
    if (chunk.size() == 0) continue;
    for (size_t i = 0; i < chunk.size(); ++i) rows->ids.push_back(chunk.id(i));
    rows->addresses.insert(rows->addresses.end(), chunk.size(), key.address);
    // The chunk is columnar: its codes are one run (format/posting_chunk.h).
    const uint8_t* codes = chunk.code(0).data();
    rows->codes.insert(rows->codes.end(), codes,
                       codes + chunk.size() * code_bytes);
  }
  return scan.status();
}

// The address space in one range per core, read at once: at 10M images the
// load is a pass over about 1.5 GB of posting chunks.
Status DBImpl::ReadMemoryRows(const rocksdb::Snapshot* snapshot,
                              MemoryRows* rows) {
  const unsigned parts = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t space = uint64_t{1} << info_.address_bits;
  uint64_t estimate = 0;
  store_->db()->GetIntProperty(store_->ids(), "rocksdb.estimate-num-keys",
                               &estimate);
  std::vector<MemoryRows> part_rows(parts);
  std::vector<Status> statuses(parts);
  std::vector<std::thread> threads;
  for (unsigned p = 0; p < parts; ++p) {
    auto read = [&, p] {
      statuses[p] =
          ReadMemoryRange(snapshot, space * p / parts, space * (p + 1) / parts,
                          estimate / parts, &part_rows[p]);
    };
    if (p + 1 < parts) {
      threads.emplace_back(read);
    } else {
      read();
    }
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& s : statuses) {
    if (!s.ok()) return s;
  }
  if (parts == 1) {
    *rows = std::move(part_rows[0]);
    return Status::OK();
  }
  // One exact allocation and one copy of each part: growing the first part
  // instead would copy it twice more at 10M images.
  size_t total = 0;
  for (const MemoryRows& part : part_rows) total += part.ids.size();
  *rows = MemoryRows();
  rows->ids.reserve(total);
  rows->addresses.reserve(total);
  rows->codes.reserve(total * (info_.code_bits / 8));
  for (MemoryRows& part : part_rows) {
    rows->ids.insert(rows->ids.end(), part.ids.begin(), part.ids.end());
    rows->addresses.insert(rows->addresses.end(), part.addresses.begin(),
                           part.addresses.end());
    rows->codes.insert(rows->codes.end(), part.codes.begin(), part.codes.end());
    part = MemoryRows();
  }
  return Status::OK();
}

rocksdb::ReadOptions DBImpl::ReaderOptions(
    std::shared_ptr<const rocksdb::Snapshot>* pin) const {
  {
    MutexLock lock(&published_mutex_);
    *pin = published_;
  }
  rocksdb::ReadOptions options;
  options.snapshot = pin->get();
  return options;
}

void DBImpl::PublishSnapshot() {
  rocksdb::DB* db = store_->db();
  std::shared_ptr<const rocksdb::Snapshot> snapshot(
      db->GetSnapshot(),
      [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  MutexLock lock(&published_mutex_);
  published_ = std::move(snapshot);
}

Status DBImpl::StartMemoryIndex(Options::MemoryIndex mode) {
  if (!read_only_) RemoveOrphanSegments();
  if (mode == Options::MemoryIndex::kOff) return Status::OK();
  memory_ = std::make_unique<MemoryIndex>(info_.address_bits, info_.code_bits,
                                          info_.mih_tables);
  if (!read_only_) memory_->set_persist(PersistHook());
  PublishSnapshot();
  // Mapping costs milliseconds: no load runs in the background.
  if (manifest_.segment != 0) return MapLiveSegment();
  if (mode == Options::MemoryIndex::kLoadAtOpen) {
    const uint64_t ticket = memory_->BeginLoad();
    MemoryRows rows;
    Status s = ReadMemoryRows(nullptr, &rows);
    if (!s.ok()) return s;
    memory_->Install(ticket, std::move(rows));
    PublishFirstSegment();
    return Status::OK();
  }
  uint64_t ticket = 0;
  const rocksdb::Snapshot* snapshot = nullptr;
  {
    MutexLock lock(&write_mutex_);
    ticket = memory_->BeginLoad();
    snapshot = store_->db()->GetSnapshot();
  }
  loader_ = std::thread([this, ticket, snapshot] {
    MemoryRows rows;
    const Status s = ReadMemoryRows(snapshot, &rows);
    store_->db()->ReleaseSnapshot(snapshot);
    // A failed load leaves searches on RocksDB, which reports the same
    // damage to whichever search reaches it.
    if (s.ok()) {
      memory_->Install(ticket, std::move(rows));
      PublishFirstSegment();
    } else {
      memory_->Abandon(ticket);
    }
  });
  return Status::OK();
}

void DBImpl::PublishFirstSegment() {
  if (read_only_) return;
  MutexLock lock(&write_mutex_);
  // A database without a segment (format version 1, or a bulk load cut
  // short) gets one. If it cannot be written, the index stays in memory,
  // as it was before segments, and the next merge tries again.
  (void)memory_->Merge();
}

void DBImpl::ReloadMemoryIndex() {
  if (memory_ == nullptr) {
    PublishWithoutIndex();
    return;
  }
  // write_mutex_ is held: nothing is written while this reads.
  // Until the new rows are in, readers keep the snapshot from before the
  // load, in RocksDB and in the index alike.
  const uint64_t ticket = memory_->BeginLoad();
  MemoryRows rows;
  if (ReadMemoryRows(nullptr, &rows).ok()) {
    memory_->Install(ticket, std::move(rows), [this] { PublishSnapshot(); });
    // The bulk load cleared the segment (ClearSegment): publish the new one.
    (void)memory_->Merge();
  } else {
    // Searches read RocksDB from now on; the bulk load itself succeeded.
    memory_->Abandon(ticket);
    PublishSnapshot();
  }
}

MemoryIndex::Persist DBImpl::PersistHook() {
  return [this](const SegmentRows& rows, const MultiIndex* tables,
                std::shared_ptr<const MappedSegment>* out) {
    return PublishSegment(rows, tables, out);
  };
}

void DBImpl::PublishWithoutIndex() {
  // Without an index of its own (Options::MemoryIndex::kOff, as `semhash
  // build` opens), the DB still leaves a segment behind, so that the next
  // open maps it: one built for the purpose, then dropped.
  MemoryIndex index(info_.address_bits, info_.code_bits, info_.mih_tables);
  index.set_persist(PersistHook());
  const uint64_t ticket = index.BeginLoad();
  MemoryRows rows;
  if (!ReadMemoryRows(nullptr, &rows).ok()) return;  // The next open reads.
  index.Install(ticket, std::move(rows));
  (void)index.Merge();
}

DBImpl::~DBImpl() {
  stop_loading_ = true;
  if (loader_.joinable()) loader_.join();
  published_.reset();  // Before the store closes.
}

}  // namespace semhash

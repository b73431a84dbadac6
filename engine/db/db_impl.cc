// DBImpl writes and point reads (see db_impl.h). Open is in db_open.cc,
// Search in search.cc.
#include "engine/db/db_impl.h"

#include <unordered_map>

#include "engine/db/mapped_segment.h"
#include "engine/db/rocksdb_status.h"
#include "format/keys.h"
#include "format/payload_record.h"

namespace semhash {

// Turns semhash operations into one RocksDB WriteBatch of change and
// payload records (docs/format.md, "Writes and atomicity"). Keeps where the
// ids the batch has already changed are, so later operations of the same
// batch see them.
class DBImpl::BatchBuilder {
 public:
  explicit BatchBuilder(DBImpl* db) : db_(db) {
    view_.segment = db->segment_;  // The writer's: no snapshot, the latest.
  }

  Status Add(const WriteBatch::Operation& op) {
    Stored old;
    Status s = Lookup(op.id, &old);
    if (!s.ok()) return s;
    const std::string key = format::EncodeIdKey(op.id);
    MemoryIndex::Change& change = changes_.emplace_back();
    change.id = op.id;
    change.had_old = old.found;
    change.old_address = old.address;
    rocksdb::ColumnFamilyHandle* changes = db_->store_->changes();
    rocksdb::ColumnFamilyHandle* payloads = db_->store_->payloads();
    if (op.type == WriteBatch::Operation::Type::kDelete) {
      if (!old.found) {
        changes_.pop_back();
        return Status::OK();
      }
      bool in_segment = false;
      s = InSegment(op.id, &in_segment);
      if (!s.ok()) return s;
      // A segment row needs a tombstone to stay dead; an image that lived
      // only in a change record just loses it.
      rocksdb::Status w =
          in_segment ? batch_.Put(changes, key,
                                  format::EncodeChangeRecord(
                                      {format::ChangeKind::kTombstone, 0, {}}))
                     : batch_.Delete(changes, key);
      if (w.ok() && old.has_payload) w = batch_.Delete(payloads, key);
      stored_[op.id] = Stored();
      return FromRocksDB(w);
    }
    change.put = true;
    change.address = op.address;
    change.code.assign(op.code.begin(), op.code.end());
    rocksdb::Status w =
        batch_.Put(changes, key,
                   format::EncodeChangeRecord(
                       {format::ChangeKind::kPut, op.address, change.code}));
    if (w.ok() && !op.payload.empty()) {
      w = batch_.Put(payloads, key, format::EncodePayloadRecord(op.payload));
    } else if (w.ok() && old.has_payload) {
      w = batch_.Delete(payloads, key);
    }
    stored_[op.id] = Stored{true, op.address, !op.payload.empty()};
    return FromRocksDB(w);
  }

  Status Commit(const WriteOptions& options) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options.sync;
    Status s = FromRocksDB(db_->store_->db()->Write(write_options, &batch_));
    if (s.ok()) db_->memory_->Apply(changes_, [this] { db_->PublishView(); });
    return s;
  }

 private:
  struct Stored {
    bool found = false;
    Address address = 0;
    bool has_payload = false;
  };

  Status Lookup(uint64_t id, Stored* out) {
    auto it = stored_.find(id);
    if (it != stored_.end()) {
      *out = it->second;
      return Status::OK();
    }
    Located located;
    Status s = db_->Locate(view_, id, &located);
    if (!s.ok() || !located.found) return s;
    out->found = true;
    out->address = located.address;
    std::string value;
    const rocksdb::Status r =
        db_->store_->db()->Get(rocksdb::ReadOptions(), db_->store_->payloads(),
                               format::EncodeIdKey(id), &value);
    out->has_payload = r.ok();
    return r.ok() || r.IsNotFound() ? Status::OK() : FromRocksDB(r);
  }

  Status InSegment(uint64_t id, bool* found) {
    *found = false;
    if (view_.segment == nullptr) return Status::OK();
    uint64_t row = 0;
    return view_.segment->FindId(id, found, &row);
  }

  DBImpl* const db_;
  ReadView view_;
  rocksdb::WriteBatch batch_;
  std::unordered_map<uint64_t, Stored> stored_;
  std::vector<MemoryIndex::Change> changes_;  // For the in-memory index.
};

DBImpl::DBImpl(std::unique_ptr<RocksDBStore> store,
               const format::Manifest& manifest,
               std::unique_ptr<Encoder> encoder, bool read_only)
    : store_(std::move(store)),
      encoder_(std::move(encoder)),
      read_only_(read_only),
      manifest_(manifest),
      live_segment_(manifest.segment),
      live_segment_rows_(manifest.segment_rows) {
  info_.format_version = manifest.format_version;
  info_.address_bits = manifest.address_bits;
  info_.code_bits = manifest.code_bits;
  info_.posting_chunk_capacity = manifest.posting_chunk_capacity;
  info_.mih_tables = manifest.mih_tables;
  info_.encoder_kind = manifest.encoder_kind;
  info_.encoder_params = manifest.encoder_params;
}

Status DBImpl::CheckCode(CodeView code) const {
  if (code.size() * 8 != info_.code_bits) {
    return Status::InvalidArgument(
        "code of " + std::to_string(code.size() * 8) +
        " bits; the database stores " + std::to_string(info_.code_bits) +
        "-bit codes");
  }
  return Status::OK();
}

Status DBImpl::CheckAddress(Address address) const {
  if (info_.address_bits < 32 && (address >> info_.address_bits) != 0) {
    return Status::InvalidArgument(
        "address " + std::to_string(address) + " is wider than " +
        std::to_string(info_.address_bits) + " bits");
  }
  return Status::OK();
}

Status DBImpl::CheckOperation(const WriteBatch::Operation& op) const {
  if (op.type == WriteBatch::Operation::Type::kDelete) return Status::OK();
  Status s = CheckAddress(op.address);
  if (s.ok()) s = CheckCode(op.code);
  if (s.ok() && op.payload.size() > kMaxPayloadBytes) {
    s = Status::InvalidArgument(
        "payload of " + std::to_string(op.payload.size()) +
        " bytes is over the limit of " + std::to_string(kMaxPayloadBytes));
  }
  return s.WithContext("id " + std::to_string(op.id));
}

Status DBImpl::Put(const WriteOptions& options, uint64_t id, Address address,
                   CodeView code, std::string_view payload) {
  WriteBatch batch;
  batch.Put(id, address, code, payload);
  return Write(options, batch);
}

Status DBImpl::Delete(const WriteOptions& options, uint64_t id) {
  WriteBatch batch;
  batch.Delete(id);
  return Write(options, batch);
}

Status DBImpl::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (read_only_) return Status::NotSupported("database opened read-only");
  for (const auto& op : batch.operations()) {
    Status s = CheckOperation(op);
    if (!s.ok()) return s;
  }
  MutexLock lock(&write_mutex_);
  BatchBuilder builder(this);
  for (const auto& op : batch.operations()) {
    Status s = builder.Add(op);
    if (!s.ok()) return s;
  }
  return builder.Commit(options);
}

Status DBImpl::Locate(const ReadView& view, uint64_t id, Located* out) const {
  *out = Located();
  std::string value;
  const rocksdb::Status r = store_->db()->Get(view.options(), store_->changes(),
                                              format::EncodeIdKey(id), &value);
  const std::string what = "id " + std::to_string(id);
  if (r.ok()) {
    format::ChangeRecord change;
    Status s = format::DecodeChangeRecord(value, &change);
    if (s.ok() && change.kind == format::ChangeKind::kPut &&
        change.code.size() * 8 != info_.code_bits) {
      s = Status::Corruption(
          "change record: code of " + std::to_string(change.code.size() * 8) +
          " bits, the manifest says " + std::to_string(info_.code_bits));
    }
    if (!s.ok()) return s.WithContext(what);
    out->found = change.kind == format::ChangeKind::kPut;
    out->address = change.address;
    out->code = std::move(change.code);
    return Status::OK();
  }
  if (!r.IsNotFound()) return FromRocksDB(r).WithContext(what);
  const MappedSegment* segment = view.segment.get();
  if (segment == nullptr) return Status::OK();
  uint64_t row = 0;
  Status s = segment->FindId(id, &out->found, &row);
  if (s.ok() && out->found) s = segment->AddressOf(row, &out->address);
  const size_t code_bytes = segment->code_bytes();
  if (s.ok() && out->found) {
    s = segment->CheckRows(MappedSegment::kCodes, row, row + 1, code_bytes);
  }
  if (!s.ok()) return s.WithContext(what);
  if (out->found) {
    const uint8_t* code = segment->codes() + row * code_bytes;
    out->code.assign(code, code + code_bytes);
  }
  return Status::OK();
}

Status DBImpl::ReadPayload(const ReadView& view, uint64_t id,
                           std::string* payload) const {
  payload->clear();
  std::string value;
  const rocksdb::Status r = store_->db()->Get(
      view.options(), store_->payloads(), format::EncodeIdKey(id), &value);
  if (r.IsNotFound()) return Status::OK();
  std::string_view bytes;
  Status s =
      r.ok() ? format::DecodePayloadRecord(value, &bytes) : FromRocksDB(r);
  if (!s.ok()) return s.WithContext("payload of id " + std::to_string(id));
  payload->assign(bytes);
  return Status::OK();
}

Status DBImpl::Get(uint64_t id, Record* record) {
  const ReadView view = CurrentView();
  Located located;
  Status s = Locate(view, id, &located);
  if (!s.ok()) return s;
  if (!located.found) return Status::NotFound("id " + std::to_string(id));
  s = ReadPayload(view, id, &record->payload);
  if (!s.ok()) return s;
  record->address = located.address;
  record->code = std::move(located.code);
  return Status::OK();
}

DBImpl::ReadView DBImpl::CurrentView() const {
  MutexLock lock(&published_mutex_);
  return published_;
}

void DBImpl::PublishView(std::shared_ptr<const MappedSegment> segment) {
  rocksdb::DB* db = store_->db();
  std::shared_ptr<const rocksdb::Snapshot> snapshot(
      db->GetSnapshot(),
      [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  MutexLock lock(&published_mutex_);
  published_.snapshot = std::move(snapshot);
  if (segment != nullptr) published_.segment = std::move(segment);
}

DBImpl::~DBImpl() {
  MutexLock lock(&published_mutex_);
  published_ = ReadView();  // Its snapshot, before the store closes.
}

Status DBImpl::IndexUnavailable() {
  return Status::Corruption(
      "the in-memory index is out of step with the database (see the LOG); "
      "reopen the database");
}

}  // namespace semhash

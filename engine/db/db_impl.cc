// DBImpl writes and point reads (see db_impl.h). Open is in db_open.cc,
// Search in search.cc.
#include "engine/db/db_impl.h"

#include <unordered_map>

#include "engine/db/rocksdb_status.h"
#include "format/keys.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"

namespace semhash {

// Turns semhash operations into one RocksDB WriteBatch. Keeps the id records
// and tails the batch has already changed, so later operations of the same
// batch see them.
class DBImpl::BatchBuilder {
 public:
  explicit BatchBuilder(DBImpl* db) : db_(db) {}

  Status Add(const WriteBatch::Operation& op) {
    std::optional<format::IdRecord> old;
    Status s = LookupId(op.id, &old);
    if (!s.ok()) return s;
    const std::string id_key = format::EncodeIdKey(op.id);
    // The id changed since the live segment (db_segment.cc).
    if (db_->store_->delta() != nullptr) {
      s = FromRocksDB(batch_.Put(db_->store_->delta(), id_key, ""));
      if (!s.ok()) return s;
    }
    MemoryIndex::Change& change = changes_.emplace_back();
    change.id = op.id;
    if (old.has_value()) {
      const format::PostingKey key{0, old->address, old->chunks[0]};
      Merge(key, format::EncodeRemoveOperand(op.id));
      change.had_old = true;
      change.old_address = old->address;
    }
    if (op.type == WriteBatch::Operation::Type::kDelete) {
      ids_[op.id] = std::nullopt;
      return FromRocksDB(batch_.Delete(db_->store_->ids(), id_key));
    }
    uint32_t chunk = 0;
    s = Append(op.address, &chunk);
    if (!s.ok()) return s;
    Merge({0, op.address, chunk}, format::EncodeAddOperand(op.id, op.code));
    change.put = true;
    change.address = op.address;
    change.code.assign(op.code.begin(), op.code.end());
    format::IdRecord record{op.address, {chunk}, op.code, op.payload};
    s = FromRocksDB(
        batch_.Put(db_->store_->ids(), id_key, format::EncodeIdRecord(record)));
    ids_[op.id] = std::move(record);
    return s;
  }

  Status Commit(const WriteOptions& options) {
    for (const auto& [address, tail] : tails_) {
      Status s = FromRocksDB(batch_.Put(db_->store_->tails(),
                                        format::EncodeAddressPrefix(0, address),
                                        format::EncodeTailRecord(tail)));
      if (!s.ok()) return s;
    }
    if (!merge_status_.ok()) return merge_status_;
    rocksdb::WriteOptions write_options;
    write_options.sync = options.sync;
    Status s = FromRocksDB(db_->store_->db()->Write(write_options, &batch_));
    if (s.ok() && db_->memory_ != nullptr) {
      db_->memory_->Apply(changes_, [this] { db_->PublishSnapshot(); });
    }
    return s;
  }

 private:
  Status LookupId(uint64_t id, std::optional<format::IdRecord>* record) {
    auto it = ids_.find(id);
    if (it != ids_.end()) {
      *record = it->second;
      return Status::OK();
    }
    return db_->ReadIdRecord(rocksdb::ReadOptions(), id, record);
  }

  // Picks the chunk of `address` that the next image goes to.
  Status Append(Address address, uint32_t* chunk) {
    auto it = tails_.find(address);
    if (it == tails_.end()) {
      format::TailRecord tail;
      Status s = ReadTail(address, &tail);
      if (!s.ok()) return s;
      it = tails_.emplace(address, tail).first;
    }
    format::TailRecord& tail = it->second;
    if (tail.appended >= db_->info_.posting_chunk_capacity) {
      ++tail.chunk;
      tail.appended = 0;
    }
    ++tail.appended;
    *chunk = tail.chunk;
    return Status::OK();
  }

  Status ReadTail(Address address, format::TailRecord* tail) {
    std::string value;
    const rocksdb::Status s =
        db_->store_->db()->Get(rocksdb::ReadOptions(), db_->store_->tails(),
                               format::EncodeAddressPrefix(0, address), &value);
    if (s.IsNotFound()) return Status::OK();
    if (!s.ok()) return FromRocksDB(s);
    return format::DecodeTailRecord(value, tail);
  }

  void Merge(const format::PostingKey& key, const std::string& operand) {
    const rocksdb::Status s = batch_.Merge(
        db_->store_->postings(), format::EncodePostingKey(key), operand);
    if (!s.ok() && merge_status_.ok()) merge_status_ = FromRocksDB(s);
  }

  DBImpl* const db_;
  rocksdb::WriteBatch batch_;
  Status merge_status_;
  std::unordered_map<uint64_t, std::optional<format::IdRecord>> ids_;
  std::unordered_map<Address, format::TailRecord> tails_;
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

Status DBImpl::ReadIdRecord(const rocksdb::ReadOptions& read, uint64_t id,
                            std::optional<format::IdRecord>* record) {
  record->reset();
  std::string value;
  const rocksdb::Status s =
      store_->db()->Get(read, store_->ids(), format::EncodeIdKey(id), &value);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return FromRocksDB(s);
  format::IdRecord decoded;
  Status d = format::DecodeIdRecord(value, &decoded);
  if (!d.ok()) return d.WithContext("id " + std::to_string(id));
  if (decoded.chunks.empty() || decoded.code.size() * 8 != info_.code_bits) {
    return Status::Corruption("id " + std::to_string(id) +
                              ": record does not match the manifest");
  }
  *record = std::move(decoded);
  return Status::OK();
}

Status DBImpl::Get(uint64_t id, Record* record) {
  std::optional<format::IdRecord> stored;
  std::shared_ptr<const rocksdb::Snapshot> pin;
  Status s = ReadIdRecord(ReaderOptions(&pin), id, &stored);
  if (!s.ok()) return s;
  if (!stored.has_value()) {
    return Status::NotFound("id " + std::to_string(id));
  }
  record->address = stored->address;
  record->code = std::move(stored->code);
  record->payload = std::move(stored->payload);
  return Status::OK();
}

}  // namespace semhash

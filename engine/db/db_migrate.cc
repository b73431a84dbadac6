// DBImpl::Migrate: a read-write open of a database of format version 1 or 2
// rewrites it as format version 3 (docs/format.md, "Migration").
//
// The id records of the retired `ids` family hold every image (version 2's
// segment and delta only repeat them): their rows become the first segment
// of version 3 and their payloads the `payloads` family. The order makes
// every crash harmless: the payload records are written first (not synced),
// then the segment file (synced), then one synced batch puts the manifest
// with format_version 3 (which also makes the payloads durable: one log),
// and only then are the retired families dropped. Before the manifest, the
// database is still the old version (its next open migrates again, writing
// the same payloads; an unnamed segment file is removed); after it, a
// version 3 open that still finds retired families drops them.
#include <algorithm>
#include <numeric>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/rocksdb_status.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/payload_record.h"

namespace semhash {
namespace {

// Payload records are written in batches of about this many bytes.
constexpr size_t kPayloadBatchBytes = 4 << 20;

// `rows` sorted by address (ties by id), by one permutation.
MemoryRows SortByAddress(const MemoryRows& rows, size_t code_bytes) {
  std::vector<uint32_t> order(rows.ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return rows.addresses[a] != rows.addresses[b]
               ? rows.addresses[a] < rows.addresses[b]
               : rows.ids[a] < rows.ids[b];
  });
  MemoryRows sorted;
  sorted.ids.reserve(order.size());
  sorted.addresses.reserve(order.size());
  sorted.codes.reserve(order.size() * code_bytes);
  for (uint32_t r : order) {
    sorted.ids.push_back(rows.ids[r]);
    sorted.addresses.push_back(rows.addresses[r]);
    const uint8_t* code = &rows.codes[size_t{r} * code_bytes];
    sorted.codes.insert(sorted.codes.end(), code, code + code_bytes);
  }
  return sorted;
}

}  // namespace

Status DBImpl::Migrate() {
  MutexLock lock(&write_mutex_);
  if (store_->retired_ids() == nullptr) {
    return Status::Corruption("format version " +
                              std::to_string(manifest_.format_version) +
                              " but no ids column family");
  }
  const size_t code_bytes = info_.code_bits / 8;
  MemoryRows rows;
  rocksdb::WriteBatch payloads;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->retired_ids()));
  Status s;
  for (it->SeekToFirst(); s.ok() && it->Valid(); it->Next()) {
    if (it->key().size() != format::kIdKeyBytes) {
      return Status::Corruption("ids: a key of " +
                                std::to_string(it->key().size()) + " bytes");
    }
    const uint64_t id = format::DecodeIdKey(
        std::string_view(it->key().data(), it->key().size()));
    format::IdRecord record;
    s = format::DecodeIdRecord(
        std::string_view(it->value().data(), it->value().size()), &record);
    if (s.ok() && record.code.size() != code_bytes) {
      s = Status::Corruption("record does not match the manifest");
    }
    if (s.ok()) s = CheckAddress(record.address);
    if (!s.ok()) return s.WithContext("id " + std::to_string(id));
    rows.ids.push_back(id);
    rows.addresses.push_back(record.address);
    rows.codes.insert(rows.codes.end(), record.code.begin(), record.code.end());
    if (record.payload.empty()) continue;
    s = FromRocksDB(payloads.Put(store_->payloads(), it->key(),
                                 format::EncodePayloadRecord(record.payload)));
    if (s.ok() && payloads.GetDataSize() >= kPayloadBatchBytes) {
      s = FromRocksDB(store_->db()->Write(rocksdb::WriteOptions(), &payloads));
      payloads.Clear();
    }
  }
  if (s.ok()) s = FromRocksDB(it->status()).WithContext("ids");
  it.reset();
  if (s.ok() && payloads.Count() > 0) {
    s = FromRocksDB(store_->db()->Write(rocksdb::WriteOptions(), &payloads));
  }
  if (!s.ok()) return s;
  // The rows and their tables, published as the first version 3 segment.
  MemoryIndex index(info_.address_bits, info_.code_bits, info_.mih_tables);
  index.set_persist(PersistHook());
  const uint64_t ticket = index.BeginLoad();
  index.Install(ticket, SortByAddress(rows, code_bytes));
  rows = MemoryRows();
  s = index.Merge();
  if (!s.ok()) return s;
  if (manifest_.format_version != format::kFormatVersion) {
    return Status::IOError("the migrated segment was not published");
  }
  info_.format_version = manifest_.format_version;
  return store_->DropRetiredFamilies();
}

}  // namespace semhash

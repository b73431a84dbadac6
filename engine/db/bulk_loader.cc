// BulkLoaderImpl (see bulk_loader.h).
#include "engine/db/bulk_loader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/db/mapped_segment.h"
#include "engine/db/rocksdb_status.h"
#include "format/coding.h"
#include "format/keys.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kProgressStep = 1 << 16;

void PutU64(uint64_t value, uint8_t* out) {
  for (size_t i = 0; i < 8; ++i) out[i] = uint8_t(value >> (8 * i));
}
uint64_t GetU64(const uint8_t* in) {
  return format::GetLittleEndian<uint64_t>(reinterpret_cast<const char*>(in));
}

}  // namespace

BulkLoaderImpl::BulkLoaderImpl(DBImpl* db, const BulkLoadOptions& options,
                               std::string staging)
    : db_(db),
      options_(options),
      code_bytes_(db->info().code_bits / 8),
      staging_(std::move(staging)),
      by_address_(std::make_unique<RecordSorter>(
          8 + code_bytes_, options.memory_bytes / 2, staging_ + "/address-")) {}

BulkLoaderImpl::~BulkLoaderImpl() {
  by_address_.reset();
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
  db_->EndBulkLoad();
}

void BulkLoaderImpl::Report(const char* phase, uint64_t done,
                            uint64_t total) const {
  if (options_.progress) options_.progress({phase, done, total});
}

Status BulkLoaderImpl::Add(size_t n, const uint64_t* ids,
                           const Address* addresses, const uint8_t* codes) {
  if (finished_) return Status::InvalidArgument("bulk load already finished");
  for (size_t i = 0; i < n; ++i) {
    Status s = db_->CheckAddress(addresses[i]);
    if (!s.ok()) return s.WithContext("id " + std::to_string(ids[i]));
  }
  std::vector<uint8_t> payload(8 + code_bytes_);
  for (size_t i = 0; i < n; ++i) {
    PutU64(ids[i], payload.data());
    std::memcpy(payload.data() + 8, codes + i * code_bytes_, code_bytes_);
    Status s = by_address_->Add(addresses[i], payload.data());
    if (!s.ok()) return s;
    ++queued_;
  }
  return Status::OK();
}

Status BulkLoaderImpl::Finish() {
  if (finished_) return Status::InvalidArgument("bulk load already finished");
  finished_ = true;
  MutexLock lock(db_->write_mutex());
  Report("sort", 0, 1);
  Status s = by_address_->Finish();
  if (!s.ok()) return s;
  Report("sort", 1, 1);
  // The images in address order, as the segment holds them.
  const uint64_t total = by_address_->size();
  MemoryRows loaded;
  loaded.ids.reserve(total);
  loaded.addresses.reserve(total);
  loaded.codes.reserve(total * code_bytes_);
  uint64_t key = 0;
  const uint8_t* payload = nullptr;
  while (by_address_->Next(&key, &payload)) {
    loaded.ids.push_back(GetU64(payload));
    loaded.addresses.push_back(Address(key));
    loaded.codes.insert(loaded.codes.end(), payload + 8,
                        payload + 8 + code_bytes_);
    if (loaded.ids.size() % kProgressStep == 0) {
      Report("read", loaded.ids.size(), total);
    }
  }
  s = by_address_->status();
  by_address_.reset();
  if (!s.ok()) return s;
  std::vector<uint64_t> ids = loaded.ids;
  std::sort(ids.begin(), ids.end());
  const auto twice = std::adjacent_find(ids.begin(), ids.end());
  if (twice != ids.end()) {
    return Status::InvalidArgument("id " + std::to_string(*twice) +
                                   " was added twice to the bulk load");
  }
  Report("segment", 0, 1);
  s = db_->PublishBulkLoad(std::move(loaded), ids);
  if (s.ok()) Report("segment", 1, 1);
  return s;
}

Status DBImpl::PublishBulkLoad(MemoryRows loaded,
                               const std::vector<uint64_t>& ids) {
  // The payloads of replaced images go with the manifest that replaces
  // them: loaded images have none.
  rocksdb::WriteBatch extra;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->payloads()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != format::kIdKeyBytes) continue;
    const uint64_t id = format::DecodeIdKey(
        std::string_view(it->key().data(), it->key().size()));
    if (std::binary_search(ids.begin(), ids.end(), id)) {
      Status s = FromRocksDB(extra.Delete(store_->payloads(), it->key()));
      if (!s.ok()) return s;
    }
  }
  Status s = FromRocksDB(it->status()).WithContext("payloads");
  it.reset();
  if (!s.ok()) return s;
  return memory_->MergeLoaded(
      std::move(loaded), ids,
      [&](const SegmentRows& rows, const MultiIndex* tables,
          std::shared_ptr<const MappedSegment>* out) {
        return PublishSegment(rows, tables, out, &extra);
      },
      [this](std::shared_ptr<const MappedSegment> segment) {
        PublishView(std::move(segment));
      });
}

Status DBImpl::NewBulkLoader(const BulkLoadOptions& options,
                             std::unique_ptr<BulkLoader>* loader) {
  loader->reset();
  if (read_only_) return Status::NotSupported("database opened read-only");
  MutexLock lock(&bulk_mutex_);
  const fs::path root =
      fs::path(store_->db()->GetName()) / BulkLoaderImpl::kStagingDirectory;
  std::error_code error;
  // Only one process writes a database, so with no loader alive whatever
  // is staged was left by a crash.
  if (bulk_loads_ == 0) fs::remove_all(root, error);
  const fs::path staging = root / std::to_string(bulk_sequence_++);
  if (!error) fs::create_directories(staging, error);
  if (error) {
    return Status::IOError("cannot create " + staging.string() + ": " +
                           error.message());
  }
  ++bulk_loads_;
  *loader = std::make_unique<BulkLoaderImpl>(this, options, staging.string());
  return Status::OK();
}

void DBImpl::EndBulkLoad() {
  MutexLock lock(&bulk_mutex_);
  if (--bulk_loads_ > 0) return;
  std::error_code ignored;
  fs::remove_all(
      fs::path(store_->db()->GetName()) / BulkLoaderImpl::kStagingDirectory,
      ignored);
}

}  // namespace semhash

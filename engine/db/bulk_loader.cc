// BulkLoaderImpl (see bulk_loader.h).
#include "engine/db/bulk_loader.h"

#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "engine/db/posting_scan.h"
#include "engine/db/rocksdb_status.h"
#include "format/coding.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"

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
void PutU32(uint32_t value, uint8_t* out) {
  for (size_t i = 0; i < 4; ++i) out[i] = uint8_t(value >> (8 * i));
}
uint32_t GetU32(const uint8_t* in) {
  return format::GetLittleEndian<uint32_t>(reinterpret_cast<const char*>(in));
}

// Sort keys of pass 3: a chunk of table 0.
uint64_t ChunkSortKey(Address address, uint32_t chunk) {
  return uint64_t(address) << 32 | chunk;
}

}  // namespace

// One SST file per column family and pass, written in key order and
// ingested together. A file with no entries is not ingested.
class BulkLoaderImpl::Files {
 public:
  enum Kind { kPostings, kTails, kIds, kRewrites, kKinds };

  Files(RocksDBStore* store, const std::string& staging) : store_(store) {
    for (int kind = 0; kind < kKinds; ++kind) {
      paths_[kind] = staging + "/" + std::to_string(kind) + ".sst";
    }
  }

  Status Open(Kind kind) {
    rocksdb::ColumnFamilyHandle* family = FamilyOf(kind);
    // The family's own options (filters, prefix extractor, compression),
    // so ingested files are the files a flush would write; except that id
    // records are mostly random code bits, which compression only slows.
    rocksdb::Options options(store_->db()->GetDBOptions(),
                             store_->db()->GetOptions(family));
    if (kind == kIds) options.compression = rocksdb::kNoCompression;
    writers_[kind] = std::make_unique<rocksdb::SstFileWriter>(
        rocksdb::EnvOptions(), options, family);
    return FromRocksDB(writers_[kind]->Open(paths_[kind]));
  }

  Status Put(Kind kind, const std::string& key, const std::string& value) {
    ++entries_[kind];
    return FromRocksDB(writers_[kind]->Put(key, value));
  }
  Status Delete(Kind kind, const std::string& key) {
    ++entries_[kind];
    return FromRocksDB(writers_[kind]->Delete(key));
  }

  Status Close(Kind kind) {
    if (entries_[kind] == 0) {
      writers_[kind].reset();  // Nothing was written; nothing to ingest.
      return Status::OK();
    }
    Status s = FromRocksDB(writers_[kind]->Finish());
    writers_[kind].reset();
    return s;
  }

  // Ingests every non-empty file at once. The files are moved (hard-linked)
  // into the database, which syncs them before it records them.
  Status Ingest() {
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (int kind = 0; kind < kKinds; ++kind) {
      if (entries_[kind] == 0) continue;
      rocksdb::ColumnFamilyHandle* family = FamilyOf(Kind(kind));
      auto it = std::find_if(args.begin(), args.end(), [&](const auto& arg) {
        return arg.column_family == family;
      });
      if (it == args.end()) {
        args.emplace_back();
        it = args.end() - 1;
        it->column_family = family;
        it->options.move_files = true;
        it->options.snapshot_consistency = true;
        it->options.allow_global_seqno = true;
        it->options.allow_blocking_flush = true;
      }
      it->external_files.push_back(paths_[kind]);
    }
    if (args.empty()) return Status::OK();
    return FromRocksDB(store_->db()->IngestExternalFiles(args));
  }

 private:
  rocksdb::ColumnFamilyHandle* FamilyOf(Kind kind) const {
    switch (kind) {
      case kTails:
        return store_->tails();
      case kIds:
        return store_->ids();
      default:
        return store_->postings();
    }
  }

  RocksDBStore* const store_;
  std::string paths_[kKinds];
  std::unique_ptr<rocksdb::SstFileWriter> writers_[kKinds];
  uint64_t entries_[kKinds] = {};
};

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

// Pass 1: walks the images in address order, numbering their chunks. With
// `files`, writes the posting chunks and tails; with `by_id`, sends each
// image on to the id sort. Payload in: id u64 | code. Payload out to by_id:
// address u32 | chunk u32 | code.
Status BulkLoaderImpl::WalkPostings(Files* files, RecordSorter* by_id) {
  RocksDBStore* store = db_->store();
  std::unique_ptr<rocksdb::Iterator> tails(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->tails()));
  tails->SeekToFirst();
  const uint32_t capacity = db_->info().posting_chunk_capacity;
  const uint64_t total = by_address_->size();
  std::vector<uint64_t> chunk_ids;
  std::vector<uint8_t> chunk_codes, out(8 + code_bytes_);
  uint64_t done = 0, key = 0;
  const uint8_t* payload = nullptr;
  bool more = by_address_->Next(&key, &payload);
  while (more) {
    const Address address = Address(key);
    const std::string prefix = format::EncodeAddressPrefix(0, address);
    // The address's current tail, if any: tails are in address order too.
    while (tails->Valid() && tails->key().compare(prefix) < 0) tails->Next();
    format::TailRecord tail{0, 0};
    if (tails->Valid() && tails->key() == prefix) {
      Status s = format::DecodeTailRecord(
          std::string_view(tails->value().data(), tails->value().size()),
          &tail);
      if (!s.ok()) {
        return s.WithContext("tail of address " + std::to_string(address));
      }
      ++tail.chunk;
    }
    if (!tails->status().ok()) return FromRocksDB(tails->status());
    // Every image of this address, chunk by chunk.
    while (more && Address(key) == address) {
      chunk_ids.clear();
      chunk_codes.clear();
      while (more && Address(key) == address && chunk_ids.size() < capacity) {
        chunk_ids.push_back(GetU64(payload));
        chunk_codes.insert(chunk_codes.end(), payload + 8,
                           payload + 8 + code_bytes_);
        if (by_id != nullptr) {
          PutU32(address, out.data());
          PutU32(tail.chunk, out.data() + 4);
          std::memcpy(out.data() + 8, payload + 8, code_bytes_);
          Status s = by_id->Add(chunk_ids.back(), out.data());
          if (!s.ok()) return s;
          if (++done % kProgressStep == 0) Report("postings", done, total);
        }
        more = by_address_->Next(&key, &payload);
      }
      if (files != nullptr) {
        Status s = files->Put(
            Files::kPostings,
            format::EncodePostingKey({0, address, tail.chunk}),
            format::EncodePostingChunk(code_bytes_, chunk_ids.size(),
                                       chunk_ids.data(), chunk_codes.data()));
        if (!s.ok()) return s;
      }
      tail.appended = uint32_t(chunk_ids.size());
      if (more && Address(key) == address) ++tail.chunk;
    }
    if (files != nullptr) {
      Status s =
          files->Put(Files::kTails, prefix, format::EncodeTailRecord(tail));
      if (!s.ok()) return s;
    }
  }
  if (by_id != nullptr) Report("postings", done, total);
  return by_address_->status();
}

// Pass 2. Writes the id records; sends (old chunk key, id) of replaced ids
// to `rewrites`.
Status BulkLoaderImpl::WriteIds(Files* files, RecordSorter* by_id,
                                RecordSorter* rewrites) {
  RocksDBStore* store = db_->store();
  std::unique_ptr<rocksdb::Iterator> stored(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->ids()));
  stored->SeekToFirst();
  const uint64_t total = by_id->size();
  uint64_t done = 0, id = 0;
  const uint8_t* payload = nullptr;
  format::IdRecord record;
  record.chunks.resize(1);
  bool first = true;
  uint64_t previous = 0;
  while (by_id->Next(&id, &payload)) {
    if (!first && id == previous) {
      return Status::InvalidArgument("id " + std::to_string(id) +
                                     " was added twice to the bulk load");
    }
    first = false;
    previous = id;
    const std::string key = format::EncodeIdKey(id);
    while (stored->Valid() && stored->key().compare(key) < 0) stored->Next();
    if (stored->Valid() && stored->key() == key) {
      format::IdRecord old;
      Status s = format::DecodeIdRecord(
          std::string_view(stored->value().data(), stored->value().size()),
          &old);
      if (s.ok() && old.chunks.empty()) {
        s = Status::Corruption("record lists no chunk");
      }
      if (!s.ok()) return s.WithContext("id " + std::to_string(id));
      uint8_t id_bytes[8];
      PutU64(id, id_bytes);
      s = rewrites->Add(ChunkSortKey(old.address, old.chunks[0]), id_bytes);
      if (!s.ok()) return s;
    }
    if (!stored->status().ok()) return FromRocksDB(stored->status());
    record.address = GetU32(payload);
    record.chunks[0] = GetU32(payload + 4);
    record.code.assign(payload + 8, payload + 8 + code_bytes_);
    Status s = files->Put(Files::kIds, key, format::EncodeIdRecord(record));
    if (!s.ok()) return s;
    if (++done % kProgressStep == 0) Report("ids", done, total);
  }
  Report("ids", done, total);
  return by_id->status();
}

// Pass 3. Writes each old chunk that held a replaced id again without it
// (or deletes it when nothing is left).
Status BulkLoaderImpl::RewriteChunks(Files* files, RecordSorter* rewrites) {
  RocksDBStore* store = db_->store();
  uint64_t key = 0;
  const uint8_t* payload = nullptr;
  bool more = rewrites->Next(&key, &payload);
  std::vector<uint64_t> removed, kept_ids;
  std::vector<uint8_t> kept_codes;
  while (more) {
    const uint64_t chunk_key = key;
    removed.clear();
    while (more && key == chunk_key) {
      removed.push_back(GetU64(payload));
      more = rewrites->Next(&key, &payload);
    }
    std::sort(removed.begin(), removed.end());
    const format::PostingKey posting{0, Address(chunk_key >> 32),
                                     uint32_t(chunk_key)};
    const std::string posting_key = format::EncodePostingKey(posting);
    std::string value;
    Status s = FromRocksDB(store->db()->Get(
        rocksdb::ReadOptions(), store->postings(), posting_key, &value));
    format::PostingChunkView chunk;
    if (s.ok()) s = ParsePostingChunk(value, code_bytes_, &chunk);
    if (!s.ok()) {
      return s.WithContext(PostingChunkName(posting.address, posting.chunk));
    }
    kept_ids.clear();
    kept_codes.clear();
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (std::binary_search(removed.begin(), removed.end(), chunk.id(i))) {
        continue;
      }
      kept_ids.push_back(chunk.id(i));
      kept_codes.insert(kept_codes.end(), chunk.code(i).begin(),
                        chunk.code(i).end());
    }
    s = kept_ids.empty() ? files->Delete(Files::kRewrites, posting_key)
                         : files->Put(Files::kRewrites, posting_key,
                                      format::EncodePostingChunk(
                                          code_bytes_, kept_ids.size(),
                                          kept_ids.data(), kept_codes.data()));
    if (!s.ok()) return s;
  }
  return rewrites->status();
}

// Passes 1 and 2. When the address sort fits in memory, the images are
// walked twice: once to number the chunks (feeding the id sort), then the
// posting files are written on a second thread while this one sorts by id
// and writes the id records. Otherwise one walk does both, and the id pass
// follows it.
Status BulkLoaderImpl::WritePostingsAndIds(Files* files, RecordSorter* by_id,
                                           RecordSorter* rewrites) {
  const bool in_memory = by_address_->runs() == 0;
  // Fresh pages cost a fault and zeroing each; reuse the address sort's.
  if (in_memory) by_id->Adopt(by_address_->ReleaseSpareBuffer());
  Status s = WalkPostings(in_memory ? nullptr : files, by_id);
  if (!s.ok()) return s;
  Status posting_files;
  std::thread writer;
  if (in_memory) {
    by_address_->Rewind();
    writer = std::thread(
        [&] { posting_files = WalkPostings(files, /*by_id=*/nullptr); });
  }
  s = by_id->Finish();
  if (s.ok()) s = files->Open(Files::kIds);
  if (s.ok()) s = WriteIds(files, by_id, rewrites);
  if (s.ok()) s = files->Close(Files::kIds);
  if (writer.joinable()) writer.join();
  return s.ok() ? posting_files : s;
}

Status BulkLoaderImpl::Finish() {
  if (finished_) return Status::InvalidArgument("bulk load already finished");
  finished_ = true;
  MutexLock lock(db_->write_mutex());
  Report("sort", 0, 1);
  Status s = by_address_->Finish();
  if (!s.ok()) return s;
  Report("sort", 1, 1);
  Files files(db_->store(), staging_);
  const size_t id_payload = 8 + code_bytes_;
  RecordSorter by_id(id_payload, options_.memory_bytes * 3 / 8,
                     staging_ + "/id-");
  RecordSorter rewrites(8, options_.memory_bytes / 8, staging_ + "/rewrite-");
  for (auto kind : {Files::kPostings, Files::kTails}) {
    if (s.ok()) s = files.Open(kind);
  }
  if (s.ok()) s = WritePostingsAndIds(&files, &by_id, &rewrites);
  by_address_.reset();
  for (auto kind : {Files::kPostings, Files::kTails}) {
    if (s.ok()) s = files.Close(kind);
  }
  if (s.ok()) s = rewrites.Finish();
  if (s.ok()) s = files.Open(Files::kRewrites);
  if (s.ok()) s = RewriteChunks(&files, &rewrites);
  if (s.ok()) s = files.Close(Files::kRewrites);
  if (!s.ok()) return s;
  Report("ingest", 0, 1);
  // The ingested files carry no delta keys: the segment stops being live
  // first, and ReloadMemoryIndex publishes the next one.
  s = db_->ClearSegment();
  if (!s.ok()) return s;
  s = files.Ingest();
  if (!s.ok()) return s;
  Report("ingest", 1, 1);
  db_->ReloadMemoryIndex();
  return s;
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

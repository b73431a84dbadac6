// DBImpl::Verify (see semhash/db.h): a full read of the database that checks
// every checksum and the invariants that tie its tables together:
//   - every value decodes and its XXH3 frame checks (and RocksDB's block
//     checksums, over every table file);
//   - every posting chunk has at most posting_chunk_capacity codes of
//     code_bits bits, and a tail record whose chunk is at least its own;
//   - each id is in exactly one posting list, the chunk its record names at
//     the address its record names, with the same code.
// Posting entries are sorted by id (RecordSorter, within the memory budget)
// and matched against the id table, which is in id order already.
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "engine/db/db_impl.h"
#include "engine/db/posting_scan.h"
#include "engine/db/record_sorter.h"
#include "engine/db/rocksdb_status.h"
#include "format/encoder_frame.h"
#include "format/id_record.h"
#include "format/keys.h"
#include "format/manifest.h"
#include "format/posting_chunk.h"
#include "format/tail_record.h"

namespace semhash {
namespace {

std::string_view View(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

class Verifier {
 public:
  Verifier(RocksDBStore* store, const DatabaseInfo& info,
           const VerifyOptions& options, VerifyReport* report,
           const std::string& spill_prefix)
      : store_(store),
        info_(info),
        options_(options),
        report_(report),
        code_bytes_(info.code_bits / 8),
        by_id_(8 + code_bytes_, options.memory_bytes, spill_prefix) {
    read_options_.verify_checksums = true;
    read_options_.fill_cache = false;
    uint64_t keys = 0;
    store_->db()->GetIntProperty(store_->ids(), "rocksdb.estimate-num-keys",
                                 &keys);
    total_work_ = 2 * keys;
  }

  Status Run() {
    CheckTableFiles();
    CheckMetadata();
    Status s = CheckPostingsAndTails();
    if (s.ok()) s = by_id_.Finish();
    if (s.ok()) s = CheckIds();
    if (!s.ok()) return s;
    if (report_->problem_count == 0) return Status::OK();
    return Status::Corruption(
        report_->problems.front() +
        (report_->problem_count > 1
             ? " (and " + std::to_string(report_->problem_count - 1) +
                   " more problems)"
             : ""));
  }

 private:
  void Problem(const std::string& what) {
    if (report_->problems.size() < options_.max_problems) {
      report_->problems.push_back(what);
    }
    ++report_->problem_count;
  }

  void Progress() {
    if (options_.progress && ++work_done_ % (1 << 16) == 0) {
      options_.progress(work_done_, total_work_);
    }
  }

  // RocksDB's block checksums over every table file.
  void CheckTableFiles() {
    const rocksdb::Status s = store_->db()->VerifyChecksum(read_options_);
    if (!s.ok()) Problem("table files: " + s.ToString());
  }

  void CheckMetadata() {
    std::string value;
    rocksdb::Status s = store_->db()->Get(read_options_, store_->meta(),
                                          format::kManifestKey, &value);
    format::Manifest manifest;
    if (!s.ok()) {
      Problem("manifest: " + s.ToString());
      return;
    }
    report_->bytes_checked += value.size();
    Status d = format::DecodeManifest(value, &manifest);
    if (!d.ok()) {
      Problem("manifest: " + d.ToString());
      return;
    }
    if (manifest.encoder_kind == format::kExternalEncoderKind) return;
    s = store_->db()->Get(read_options_, store_->meta(), format::kEncoderKey,
                          &value);
    if (!s.ok()) {
      Problem("encoder model: " + s.ToString());
      return;
    }
    report_->bytes_checked += value.size();
    std::string_view model;
    d = format::DecodeEncoderFrame(value, &model);
    if (d.ok() && XXH3_64bits(model.data(), model.size()) !=
                      manifest.encoder_model_checksum) {
      d = Status::Corruption("differs from the manifest's checksum");
    }
    if (!d.ok()) Problem("encoder model: " + d.ToString());
  }

  // One walk over the postings in key order, with the tails alongside.
  Status CheckPostingsAndTails() {
    PostingScan postings(
        std::unique_ptr<rocksdb::Iterator>(
            store_->db()->NewIterator(read_options_, store_->postings())),
        code_bytes_);
    std::unique_ptr<rocksdb::Iterator> tails(
        store_->db()->NewIterator(read_options_, store_->tails()));
    tails->SeekToFirst();
    bool have_address = false;
    format::PostingKey last;
    for (postings.SeekToFirst(); postings.Valid(); postings.Next()) {
      format::PostingKey key;
      const Status k = postings.ReadKey(&key);
      if (!k.ok()) {
        Problem(k.message());
        continue;
      }
      if (!have_address || key.address != last.address) {
        if (have_address) CheckTail(tails.get(), last);
        ++report_->addresses;
        have_address = true;
      }
      last = key;
      Status s = CheckChunk(key, postings.value());
      if (!s.ok()) return s;
    }
    if (have_address) CheckTail(tails.get(), last);
    for (; tails->Valid(); tails->Next()) CountTail(tails.get());
    if (!postings.status().ok()) {
      Problem("postings: " + postings.status().ToString());
    }
    if (!tails->status().ok()) Problem("tails: " + tails->status().ToString());
    return Status::OK();
  }

  Status CheckChunk(const format::PostingKey& key, std::string_view value) {
    ++report_->chunks;
    report_->bytes_checked += value.size();
    format::PostingChunkView chunk;
    const Status d = ParsePostingChunk(value, code_bytes_, &chunk);
    if (!d.ok()) {
      Problem(PostingChunkName(key.address, key.chunk) + ": " + d.ToString());
      return Status::OK();
    }
    if (chunk.size() > info_.posting_chunk_capacity) {
      Problem(PostingChunkName(key.address, key.chunk) + ": " +
              std::to_string(chunk.size()) + " images, over the capacity");
    }
    std::vector<uint8_t> payload(8 + code_bytes_);
    for (size_t i = 0; i < chunk.size(); ++i) {
      ++report_->posting_entries;
      const uint32_t where[2] = {key.address, key.chunk};
      std::memcpy(payload.data(), where, 8);
      std::memcpy(payload.data() + 8, chunk.code(i).data(), code_bytes_);
      Status s = by_id_.Add(chunk.id(i), payload.data());
      if (!s.ok()) return s;
      Progress();
    }
    return Status::OK();
  }

  // Moves `tails` to the tail of last.address, checking the ones it passes.
  void CheckTail(rocksdb::Iterator* tails, const format::PostingKey& last) {
    const std::string prefix = format::EncodeAddressPrefix(0, last.address);
    while (tails->Valid() && View(tails->key()) < prefix) {
      CountTail(tails);
      tails->Next();
    }
    if (!tails->Valid() || View(tails->key()) != prefix) {
      Problem("address " + std::to_string(last.address) +
              " has posting chunks but no tail record");
      return;
    }
    const format::TailRecord tail = CountTail(tails);
    if (tail.chunk < last.chunk) {
      Problem("address " + std::to_string(last.address) +
              ": tail names chunk " + std::to_string(tail.chunk) +
              " but chunk " + std::to_string(last.chunk) + " exists");
    }
    tails->Next();
  }

  format::TailRecord CountTail(rocksdb::Iterator* tails) {
    ++report_->tails;
    report_->bytes_checked += tails->value().size();
    format::TailRecord tail;
    Status d = format::DecodeTailRecord(View(tails->value()), &tail);
    if (d.ok() && tail.appended > info_.posting_chunk_capacity) {
      d = Status::Corruption("appended count over the chunk capacity");
    }
    if (!d.ok()) Problem("tail record: " + d.ToString());
    return tail;
  }

  // The id table against the posting entries, both in id order.
  Status CheckIds() {
    std::unique_ptr<rocksdb::Iterator> ids(
        store_->db()->NewIterator(read_options_, store_->ids()));
    uint64_t entry_id = 0;
    const uint8_t* entry = nullptr;
    bool have_entry = by_id_.Next(&entry_id, &entry);
    for (ids->SeekToFirst(); ids->Valid(); ids->Next()) {
      Progress();
      if (ids->key().size() != format::kIdKeyBytes) {
        Problem("ids: key of " + std::to_string(ids->key().size()) + " bytes");
        continue;
      }
      const uint64_t id = format::DecodeIdKey(View(ids->key()));
      for (; have_entry && entry_id < id;
           have_entry = by_id_.Next(&entry_id, &entry)) {
        Problem("id " + std::to_string(entry_id) + " is listed at " +
                EntryName(entry) + " but has no id record");
      }
      ++report_->images;
      report_->bytes_checked += ids->value().size();
      format::IdRecord record;
      Status d = format::DecodeIdRecord(View(ids->value()), &record);
      if (d.ok() &&
          (record.chunks.empty() || record.code.size() != code_bytes_)) {
        d = Status::Corruption("record does not match the manifest");
      }
      if (!d.ok()) {
        Problem("id " + std::to_string(id) + ": " + d.ToString());
      }
      size_t listings = 0;
      for (; have_entry && entry_id == id;
           have_entry = by_id_.Next(&entry_id, &entry)) {
        if (d.ok()) CheckListing(id, record, entry, ++listings);
      }
      if (d.ok() && listings == 0) {
        Problem("id " + std::to_string(id) + " (" +
                PostingChunkName(record.address, record.chunks[0]) +
                ") is in no posting list");
      }
    }
    for (; have_entry; have_entry = by_id_.Next(&entry_id, &entry)) {
      Problem("id " + std::to_string(entry_id) + " is listed at " +
              EntryName(entry) + " but has no id record");
    }
    if (!ids->status().ok()) Problem("ids: " + ids->status().ToString());
    return by_id_.status();
  }

  void CheckListing(uint64_t id, const format::IdRecord& record,
                    const uint8_t* entry, size_t listing) {
    uint32_t where[2];
    std::memcpy(where, entry, 8);
    const std::string name = "id " + std::to_string(id);
    if (listing > 1) {
      Problem(name + " is listed again at " + EntryName(entry));
    } else if (where[0] != record.address || where[1] != record.chunks[0]) {
      Problem(name + " is listed at " + EntryName(entry) +
              " but its record names " +
              PostingChunkName(record.address, record.chunks[0]));
    } else if (std::memcmp(entry + 8, record.code.data(), code_bytes_) != 0) {
      Problem(name + ": the code at " + EntryName(entry) +
              " differs from the record's");
    }
  }

  static std::string EntryName(const uint8_t* entry) {
    uint32_t where[2];
    std::memcpy(where, entry, 8);
    return PostingChunkName(where[0], where[1]);
  }

  RocksDBStore* const store_;
  const DatabaseInfo& info_;
  const VerifyOptions& options_;
  VerifyReport* const report_;
  const size_t code_bytes_;
  rocksdb::ReadOptions read_options_;
  RecordSorter by_id_;
  uint64_t work_done_ = 0, total_work_ = 0;
};

Status DBImpl::Verify(const VerifyOptions& options, VerifyReport* report) {
  *report = VerifyReport();
  // Spill files go to a directory of their own, even for a read-only handle:
  // they are temporary and never part of the database.
  const std::filesystem::path spill =
      std::filesystem::temp_directory_path() /
      ("semhash-verify-" + std::to_string(getpid()) + "-" +
       std::to_string(reinterpret_cast<uintptr_t>(this)));
  std::error_code error;
  std::filesystem::create_directories(spill, error);
  if (error) {
    return Status::IOError("cannot create " + spill.string() + ": " +
                           error.message());
  }
  Status s;
  {
    Verifier verifier(store_.get(), info_, options, report,
                      (spill / "run-").string());
    s = verifier.Run();
  }
  std::filesystem::remove_all(spill, error);
  if (!s.ok()) return s;
  s = VerifySegment();
  if (!s.ok()) {
    ++report->problem_count;
    if (report->problems.size() < options.max_problems) {
      report->problems.push_back(s.message());
    }
  }
  return s;
}

}  // namespace semhash

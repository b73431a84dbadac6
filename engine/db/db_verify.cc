// DBImpl::Verify (see semhash/db.h): a full read of the database that checks
// every checksum and the invariants that tie its parts together, at one
// published view (a RocksDB snapshot and the segment it goes with):
//   - RocksDB's block checksums, over every table file;
//   - the manifest and the encoder model;
//   - the live segment: every block and its structure
//     (MappedSegment::VerifyAll);
//   - every change record decodes, holds a code of code_bits bits, and a
//     tombstone names an id the segment holds;
//   - every payload record decodes and belongs to an image that is stored.
#include <xxhash.h>

#include <memory>

#include "engine/db/db_impl.h"
#include "engine/db/mapped_segment.h"
#include "engine/db/rocksdb_status.h"
#include "format/change_record.h"
#include "format/encoder_frame.h"
#include "format/keys.h"
#include "format/manifest.h"
#include "format/payload_record.h"

namespace semhash {
namespace {

std::string_view View(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

class Verifier {
 public:
  Verifier(DBImpl* db, RocksDBStore* store, const DatabaseInfo& info,
           const DBImpl::ReadView& view, const VerifyOptions& options,
           VerifyReport* report)
      : db_(db),
        store_(store),
        info_(info),
        view_(view),
        options_(options),
        report_(report) {
    read_options_ = view.options();
    read_options_.verify_checksums = true;
    read_options_.fill_cache = false;
  }

  Status Run() {
    CheckTableFiles();
    CheckMetadata();
    Progress(1);
    CheckSegment();
    Progress(2);
    CheckChanges();
    Progress(3);
    CheckPayloads();
    Progress(4);
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

  // Phases done of the four (metadata and table files, segment, change
  // records, payload records).
  void Progress(uint64_t phases) {
    if (options_.progress) options_.progress(phases, 4);
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

  void CheckSegment() {
    const MappedSegment* segment = view_.segment.get();
    if (segment == nullptr) return;
    report_->segment_rows = segment->rows();
    report_->images = segment->rows();
    report_->bytes_checked += segment->file_bytes();
    const Status s = segment->VerifyAll();
    if (!s.ok()) Problem(s.ToString());
  }

  // Whether `id` has a row in the segment; false (and a problem) if the
  // segment cannot say.
  bool InSegment(uint64_t id) {
    if (view_.segment == nullptr) return false;
    bool found = false;
    uint64_t row = 0;
    const Status s = view_.segment->FindId(id, &found, &row);
    if (!s.ok()) Problem("id " + std::to_string(id) + ": " + s.ToString());
    return found;
  }

  void CheckChanges() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_->db()->NewIterator(read_options_, store_->changes()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != format::kIdKeyBytes) {
        Problem("changes: key of " + std::to_string(it->key().size()) +
                " bytes");
        continue;
      }
      const uint64_t id = format::DecodeIdKey(View(it->key()));
      const std::string name = "id " + std::to_string(id);
      ++report_->changes;
      report_->bytes_checked += it->value().size();
      format::ChangeRecord record;
      const Status d = format::DecodeChangeRecord(View(it->value()), &record);
      if (!d.ok()) {
        Problem(name + ": " + d.ToString());
        continue;
      }
      const bool in_segment = InSegment(id);
      if (record.kind == format::ChangeKind::kTombstone) {
        ++report_->tombstones;
        if (in_segment) {
          --report_->images;
        } else {
          Problem(name + ": a tombstone, but the segment has no such id");
        }
        continue;
      }
      if (record.code.size() * 8 != info_.code_bits ||
          !db_->CheckAddress(record.address).ok()) {
        Problem(name + ": change record does not match the manifest");
      }
      if (!in_segment) ++report_->images;
    }
    if (!it->status().ok()) Problem("changes: " + it->status().ToString());
  }

  void CheckPayloads() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_->db()->NewIterator(read_options_, store_->payloads()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != format::kIdKeyBytes) {
        Problem("payloads: key of " + std::to_string(it->key().size()) +
                " bytes");
        continue;
      }
      const uint64_t id = format::DecodeIdKey(View(it->key()));
      const std::string name = "id " + std::to_string(id);
      ++report_->payloads;
      report_->bytes_checked += it->value().size();
      std::string_view payload;
      Status d = format::DecodePayloadRecord(View(it->value()), &payload);
      if (!d.ok()) {
        Problem(name + ": " + d.ToString());
        continue;
      }
      DBImpl::Located located;
      d = db_->Locate(view_, id, &located);
      if (!d.ok()) {
        Problem(d.ToString());
      } else if (!located.found) {
        Problem(name + " has a payload but no image");
      }
    }
    if (!it->status().ok()) Problem("payloads: " + it->status().ToString());
  }

  DBImpl* const db_;
  RocksDBStore* const store_;
  const DatabaseInfo& info_;
  const DBImpl::ReadView view_;
  const VerifyOptions& options_;
  VerifyReport* const report_;
  rocksdb::ReadOptions read_options_;
};

Status DBImpl::Verify(const VerifyOptions& options, VerifyReport* report) {
  *report = VerifyReport();
  Verifier verifier(this, store_.get(), info_, CurrentView(), options, report);
  return verifier.Run();
}

}  // namespace semhash

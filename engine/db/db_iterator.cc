// DBIterator (see db_iterator.h).
#include "engine/db/db_iterator.h"

#include "engine/db/mapped_segment.h"
#include "engine/db/rocksdb_status.h"
#include "format/change_record.h"
#include "format/keys.h"
#include "format/payload_record.h"

namespace semhash {
namespace {

std::string_view View(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

DBIterator::DBIterator(const DBImpl* db, DBImpl::ReadView view)
    : db_(db),
      view_(std::move(view)),
      code_bytes_(db->info().code_bits / 8),
      changes_(db->store()->db()->NewIterator(view_.options(),
                                              db->store()->changes())),
      payloads_(db->store()->db()->NewIterator(view_.options(),
                                               db->store()->payloads())) {}

Status DBIterator::SegmentId(uint64_t position, uint64_t* id,
                             uint64_t* row) const {
  const MappedSegment& segment = *view_.segment;
  Status s = segment.CheckRows(MappedSegment::kIdOrder, position, position + 1,
                               sizeof(uint32_t));
  if (!s.ok()) return s;
  *row = segment.id_order()[position];
  if (*row >= segment.rows()) {
    return Status::Corruption(segment.path() + ": id order names row " +
                              std::to_string(*row));
  }
  s = segment.CheckRows(MappedSegment::kIds, *row, *row + 1, sizeof(uint64_t));
  if (s.ok()) *id = segment.ids()[*row];
  return s;
}

Status DBIterator::SegmentLowerBound(uint64_t id, uint64_t* position) const {
  uint64_t low = 0;
  uint64_t high = view_.segment == nullptr ? 0 : view_.segment->rows();
  while (low < high) {
    const uint64_t middle = low + (high - low) / 2;
    uint64_t middle_id = 0, row = 0;
    Status s = SegmentId(middle, &middle_id, &row);
    if (!s.ok()) return s;
    if (middle_id < id) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  *position = low;
  return Status::OK();
}

void DBIterator::SeekToFirst() { Seek(0); }

void DBIterator::Seek(uint64_t id) {
  status_ = SegmentLowerBound(id, &position_);
  if (!status_.ok()) {
    Fail(status_);
    return;
  }
  changes_->Seek(format::EncodeIdKey(id));
  payloads_->Seek(format::EncodeIdKey(id));
  Load();
}

void DBIterator::Next() {
  if (!from_change_ || shadows_segment_) ++position_;
  if (from_change_) changes_->Next();
  Load();
}

void DBIterator::Fail(Status s) {
  valid_ = false;
  status_ = std::move(s);
}

void DBIterator::Load() {
  valid_ = false;
  const uint64_t rows = view_.segment == nullptr ? 0 : view_.segment->rows();
  for (;;) {
    if (!changes_->Valid() && !changes_->status().ok()) {
      return Fail(FromRocksDB(changes_->status()).WithContext("changes"));
    }
    const bool more_segment = position_ < rows;
    uint64_t segment_id = 0, row = 0;
    if (more_segment) {
      Status s = SegmentId(position_, &segment_id, &row);
      if (!s.ok()) return Fail(s);
    }
    bool more_changes = changes_->Valid();
    uint64_t change_id = 0;
    if (more_changes) {
      if (changes_->key().size() != format::kIdKeyBytes) {
        return Fail(Status::Corruption("changes: key of " +
                                       std::to_string(changes_->key().size()) +
                                       " bytes"));
      }
      change_id = format::DecodeIdKey(View(changes_->key()));
    }
    if (!more_segment && !more_changes) {
      status_ = Status::OK();
      return;
    }
    from_change_ = more_changes && (!more_segment || change_id <= segment_id);
    shadows_segment_ = from_change_ && more_segment && change_id == segment_id;
    if (from_change_) {
      format::ChangeRecord change;
      Status s = format::DecodeChangeRecord(View(changes_->value()), &change);
      if (s.ok() && change.kind == format::ChangeKind::kPut &&
          change.code.size() != code_bytes_) {
        s = Status::Corruption("code length differs from the manifest");
      }
      if (!s.ok())
        return Fail(s.WithContext("id " + std::to_string(change_id)));
      if (change.kind == format::ChangeKind::kTombstone) {
        if (shadows_segment_) ++position_;
        changes_->Next();
        continue;
      }
      id_ = change_id;
      address_ = change.address;
      code_ = std::move(change.code);
    } else {
      const MappedSegment& segment = *view_.segment;
      Status s = segment.AddressOf(row, &address_);
      if (s.ok()) {
        s = segment.CheckRows(MappedSegment::kCodes, row, row + 1, code_bytes_);
      }
      if (!s.ok()) return Fail(s);
      id_ = segment_id;
      const uint8_t* code = segment.codes() + row * code_bytes_;
      code_.assign(code, code + code_bytes_);
    }
    break;
  }
  const std::string key = format::EncodeIdKey(id_);
  // Ids ascend from the last Seek, which positioned payloads_ too.
  if (payloads_->Valid() && payloads_->key().compare(key) < 0) {
    payloads_->Seek(key);
  }
  payload_.clear();
  if (payloads_->Valid() && payloads_->key() == key) {
    std::string_view bytes;
    Status s = format::DecodePayloadRecord(View(payloads_->value()), &bytes);
    if (!s.ok()) {
      return Fail(s.WithContext("payload of id " + std::to_string(id_)));
    }
    payload_.assign(bytes);
  } else if (!payloads_->status().ok()) {
    return Fail(FromRocksDB(payloads_->status()).WithContext("payloads"));
  }
  status_ = Status::OK();
  valid_ = true;
}

}  // namespace semhash

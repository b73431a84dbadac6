// DBIterator (see db_iterator.h).
#include "engine/db/db_iterator.h"

#include "engine/db/rocksdb_status.h"
#include "format/keys.h"

namespace semhash {

void DBIterator::SeekToFirst() {
  ids_->SeekToFirst();
  Load();
}

void DBIterator::Seek(uint64_t id) {
  ids_->Seek(format::EncodeIdKey(id));
  Load();
}

void DBIterator::Next() {
  ids_->Next();
  Load();
}

void DBIterator::Load() {
  valid_ = false;
  if (!ids_->Valid()) {
    status_ = FromRocksDB(ids_->status());
    return;
  }
  const rocksdb::Slice key = ids_->key();
  if (key.size() != format::kIdKeyBytes) {
    status_ = Status::Corruption("id key of " + std::to_string(key.size()) +
                                 " bytes");
    return;
  }
  id_ = format::DecodeIdKey(std::string_view(key.data(), key.size()));
  const rocksdb::Slice value = ids_->value();
  status_ = format::DecodeIdRecord(std::string_view(value.data(), value.size()),
                                   &record_);
  if (status_.ok() && record_.code.size() != code_bytes_) {
    status_ = Status::Corruption("code length differs from the manifest");
  }
  if (!status_.ok()) {
    status_ = status_.WithContext("id " + std::to_string(id_));
    return;
  }
  valid_ = true;
}

}  // namespace semhash

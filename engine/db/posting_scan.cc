// PostingScan and the checks of a stored posting chunk (posting_scan.h).
#include "engine/db/posting_scan.h"

#include "engine/db/rocksdb_status.h"

namespace semhash {

std::string PostingChunkName(Address address, uint32_t chunk) {
  return "address " + std::to_string(address) + " chunk " +
         std::to_string(chunk);
}

Status ParsePostingChunk(std::string_view value, size_t code_bytes,
                         format::PostingChunkView* chunk) {
  Status s = format::PostingChunkView::Parse(value, chunk);
  if (s.ok() && chunk->size() > 0 && chunk->code_bytes() != code_bytes) {
    s = Status::Corruption(
        "codes of " + std::to_string(chunk->code_bytes() * 8) +
        " bits, the manifest's have " + std::to_string(code_bytes * 8));
  }
  return s;
}

void PostingScan::SeekToFirst() {
  prefix_.clear();
  it_->SeekToFirst();
}

void PostingScan::Seek(Address first) {
  prefix_.clear();
  it_->Seek(format::EncodeAddressPrefix(0, first));
}

void PostingScan::SeekAddress(Address address) {
  prefix_ = format::EncodeAddressPrefix(0, address);
  it_->Seek(prefix_);
}

Status PostingScan::ReadKey(format::PostingKey* key) const {
  const rocksdb::Slice bytes = it_->key();
  if (!format::DecodePostingKey(std::string_view(bytes.data(), bytes.size()),
                                key) ||
      key->table != 0) {
    return Status::Corruption("posting key of " + std::to_string(bytes.size()) +
                              " bytes is not a table-0 posting key");
  }
  return Status::OK();
}

Status PostingScan::Read(format::PostingKey* key,
                         format::PostingChunkView* chunk) const {
  Status s = ReadKey(key);
  if (!s.ok()) return s;
  s = ParsePostingChunk(value(), code_bytes_, chunk);
  // The chunk's name is formatted only on failure: a full scan reads one
  // chunk per occupied address, a million at 1M images.
  if (s.ok()) return s;
  return s.WithContext(PostingChunkName(key->address, key->chunk));
}

Status PostingScan::status() const { return FromRocksDB(it_->status()); }

}  // namespace semhash

// PostingScan: the one way to walk the posting chunks of table 0 in the
// postings column family (format/keys.h, format/posting_chunk.h): the chunks
// of one address, of the addresses from one on, or of the whole table, in key
// order. Each chunk is decoded in place, with no copy, and checked: its key,
// its frame and layout, and its code length against the manifest's. A damaged
// one is Corruption naming its address and chunk. The caller owns the choice of
// snapshot, bounds and checksums (the ReadOptions of the iterator it passes).
//
// Not thread-safe: one scan per thread, as for a RocksDB iterator.
#ifndef SEMHASH_ENGINE_DB_POSTING_SCAN_H_
#define SEMHASH_ENGINE_DB_POSTING_SCAN_H_

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "format/keys.h"
#include "format/posting_chunk.h"
#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash {

// "address A chunk C": how every message names a posting chunk.
std::string PostingChunkName(Address address, uint32_t chunk);

// Decodes a stored chunk whose non-empty codes must be `code_bytes` long (an
// empty chunk may say 0); `chunk` points into `value`. Corruption otherwise,
// which the caller names (PostingChunkName).
Status ParsePostingChunk(std::string_view value, size_t code_bytes,
                         format::PostingChunkView* chunk);

class PostingScan {
 public:
  // `it` iterates the postings column family.
  PostingScan(std::unique_ptr<rocksdb::Iterator> it, size_t code_bytes)
      : it_(std::move(it)), code_bytes_(code_bytes) {}

  // The whole table, up to the iterator's upper bound if it has one.
  void SeekToFirst();
  // The chunks of `first` and of every address after it, up to the
  // iterator's upper bound if it has one.
  void Seek(Address first);
  // The chunks of `address` only.
  void SeekAddress(Address address);

  // True while the scan is at a key of its range; a damaged chunk is a
  // position too (Read says so), so a checker can report it and go on.
  bool Valid() const {
    return it_->Valid() && it_->key().starts_with(rocksdb::Slice(prefix_));
  }
  void Next() { it_->Next(); }

  // The current key. Corruption if it is not a table-0 posting key.
  // REQUIRES: Valid().
  Status ReadKey(format::PostingKey* key) const;
  // The current key and its chunk, which points into the iterator's value
  // and is valid until the scan moves. Corruption naming the address and
  // chunk ("address 3 chunk 0: ...") if the chunk fails ParsePostingChunk.
  // REQUIRES: Valid().
  Status Read(format::PostingKey* key, format::PostingChunkView* chunk) const;
  // The current chunk's stored bytes. REQUIRES: Valid().
  std::string_view value() const {
    return std::string_view(it_->value().data(), it_->value().size());
  }

  // Once !Valid(): whether the walk ended because RocksDB failed.
  Status status() const;

 private:
  const std::unique_ptr<rocksdb::Iterator> it_;
  const size_t code_bytes_;
  // What every key of the range starts with: "" or one address's prefix.
  std::string prefix_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_POSTING_SCAN_H_

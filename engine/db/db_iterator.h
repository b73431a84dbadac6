// DBIterator: the Iterator of semhash/iterator.h over the "ids" column
// family, decoding and verifying each id record as it is reached.
#ifndef SEMHASH_ENGINE_DB_DB_ITERATOR_H_
#define SEMHASH_ENGINE_DB_DB_ITERATOR_H_

#include <rocksdb/iterator.h>
#include <rocksdb/snapshot.h>

#include <memory>

#include "format/id_record.h"
#include "semhash/iterator.h"

namespace semhash {

class DBIterator final : public Iterator {
 public:
  // `code_bytes`: the manifest's code length; a record of another length is
  // reported as Corruption. `pin`: the snapshot `ids` reads, if any, kept
  // alive as long as the iterator.
  DBIterator(std::unique_ptr<rocksdb::Iterator> ids, size_t code_bytes,
             std::shared_ptr<const rocksdb::Snapshot> pin)
      : pin_(std::move(pin)), ids_(std::move(ids)), code_bytes_(code_bytes) {}

  bool Valid() const override { return valid_; }
  void SeekToFirst() override;
  void Seek(uint64_t id) override;
  void Next() override;

  uint64_t id() const override { return id_; }
  Address address() const override { return record_.address; }
  CodeView code() const override { return record_.code; }
  std::string_view payload() const override { return record_.payload; }
  Status status() const override { return status_; }

 private:
  // Decodes the record under the RocksDB iterator, if any.
  void Load();

  const std::shared_ptr<const rocksdb::Snapshot> pin_;  // Outlives ids_.
  const std::unique_ptr<rocksdb::Iterator> ids_;
  const size_t code_bytes_;
  bool valid_ = false;
  uint64_t id_ = 0;
  format::IdRecord record_;
  Status status_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DB_ITERATOR_H_

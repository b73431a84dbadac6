// DBIterator: the Iterator of semhash/iterator.h over one published view of
// a database (format version 3): the live segment's rows in id order (its id
// order section) merged with the `changes` column family, a put replacing
// or adding its id and a tombstone hiding it; each image's payload read
// from `payloads`. Every record and segment block is verified as the
// iterator reaches it.
#ifndef SEMHASH_ENGINE_DB_DB_ITERATOR_H_
#define SEMHASH_ENGINE_DB_DB_ITERATOR_H_

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/db/db_impl.h"
#include "semhash/iterator.h"

namespace semhash {

class DBIterator final : public Iterator {
 public:
  // Reads `view` of `db`'s store, which must outlive the iterator.
  DBIterator(const DBImpl* db, DBImpl::ReadView view);

  bool Valid() const override { return valid_; }
  void SeekToFirst() override;
  void Seek(uint64_t id) override;
  void Next() override;

  uint64_t id() const override { return id_; }
  Address address() const override { return address_; }
  CodeView code() const override { return code_; }
  std::string_view payload() const override { return payload_; }
  Status status() const override { return status_; }

 private:
  // The id of the segment's position-th row in id order, checked.
  Status SegmentId(uint64_t position, uint64_t* id, uint64_t* row) const;
  // The first position in id order whose id is at least `id`.
  Status SegmentLowerBound(uint64_t id, uint64_t* position) const;
  // Positions on the first image at or after the two sources' positions.
  void Load();
  void Fail(Status s);

  const DBImpl* const db_;
  const DBImpl::ReadView view_;  // Outlives the RocksDB iterators.
  const size_t code_bytes_;
  std::unique_ptr<rocksdb::Iterator> changes_;
  std::unique_ptr<rocksdb::Iterator> payloads_;
  uint64_t position_ = 0;         // In the segment's id order.
  bool from_change_ = false;      // The current image is a change record...
  bool shadows_segment_ = false;  // ...of an id the segment holds too.
  bool valid_ = false;
  uint64_t id_ = 0;
  Address address_ = 0;
  std::vector<uint8_t> code_;
  std::string payload_;
  Status status_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DB_ITERATOR_H_

// Iterator: walks the stored images in ascending id order.
//
// An iterator reads a consistent snapshot taken when DB::NewIterator made it;
// writes after that are not seen. Every record is checksum-verified as the
// iterator reaches it: on damage the iterator becomes invalid and status()
// says Corruption, so a damaged record is never returned.
//
// Thread safety: an Iterator must not be used from two threads at once;
// distinct iterators of one DB may be used concurrently.
#ifndef SEMHASH_ITERATOR_H_
#define SEMHASH_ITERATOR_H_

#include <cstdint>
#include <string_view>

#include "semhash/codes.h"
#include "semhash/export.h"
#include "semhash/status.h"

namespace semhash {

class SEMHASH_EXPORT Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator() = default;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  // Positions at the first image whose id is at least `id`.
  virtual void Seek(uint64_t id) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;

  // REQUIRES: Valid(). Views stay valid until the iterator moves.
  virtual uint64_t id() const = 0;
  virtual Address address() const = 0;
  virtual CodeView code() const = 0;
  virtual std::string_view payload() const = 0;

  // OK unless iteration stopped on damage (Corruption) or an I/O error.
  virtual Status status() const = 0;
};

}  // namespace semhash

#endif  // SEMHASH_ITERATOR_H_

// BulkLoader: adds many images to a database at disk speed.
//
// Images are queued with Add and become visible all at once in Finish, which
// sorts them by address within a memory budget (spilling sorted runs to
// temporary files when the input is larger) and writes the database's next
// segment file directly: the stored images but those replaced, merged with
// the loaded ones; the manifest then names it in one synced write. A crash or a
// failure before Finish returns leaves the database as it was; after Finish
// returns OK every image is stored, as if written by one WriteBatch with sync =
// true.
//
// Thread safety: a BulkLoader is used by one thread at a time. Finish holds
// the database's write lock; readers see the database before or after the
// load, never a part of it.
#ifndef SEMHASH_BULK_LOAD_H_
#define SEMHASH_BULK_LOAD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "semhash/codes.h"
#include "semhash/export.h"
#include "semhash/status.h"

namespace semhash {

// Where Finish is, for a progress display.
struct BulkLoadProgress {
  // "sort", "read", "segment".
  const char* phase = "";
  uint64_t done = 0;
  uint64_t total = 0;
};

struct BulkLoadOptions {
  // Bytes of memory for sorting (about 130 bytes per 256-bit image). Larger
  // inputs are sorted in runs written to temporary files inside the database
  // directory and merged. Default 1 GiB. It bounds the sort only: Finish
  // then holds the loaded rows and the merged base (the stored images and
  // the loaded ones: about 48 bytes per 256-bit image) in memory while it
  // writes the next segment.
  size_t memory_bytes = size_t{1} << 30;
  // Called from Finish as it progresses, on the calling thread. May be empty.
  std::function<void(const BulkLoadProgress&)> progress;
};

class SEMHASH_EXPORT BulkLoader {
 public:
  virtual ~BulkLoader() = default;

  // Queues n images: ids[i], addresses[i] and the code at codes + i *
  // code_bits / 8. InvalidArgument if an address is wider than address_bits
  // (nothing of this call is queued then). Stores no payload.
  virtual Status Add(size_t n, const uint64_t* ids, const Address* addresses,
                     const uint8_t* codes) = 0;

  // Makes every queued image visible at once. An id that is already stored
  // is replaced. InvalidArgument if an id was queued twice; the database is
  // unchanged then. The loader can not be used after Finish.
  virtual Status Finish() = 0;

  // Images queued so far.
  virtual uint64_t queued() const = 0;
};

}  // namespace semhash

#endif  // SEMHASH_BULK_LOAD_H_

// DBHandle: the Python DB object's hold on a semhash::DB. Every engine call
// runs through Run, which releases the GIL and holds the handle open
// (shared), so that close() (exclusive) waits for the calls in flight and
// later calls fail with InvalidArgument rather than touch a closed DB.
//
// Thread safety: any number of Python threads may call Run at once; the DB
// itself is thread-safe (semhash/db.h).
#ifndef SEMHASH_ENGINE_PYTHON_DB_HANDLE_H_
#define SEMHASH_ENGINE_PYTHON_DB_HANDLE_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <shared_mutex>
#include <string>

#include "engine/python/errors.h"
#include "semhash/db.h"

namespace semhash::python {

class DBHandle {
 public:
  // Opens `path` with the GIL released; raises the Status's exception.
  DBHandle(const std::string& path, const Options& options);
  DBHandle(const DBHandle&) = delete;
  DBHandle& operator=(const DBHandle&) = delete;

  // Waits for the calls in flight, then closes the DB. Idempotent.
  void Close();
  bool closed();

  // Calls work(DB*) -> Status without the GIL and raises its error (the
  // GIL held again).
  template <typename Work>
  void Run(Work work) {
    Status s;
    {
      pybind11::gil_scoped_release release;
      std::shared_lock lock(mutex_);
      s = db_ == nullptr ? Status::InvalidArgument("the database is closed")
                         : work(db_.get());
    }
    ThrowIfError(s);
  }

  const std::string& path() const { return path_; }
  // As read at open; constant for the DB's life.
  const DatabaseInfo& info() const { return info_; }
  size_t code_bytes() const { return info_.code_bits / 8; }
  // True when the application brings its own codes (no stored encoder).
  bool external_codes() const { return external_codes_; }

 private:
  std::shared_mutex mutex_;
  std::unique_ptr<DB> db_;
  std::string path_;
  DatabaseInfo info_;
  bool external_codes_ = true;
};

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_DB_HANDLE_H_

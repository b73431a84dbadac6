// DBHandle (see db_handle.h).
#include "engine/python/db_handle.h"

#include <mutex>

namespace py = pybind11;

namespace semhash::python {

DBHandle::DBHandle(const std::string& path, const Options& options)
    : path_(path) {
  Status s;
  {
    py::gil_scoped_release release;
    s = DB::Open(options, path, &db_);
  }
  ThrowIfError(s);
  info_ = db_->info();
  external_codes_ = db_->encoder() == nullptr;
}

void DBHandle::Close() {
  py::gil_scoped_release release;
  std::unique_lock lock(mutex_);
  db_.reset();
}

bool DBHandle::closed() {
  // Never wait for the lock holding the GIL: a call in flight may need it
  // (a progress callback) before it lets go.
  py::gil_scoped_release release;
  std::shared_lock lock(mutex_);
  return db_ == nullptr;
}

}  // namespace semhash::python

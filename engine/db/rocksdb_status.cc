// RocksDB status conversion (see rocksdb_status.h).
#include "engine/db/rocksdb_status.h"

namespace semhash {
namespace {

// RocksDB's LOCK file refused: held by another process ("While lock file:
// DIR/LOCK: Resource temporarily unavailable") or by another open of the
// same directory in this process ("lock hold by current process ...").
bool IsLockHeld(const rocksdb::Status& s) {
  const std::string text = s.ToString();
  return s.IsIOError() &&
         (text.find("While lock file: ") != std::string::npos ||
          text.find("lock hold by current process") != std::string::npos);
}

}  // namespace

Status FromRocksDB(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  const std::string text = s.ToString();
  if (s.IsNotFound()) return Status::NotFound(text);
  if (s.IsCorruption()) return Status::Corruption(text);
  if (s.IsNotSupported()) return Status::NotSupported(text);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(text);
  if (IsLockHeld(s)) {
    return Status::IOError(
        "the database is in use: another process (or another open DB in "
        "this one) has it open for writing; close that first, or open "
        "read-only (RocksDB: " +
        text + ")");
  }
  return Status::IOError(text);
}

}  // namespace semhash

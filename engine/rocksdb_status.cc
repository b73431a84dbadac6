// RocksDB status conversion (see rocksdb_status.h).
#include "engine/rocksdb_status.h"

namespace semhash {

Status FromRocksDB(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  const std::string text = s.ToString();
  if (s.IsNotFound()) return Status::NotFound(text);
  if (s.IsCorruption()) return Status::Corruption(text);
  if (s.IsNotSupported()) return Status::NotSupported(text);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(text);
  return Status::IOError(text);
}

}  // namespace semhash

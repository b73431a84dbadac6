// BulkLoaderImpl: the BulkLoader of semhash/bulk_load.h over a DBImpl.
//
// Add queues the images in an external sort by address (RecordSorter,
// spilling sorted runs to a staging directory inside the database directory
// beyond its memory budget). Finish reads them back in address order and
// has the DB publish the next segment: its live images but those the load
// replaces, merged by address with the loaded ones (DBImpl::PublishBulkLoad).
// The load becomes visible, durably, when the manifest names that segment;
// before that the database is as it was.
#ifndef SEMHASH_ENGINE_DB_BULK_LOADER_H_
#define SEMHASH_ENGINE_DB_BULK_LOADER_H_

#include <memory>
#include <string>

#include "engine/db/db_impl.h"
#include "engine/db/record_sorter.h"
#include "semhash/bulk_load.h"

namespace semhash {

class BulkLoaderImpl final : public BulkLoader {
 public:
  // The staging directory's name inside the database directory.
  static constexpr char kStagingDirectory[] = "bulk-load";

  // REQUIRES: `staging` is an empty directory of the loader's own.
  BulkLoaderImpl(DBImpl* db, const BulkLoadOptions& options,
                 std::string staging);
  ~BulkLoaderImpl() override;

  Status Add(size_t n, const uint64_t* ids, const Address* addresses,
             const uint8_t* codes) override;
  Status Finish() override;
  uint64_t queued() const override { return queued_; }

 private:
  void Report(const char* phase, uint64_t done, uint64_t total) const;

  DBImpl* const db_;
  const BulkLoadOptions options_;
  const size_t code_bytes_;
  const std::string staging_;
  std::unique_ptr<RecordSorter> by_address_;
  uint64_t queued_ = 0;
  bool finished_ = false;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_BULK_LOADER_H_

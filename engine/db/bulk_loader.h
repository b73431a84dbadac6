// BulkLoaderImpl: the BulkLoader of semhash/bulk_load.h over a DBImpl.
//
// Finish runs three passes, all in key order, so each writes one RocksDB
// table file (SST) sequentially (passes 1 and 2 overlap on two threads when
// the address sort fits in memory):
//   1. images sorted by address: posting chunks (new chunks after each
//      address's current tail, so no stored chunk is touched) and tails;
//      each image's (id, address, chunk, code) goes to the id sort;
//   2. images sorted by id: id records; an id already stored is a replace,
//      and its old (address, chunk) goes to the rewrite sort;
//   3. old chunks sorted by key: each is read and written again without the
//      replaced ids.
// The files are then ingested in one IngestExternalFiles call, which RocksDB
// applies atomically across column families. They are written in a staging
// directory inside the database directory and removed afterwards.
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
  class Files;

  Status WalkPostings(Files* files, RecordSorter* by_id);
  Status WritePostingsAndIds(Files* files, RecordSorter* by_id,
                             RecordSorter* rewrites);
  Status WriteIds(Files* files, RecordSorter* by_id, RecordSorter* rewrites);
  Status RewriteChunks(Files* files, RecordSorter* rewrites);
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

// DB: a persistent semantic-hashing store on disk.
//
// Each image has a uint64 id chosen by the application, a short address
// (Options::address_bits) and a long code (Options::code_bits). The address
// is a key of an on-disk table that lists the images stored there; Search
// probes the Hamming ball around a query's address, then re-ranks what it
// gathered by Hamming distance on the long codes. SearchExact compares the
// query with every stored code: the ground truth.
//
// Thread safety: a DB may be used from many threads at once. Writes are
// serialised inside; reads run concurrently with them and each read sees a
// consistent snapshot. Only one process may open a path for writing.
#ifndef SEMHASH_DB_H_
#define SEMHASH_DB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/bulk_load.h"
#include "semhash/codes.h"
#include "semhash/export.h"
#include "semhash/iterator.h"
#include "semhash/maintenance.h"
#include "semhash/options.h"
#include "semhash/search.h"
#include "semhash/status.h"
#include "semhash/write_batch.h"

namespace semhash {

class Encoder;

// One stored image, as DB::Get returns it.
struct Record {
  Address address = 0;
  std::vector<uint8_t> code;
  std::string payload;
};

// What a database was created with, as read from its manifest.
struct DatabaseInfo {
  uint32_t format_version = 0;
  uint32_t address_bits = 0;
  uint32_t code_bits = 0;
  // Most images one posting-list chunk holds; longer lists are split.
  uint32_t posting_chunk_capacity = 0;
  // Multi-index hashing tables (Options::mih_tables); 0 = none.
  uint32_t mih_tables = 0;
  // "external" when the application brings its own codes.
  std::string encoder_kind;
  std::string encoder_params;
};

class SEMHASH_EXPORT DB {
 public:
  // Opens the database at `path`. On success *db owns it; on failure *db is
  // null and the Status says why: NotFound if `path` holds no database and
  // options.create_if_missing is false. A database is created atomically:
  // after a crash during creation `path` holds either nothing or a complete
  // empty database.
  static Status Open(const Options& options, const std::string& path,
                     std::unique_ptr<DB>* db);

  // Makes a database that *db created with Options::stage_new_database
  // appear at the path it was opened with, and closes it: syncs its
  // write-ahead log (every write so far becomes durable, synced or not),
  // closes it, renames its staging directory to the path and fsyncs the
  // parent directory. After a crash the path holds nothing or the whole
  // database. *db is null afterwards, whatever the outcome: open the path
  // again to go on. On failure the staged database is deleted, unless only
  // the final fsync failed: then it is at the path but may not survive a
  // crash. InvalidArgument, with *db left open, if it was not created
  // staged. REQUIRES: no other thread uses *db, and none of its
  // iterators or bulk loaders is alive.
  static Status Publish(std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  virtual ~DB() = default;

  // Stores an image. InvalidArgument if the address has more than
  // address_bits bits, the code is not code_bits/8 bytes, or the payload is
  // over kMaxPayloadBytes; nothing is written then.
  virtual Status Put(const WriteOptions& options, uint64_t id, Address address,
                     CodeView code, std::string_view payload = {}) = 0;
  // Removes an image; OK if it was absent.
  virtual Status Delete(const WriteOptions& options, uint64_t id) = 0;
  // Applies every operation of `batch` or none. Validates all of them first.
  virtual Status Write(const WriteOptions& options,
                       const WriteBatch& batch) = 0;

  // NotFound if `id` is not stored.
  virtual Status Get(uint64_t id, Record* record) = 0;

  // The k nearest stored codes to `code` among the images whose addresses
  // lie in the Hamming ball probed around `address` (see SearchOptions).
  virtual Status Search(const SearchOptions& options, Address address,
                        CodeView code, size_t k, SearchResult* result) = 0;
  // The k nearest stored codes to `code` over the whole database. Uses the
  // multi-index tables when the database has them and they are cheaper than
  // a scan (the answer is the same: MIH proves the k-th distance).
  virtual Status SearchExact(CodeView code, size_t k, SearchResult* result) = 0;
  // Every stored image whose code is within `radius` bits of `code`, best
  // first (ascending distance, then id).
  virtual Status SearchRadius(CodeView code, uint32_t radius,
                              SearchResult* result) = 0;

  // Search for n queries at once, spread over `threads` threads (0: one per
  // core). Query i is addresses[i] and the code at codes + i * code_bits / 8
  // (a caller's contiguous array); (*results)[i] is what Search returns for
  // it. InvalidArgument naming the first bad query; nothing is searched then.
  virtual Status SearchBatch(const SearchOptions& options, size_t n,
                             const Address* addresses, const uint8_t* codes,
                             size_t k, unsigned threads,
                             std::vector<SearchResult>* results) = 0;
  // SearchExact for n queries: each thread reads every posting chunk once
  // for its share of the queries, and compares each chunk with all of them
  // while it is in cache.
  virtual Status SearchExactBatch(size_t n, const uint8_t* codes, size_t k,
                                  unsigned threads,
                                  std::vector<SearchResult>* results) = 0;
  // SearchRadius for n queries (codes as for SearchBatch), spread over
  // `threads` threads (0: one per core); (*results)[i] is what SearchRadius
  // returns for query i.
  virtual Status SearchRadiusBatch(size_t n, const uint8_t* codes,
                                   uint32_t radius, unsigned threads,
                                   std::vector<SearchResult>* results) = 0;

  // The number of images stored: read from the in-memory index once it is
  // loaded (no I/O), otherwise by counting the id records at a snapshot
  // (a read of the whole id table).
  virtual Status CountImages(uint64_t* count) = 0;

  // Every stored image in id order, over a snapshot taken now.
  virtual std::unique_ptr<Iterator> NewIterator() = 0;

  // Starts a bulk load (semhash/bulk_load.h). NotSupported on a read-only
  // database. Several loaders may exist; their Finish calls are serialised.
  virtual Status NewBulkLoader(const BulkLoadOptions& options,
                               std::unique_ptr<BulkLoader>* loader) = 0;

  // Reads every stored value and the live segment, checks every checksum
  // and the invariants between the segment, change and payload records. OK with
  // an empty report->problems when the database is sound; Corruption naming the
  // first problem otherwise (the report lists them). Changes nothing.
  virtual Status Verify(const VerifyOptions& options, VerifyReport* report) = 0;
  // Publishes every image as a new segment (no change records remain), then
  // compacts every table so that deleted records are dropped. Answers to
  // every search are unchanged.
  virtual Status Compact(const ProgressCallback& progress,
                         CompactReport* report) = 0;
  virtual Status GetSpaceUsage(SpaceUsage* usage) = 0;

  // Writes a copy of the database as it was at one moment during the call
  // to the new directory `dir`, which then opens as a database of its own.
  // Table files are hard-linked where the file system allows (RocksDB never
  // changes one, it only deletes it), copied otherwise; the manifest and the
  // write-ahead logs are copied up to that moment. The copy is built in a
  // sibling directory, synced, renamed to `dir` and the parent synced: after
  // a crash `dir` is absent or complete. InvalidArgument if `dir` exists.
  //
  // Opened for writing: other threads may write, bulk-load or compact
  // meanwhile; the moment lies between two writes. Opened read-only (another
  // process may be writing): the copy is of this DB's view as of its open,
  // plus the writes logged since; IOError if that process has flushed,
  // compacted or bulk-loaded since this DB was opened (the copy could mix
  // two moments): open it again and retry.
  virtual Status Backup(const std::string& dir) = 0;

  virtual const DatabaseInfo& info() const = 0;
  // The stored encoder, or null for a database of external codes.
  virtual const Encoder* encoder() const = 0;
};

}  // namespace semhash

#endif  // SEMHASH_DB_H_

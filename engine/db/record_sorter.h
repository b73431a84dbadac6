// RecordSorter: sorts fixed-size records by a 64-bit key within a memory
// budget, for bulk loading.
//
// Records are kept in memory ([key u64 LE | payload], back to back, in a
// HugePageBuffer) until the budget is reached; then they are radix-sorted
// (record_radix_sort.h) and written to a run file in the spill directory.
// Reading merges the runs (or walks the in-memory records when nothing was
// spilled). Equal keys come out in the order they were added. Run files carry
// an XXH3-64 of their bytes, checked as they are read back, so a damaged
// temporary file is reported as Corruption instead of being loaded.
#ifndef SEMHASH_ENGINE_DB_RECORD_SORTER_H_
#define SEMHASH_ENGINE_DB_RECORD_SORTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/db/huge_page_buffer.h"
#include "semhash/status.h"

namespace semhash {

class RecordSorter {
 public:
  // Records carry `payload_bytes` bytes besides their key. Run files are
  // named `spill_prefix` + run number.
  RecordSorter(size_t payload_bytes, size_t memory_bytes,
               std::string spill_prefix);
  RecordSorter(const RecordSorter&) = delete;
  RecordSorter& operator=(const RecordSorter&) = delete;
  ~RecordSorter();

  // Bytes of memory one record costs while buffered.
  static size_t BytesPerRecord(size_t payload_bytes);

  // REQUIRES: Finish has not been called.
  Status Add(uint64_t key, const uint8_t* payload);
  // Ends the input and prepares reading in key order.
  Status Finish();
  // The next record in key order; false at the end or on an error (see
  // status()). *payload stays valid until the next call.
  bool Next(uint64_t* key, const uint8_t** payload);
  const Status& status() const { return status_; }
  // Reads again from the first record.
  // REQUIRES: Finish has been called and runs() == 0.
  void Rewind() { next_record_ = 0; }

  // After an in-memory Finish, the sort buffer that no longer holds the
  // records (pages already faulted in), for another sorter to Adopt.
  HugePageBuffer ReleaseSpareBuffer();
  // Buffers records in `buffer` if it has room for the whole budget;
  // otherwise drops it. REQUIRES: nothing added yet.
  void Adopt(HugePageBuffer buffer);

  uint64_t size() const { return added_; }
  size_t runs() const { return run_paths_.size(); }

 private:
  class RunReader;

  Status SortBuffer();
  Status SpillBuffer();

  const size_t payload_bytes_;
  const size_t record_bytes_;
  const size_t capacity_;  // Records buffered before a spill.
  const std::string spill_prefix_;
  HugePageBuffer buffer_, scratch_;
  size_t buffered_ = 0;              // Records in buffer_.
  const uint8_t* sorted_ = nullptr;  // buffer_ or scratch_, once sorted.
  std::vector<std::string> run_paths_;
  std::vector<std::unique_ptr<RunReader>> readers_;
  static constexpr size_t kNoRun = ~size_t{0};
  std::vector<size_t> heap_;  // Reader indexes; a min-heap on (key, run).
  bool heap_made_ = false;
  size_t last_run_ = kNoRun;  // The run whose record Next returned last.
  size_t next_record_ = 0;    // Without runs: the next of sorted_.
  uint64_t added_ = 0;
  Status status_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_RECORD_SORTER_H_

// MultiIndex: multi-index hashing (Norouzi, Punjani & Fleet, CVPR 2012) over
// an in-memory array of long codes, for the in-memory index.
//
// A code is cut into m contiguous substrings; table t holds the t-th
// substring of every row as a key. If two codes differ in at most
// m * (r + 1) - 1 bits, some substring differs in at most r bits
// (pigeonhole), so probing every table's Hamming ball of radius r around
// the query's substrings finds every row within that distance. Searches
// grow r until the answer is exact (SearchKnn), enough candidates were
// compared (SearchProbe), or the pigeonhole radius of a range is reached
// (SearchRadius).
//
// A row found in several tables is compared once, without any per-query
// scratch: probes run in (radius, table) order, and a row belongs to the
// first probe that can find it, which its own substrings tell (see
// MultiIndex::Query in multi_index.cc).
//
// Memory: per table, 4 bytes of key and 4 bytes of row number per row, plus
// the SortedKeys directory (at most 4 bytes per row): built and owned here,
// or borrowed from a mapped segment's sections (View).
//
// Thread safety: immutable after construction; any number of threads may
// search at once. The codes, ids and dead-row bitsets belong to the caller
// and must not change while a search reads them.
#ifndef SEMHASH_ENGINE_DB_MULTI_INDEX_H_
#define SEMHASH_ENGINE_DB_MULTI_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/db/sorted_keys.h"
#include "engine/db/top_k.h"
#include "semhash/search.h"
#include "semhash/status.h"

namespace semhash {

// A contiguous bit range of a code, in the bit order of semhash/codes.h
// (bit 0 is the most significant bit of byte 0).
struct Substring {
  uint32_t start = 0;
  uint32_t bits = 0;

  friend bool operator==(const Substring&, const Substring&) = default;
};

// The m substrings of a code_bits-bit code: contiguous, in code order, the
// longer ones first, lengths differing by at most 1.
// REQUIRES: CheckMultiIndexTables(code_bits, m) is OK and m > 0.
std::vector<Substring> SplitCode(uint32_t code_bits, uint32_t m);

// The bits of `substring` as a key whose most significant bit is the
// substring's first: AddressFromCode's order, so SubstringKey(code, bits,
// {0, b}) == AddressFromCode(code, b).
// REQUIRES: code holds code_bits / 8 >= 8 bytes; substring.bits in [1, 32]
// and it ends inside the code.
uint32_t SubstringKey(const uint8_t* code, uint32_t code_bits,
                      Substring substring);

// OK iff code_bits is a valid code length and m is 0 (no tables) or in
// [ceil(code_bits / 32), code_bits / 4]: substrings of 4 to 32 bits.
Status CheckMultiIndexTables(uint32_t code_bits, uint32_t m);

// What one search did. Counters are per call.
struct MultiIndexStats {
  // The last substring radius probed. SearchKnn may stop partway through a
  // radius: the tables after the one that settled the answer stay one less.
  uint32_t radius_reached = 0;
  // Substring keys looked up. A shell with more keys than its table has rows
  // is scanned instead, and every row scanned counts as a lookup.
  uint64_t lookups = 0;
  // Lookups that found no row.
  uint64_t lookups_empty = 0;
  // Distinct live rows whose full codes were compared with the query's.
  uint64_t candidates = 0;
};

class MappedSegment;

class MultiIndex {
 public:
  // Builds m tables over rows [0, n) of `codes` (code_bits / 8 bytes each,
  // back to back), which must outlive the index. Each table is a radix sort
  // (one or two counting passes of 16 bits): O(m * n) time, and 8 bytes per
  // row of scratch beside the tables.
  // REQUIRES: CheckMultiIndexTables(code_bits, m) is OK; n < 2^32.
  MultiIndex(const uint8_t* codes, size_t n, uint32_t code_bits, uint32_t m);

  // The index over a mapped segment's tables and codes, read in place and
  // checked before each read (MappedSegment::Check), which must outlive it.
  // Its searches need a `status` to report a damaged block.
  static std::unique_ptr<MultiIndex> View(const MappedSegment& segment);

  // One table's arrays, as a segment stores them.
  struct TableArrays {
    Substring substring;
    std::span<const uint32_t> keys;       // n keys, ascending.
    std::span<const uint32_t> rows;       // rows[i] has key keys[i].
    std::span<const uint32_t> directory;  // SortedKeys::directory().
  };
  TableArrays table_arrays(size_t t) const;

  MultiIndex(const MultiIndex&) = delete;
  MultiIndex& operator=(const MultiIndex&) = delete;

  // Every search takes:
  //   query: code_bits / 8 bytes.
  //   ids: ids[row] is row's id, for rows [0, n).
  //   dead: bit r % 64 of (*dead)[r / 64] set means row r is deleted; rows
  //     past its end are live. May be null (all live).
  //   stats: reset, then filled; may be null.
  //   status: set to the Corruption of a damaged block of a View's segment,
  //     which ends the search (SearchKnn then returns true, *top holding
  //     nothing useful); untouched otherwise. May be null, but for a View.

  // Pushes the exact k nearest live rows into *top (k is top's), as
  // (ids[row], distance). *top may already hold candidates from elsewhere:
  // the result is then the k best of those and the live rows, exactly as a
  // brute-force scan would pick them, ties included. Stops once no unseen
  // row can enter *top. Returns false, leaving *top valid but unspecified,
  // as soon as lookups + candidates would exceed max_work (SIZE_MAX: no
  // limit), so the caller can scan instead; with no tables it returns false
  // unless there are no rows.
  bool SearchKnn(const uint8_t* query, const uint64_t* ids,
                 const std::vector<uint64_t>* dead, size_t max_work, TopK* top,
                 MultiIndexStats* stats, Status* status = nullptr) const;

  // Approximate: probes substring radius 0, 1, ..., max_radius in every
  // table, stopping as soon as min_candidates live rows were compared (after
  // the table that reached it, even mid-radius); pushes every compared row
  // into *top. radius_reached is the last radius probed in every table.
  void SearchProbe(const uint8_t* query, uint32_t max_radius,
                   size_t min_candidates, const uint64_t* ids,
                   const std::vector<uint64_t>* dead, TopK* top,
                   MultiIndexStats* stats, Status* status = nullptr) const;

  // Appends (ids[row], distance), unsorted, for every live row within
  // `radius` bits of the query: each table is probed to substring radius
  // floor(radius / m), which the pigeonhole rule says is enough. With no
  // tables it appends nothing.
  void SearchRadius(const uint8_t* query, uint32_t radius, const uint64_t* ids,
                    const std::vector<uint64_t>* dead,
                    std::vector<Neighbor>* out, MultiIndexStats* stats,
                    Status* status = nullptr) const;

  uint32_t tables() const { return static_cast<uint32_t>(tables_.size()); }
  // The tables' keys, directories and row numbers, when owned.
  size_t memory_bytes() const;

 private:
  struct Table {
    Substring substring;
    SortedKeys keys;
    // rows[i] is the row whose substring is keys.key(i); ascending within a
    // key. Points into owned_rows, or is borrowed.
    const uint32_t* rows = nullptr;
    std::vector<uint32_t> owned_rows;
  };
  MultiIndex(const uint8_t* codes, size_t n, uint32_t code_bits)
      : codes_(codes), n_(n), code_bits_(code_bits) {}
  // One search's view of the query; defined in multi_index.cc.
  class Query;

  // The table of `substring` over rows [0, n); key_of_row is scratch of n
  // entries.
  static Table BuildTable(const uint8_t* codes, size_t n, uint32_t code_bits,
                          Substring substring,
                          std::vector<uint32_t>* key_of_row);

  const uint8_t* codes_;
  size_t n_;
  uint32_t code_bits_;
  const MappedSegment* segment_ = nullptr;  // Of a View.
  std::vector<Table> tables_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MULTI_INDEX_H_

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
// A row found in several tables is kept once, without any per-query
// scratch: probes run in (radius, table) order, and a row belongs to the
// first probe that can find it, which its own substrings tell (see
// MultiIndex::Query in multi_index.cc). SearchKnn and SearchRadius ask only
// of rows near enough to keep; a farther one is compared and dropped by
// every table that finds it.
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
  // The last substring radius probed. SearchKnn and SearchRadius may stop
  // partway through a radius: the tables after the one that settled the
  // answer stay one less.
  uint32_t radius_reached = 0;
  // Substring keys looked up. A shell with more keys than its table has rows
  // is scanned instead, and every row scanned counts as a lookup.
  uint64_t lookups = 0;
  // Lookups that found no row.
  uint64_t lookups_empty = 0;
  // Live rows whose full codes were compared with the query's. SearchProbe
  // counts each row once; SearchKnn and SearchRadius check whether an
  // earlier probe found a row only if it is near enough to keep, so a
  // farther one counts once for each table that finds it.
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
  // brute-force scan would pick them, ties included. Probes run in (radius,
  // table) order and stop once no unseen row can enter *top: after radius s
  // in tables 0..j, every row within m * s + j bits has been found.
  //
  // max_cost is what the caller's alternative, an exact scan, would cost
  // (ScanCost). Radius 0 in every table runs first, unless it alone costs
  // more, and so does any probe while the work done stays within half of
  // max_cost. Past that, before each probe, the work still needed is
  // estimated (ProbeCost of the shells that the k-th distance *top holds
  // so far asks for); the search gives up, returning false and leaving
  // *top valid but unspecified, as soon as that estimate exceeds max_cost
  // or *top is not yet full. INFINITY: never gives up. With no tables it
  // returns false unless there are no rows.
  bool SearchKnn(const uint8_t* query, const uint64_t* ids,
                 const std::vector<uint64_t>* dead, double max_cost, TopK* top,
                 MultiIndexStats* stats, Status* status = nullptr) const;

  // Costs, in one unit: comparing one 256-bit code in a sequential scan.
  // An exact scan of `rows` codes of code_bits bits.
  static double ScanCost(uint64_t rows, uint32_t code_bits);
  // The estimated cost of probing every shell from (radius r, table t) on,
  // in (radius, table) order, through (r_end, t_end) inclusive: each key
  // looked up, and the rows the keys match by chance (n / 2^bits a key)
  // read and compared. The ball does not depend on the query; the rows
  // near it (the answer) are not counted.
  double ProbeCost(uint32_t r, uint32_t t, uint32_t r_end,
                   uint32_t t_end) const;
  // The estimated cost of SearchKnn proving an answer whose k-th distance
  // is kth, from the start: every shell (r, t) with m * r + t <= kth.
  double KnnCost(uint32_t kth) const;
  // The estimated cost of SearchRadius(radius).
  double RadiusCost(uint32_t radius) const;

  // Approximate: probes substring radius 0, 1, ..., max_radius in every
  // table, stopping as soon as min_candidates live rows were compared (after
  // the table that reached it, even mid-radius); pushes every compared row
  // into *top. radius_reached is the last radius probed in every table.
  void SearchProbe(const uint8_t* query, uint32_t max_radius,
                   size_t min_candidates, const uint64_t* ids,
                   const std::vector<uint64_t>* dead, TopK* top,
                   MultiIndexStats* stats, Status* status = nullptr) const;

  // Appends (ids[row], distance), unsorted, for every live row within
  // `radius` bits of the query. With s = radius / m and j = radius % m,
  // tables 0..j are probed to substring radius s and the others to s - 1:
  // a row they all miss differs in at least (j + 1) * (s + 1) +
  // (m - j - 1) * s = radius + 1 bits. With no tables it appends nothing.
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
    // shell_cost[r]: ProbeCost of shell r alone, for r <= substring bits.
    std::vector<double> shell_cost;
  };
  MultiIndex(const uint8_t* codes, size_t n, uint32_t code_bits)
      : codes_(codes), n_(n), code_bits_(code_bits) {}
  // One search's view of the query; defined in multi_index.cc.
  class Query;

  // SearchKnn's choice before shell (r, t): whether the work still needed
  // to prove *top's answer, `spent` done so far, is worth it next to
  // max_cost.
  bool WorthProbing(uint32_t r, uint32_t t, const TopK& top, double spent,
                    double max_cost) const;
  // Fills every table's shell_cost for n rows.
  void PriceShells();
  // The cost of shell (r, t); 0 past the substring's bits (never probed).
  double ShellCost(uint32_t t, uint32_t r) const {
    const std::vector<double>& costs = tables_[t].shell_cost;
    return r < costs.size() ? costs[r] : 0;
  }

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

// MultiIndex (see multi_index.h).
#include "engine/db/multi_index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>

#include "engine/common/code_widths.h"
#include "engine/db/hamming_ball.h"
#include "engine/db/hamming_kernels.h"
#include "engine/db/mapped_segment.h"
#include "format/manifest.h"
#include "semhash/options.h"

namespace semhash {
namespace {

using format::SegmentSection;

constexpr uint32_t kMinSubstringBits = 4;
constexpr uint32_t kMaxSubstringBits = 32;
constexpr uint32_t kMaxTables = kMaxCodeBits / kMinSubstringBits;
// Substring keys looked up together, their cache misses overlapping.
constexpr size_t kLookupBatch = 32;

// The search costs (multi_index.h), in comparisons of one 256-bit code in a
// sequential scan (memory-bound: 2 to 4 ns with AVX-512 at 1M codes on a
// loaded 2-core machine). Measured there at 1M clustered 256-bit codes and
// 13 tables, with the scan in the same process: a lookup (a directory read
// and a short search, batched) and a candidate (a random read of its code
// and the distance) each took about 16 of those, the two shares of the
// search's time about equal. A shell wider than its table is a sequential
// pass over the table's keys instead, about one unit a row.
constexpr double kLookupCost = 16;
constexpr double kCandidateCost = 16;
constexpr double kTableRowCost = 1;

uint32_t MinTables(uint32_t code_bits) {
  return (code_bits + kMaxSubstringBits - 1) / kMaxSubstringBits;
}

uint32_t MaxTables(uint32_t code_bits) { return code_bits / kMinSubstringBits; }

// min(popcount(x), cap + 1). Searches compare substring distances with small
// radii, and clearing a few low bits beats the libgcc popcount call that the
// baseline build (no POPCNT instruction) makes of std::popcount.
uint32_t BitsUpTo(uint32_t x, uint32_t cap) {
  uint32_t count = 0;
  for (; x != 0 && count <= cap; ++count) x &= x - 1;
  return count;
}

constexpr uint32_t kDigitBits = 16;

// Moves every row of `in` to `out`, stably ordered by the kDigitBits-bit
// digit of its key at `shift`.
void CountingSortPass(const std::vector<uint32_t>& key_of_row, uint32_t shift,
                      const std::vector<uint32_t>& in,
                      std::vector<uint32_t>* out) {
  const auto digit = [&](uint32_t row) {
    return (key_of_row[row] >> shift) & ((1u << kDigitBits) - 1);
  };
  std::vector<uint32_t> starts((1u << kDigitBits) + 1, 0);
  for (uint32_t row : in) ++starts[digit(row) + 1];
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  out->resize(in.size());
  for (uint32_t row : in) (*out)[starts[digit(row)]++] = row;
}

// The rows in ascending key order, ties in ascending row order: a
// least-significant-digit radix sort, linear where std::sort of 10M keys per
// table would dominate building.
std::vector<uint32_t> RowsByKey(const std::vector<uint32_t>& key_of_row,
                                uint32_t key_bits) {
  std::vector<uint32_t> rows(key_of_row.size());
  std::iota(rows.begin(), rows.end(), 0u);
  std::vector<uint32_t> scratch;
  for (uint32_t shift = 0; shift < key_bits; shift += kDigitBits) {
    CountingSortPass(key_of_row, shift, rows, &scratch);
    rows.swap(scratch);
  }
  return rows;
}

// Reads one substring of codes: SubstringKey with the arithmetic that
// depends only on the substring done once, not once per row.
class SubstringReader {
 public:
  SubstringReader() = default;
  // One 8-byte load holds any substring of at most 32 bits (it starts at most
  // 7 bits into its first byte). Near the end of the code the load starts at
  // the code's last 8 bytes instead, so it never reads past the code.
  SubstringReader(uint32_t code_bits, Substring substring)
      : first_byte_(std::min(substring.start / 8, code_bits / 8 - 8)),
        shift_(64 - (substring.start + substring.bits - first_byte_ * 8)),
        mask_(static_cast<uint32_t>((uint64_t{1} << substring.bits) - 1)) {}

  uint32_t Read(const uint8_t* code) const {
    uint64_t word;
    std::memcpy(&word, code + first_byte_, 8);
    if constexpr (std::endian::native == std::endian::little) {
      word = __builtin_bswap64(word);
    }
    return static_cast<uint32_t>(word >> shift_) & mask_;
  }

 private:
  uint32_t first_byte_ = 0;
  uint32_t shift_ = 0;
  uint32_t mask_ = 0;
};

// Where a search's rows go. A compared row at Bound() or farther is of no
// use: it skips the check that no earlier probe found it (up to m - 1
// substring reads) and the read of its id. Any other row is passed to
// Take once, by the first probe that finds it.
//
// Offers rows to *top. `dedup_all`: every row is checked, so that the
// candidates counted are distinct rows (SearchProbe's min_candidates).
class TopSink {
 public:
  TopSink(const uint64_t* ids, TopK* top, bool dedup_all = false)
      : ids_(ids), top_(top), dedup_all_(dedup_all) {}
  uint32_t Bound() const { return dedup_all_ ? UINT32_MAX : top_->Bound(); }
  void Take(uint32_t row, uint32_t distance) {
    if (top_->Admits(distance)) top_->Push(ids_[row], distance);
  }

 private:
  const uint64_t* ids_;
  TopK* top_;
  bool dedup_all_;
};

// Appends the rows within `radius` to *out.
class RadiusSink {
 public:
  RadiusSink(const uint64_t* ids, uint32_t radius, std::vector<Neighbor>* out)
      : ids_(ids),
        bound_(radius == UINT32_MAX ? radius : radius + 1),
        out_(out) {}
  uint32_t Bound() const { return bound_; }
  void Take(uint32_t row, uint32_t distance) {
    out_->push_back({ids_[row], distance});
  }

 private:
  const uint64_t* ids_;
  uint32_t bound_;
  std::vector<Neighbor>* out_;
};

}  // namespace

std::vector<Substring> SplitCode(uint32_t code_bits, uint32_t m) {
  std::vector<Substring> substrings(m);
  uint32_t start = 0;
  for (uint32_t t = 0; t < m; ++t) {
    const uint32_t bits = code_bits / m + (t < code_bits % m ? 1 : 0);
    substrings[t] = {start, bits};
    start += bits;
  }
  return substrings;
}

uint32_t SubstringKey(const uint8_t* code, uint32_t code_bits,
                      Substring substring) {
  return SubstringReader(code_bits, substring).Read(code);
}

Status CheckMultiIndexTables(uint32_t code_bits, uint32_t m) {
  const Status width = CheckCodeWidth(code_bits);
  if (!width.ok()) return width;
  return format::CheckMihTables(code_bits, m);
}

uint32_t AdviseMultiIndexTables(uint32_t code_bits, uint64_t n) {
  const double key_bits =
      std::log2(static_cast<double>(std::max<uint64_t>(n, 2)));
  const double m = std::round(code_bits / key_bits);
  return static_cast<uint32_t>(
      std::clamp<double>(m, MinTables(code_bits), MaxTables(code_bits)));
}

// One search's state. Probes run in (radius, table) order, and a row is
// handled only by the first probe that finds it: shell (r, t) finds the rows
// whose substring t is at distance r, so it is first iff every earlier table
// is at distance > r and every later one at >= r. The row's code answers that
// (it is read for its full distance anyway), so deduplication needs no
// visited set: no O(n) scratch to clear, nothing shared between threads.
// The price is up to m - 1 substring reads per hit, from the cache lines
// that the full distance reads anyway.
class MultiIndex::Query {
 public:
  Query(const MultiIndex& index, const uint8_t* query,
        const std::vector<uint64_t>* dead, MultiIndexStats* stats)
      : index_(index),
        segment_(index.segment_),
        query_(query),
        dead_(dead),
        stats_(stats != nullptr ? *stats : local_stats_),
        kernels_(BestHammingKernels()),
        code_bytes_(index.code_bits_ / 8) {
    stats_ = MultiIndexStats();
    for (size_t t = 0; t < index_.tables_.size(); ++t) {
      readers_[t] =
          SubstringReader(index_.code_bits_, index_.tables_[t].substring);
      keys_[t] = readers_[t].Read(query);
    }
  }

  // Calls found(row, distance) for each live row that shell (r, t) is the
  // first probe to find.
  // REQUIRES: r <= table t's substring bits.
  template <typename Found>
  void ProbeShell(size_t t, uint32_t r, Found&& found) {
    if (failed()) return;
    const Table& table = index_.tables_[t];
    const uint32_t centre = keys_[t];
    if (ShellSize(table.substring.bits, r) > index_.n_) {
      // The shell has more keys than the table has rows.
      stats_.lookups += index_.n_;
      if (!Checked(TableSection(SegmentSection::kTableKeys, t), 0, index_.n_,
                   4) ||
          !Checked(TableSection(SegmentSection::kTableRows, t), 0, index_.n_,
                   4)) {
        return;
      }
      const std::span<const uint32_t> keys = table.keys.keys();
      for (size_t i = 0; i < keys.size(); ++i) {
        if (BitsUpTo(keys[i] ^ centre, r) == r) {
          Hit(table.rows[i], t, r, found);
        }
      }
    } else {
      // Keys are looked up kLookupBatch at a time: the directory slots of
      // all of them are requested, then their keys and rows, then searched,
      // so the batch's cache misses overlap instead of queueing.
      uint32_t batch[kLookupBatch];
      size_t queued = 0;
      auto lookup_batch = [&] {
        for (size_t i = 0; i < queued; ++i) table.keys.PrefetchSlot(batch[i]);
        for (size_t i = 0; i < queued; ++i) {
          const uint32_t first = table.keys.PrefetchKeys(batch[i]);
          if (first < index_.n_) __builtin_prefetch(&table.rows[first]);
        }
        for (size_t i = 0; i < queued; ++i) {
          SortedKeys::Range range;
          if (segment_ == nullptr) {
            range = table.keys.Find(batch[i]);
          } else if (!FindChecked(t, batch[i], &range)) {
            return false;
          }
          if (range.empty()) ++stats_.lookups_empty;
          for (uint32_t row = range.begin; row < range.end; ++row) {
            Hit(table.rows[row], t, r, found);
          }
        }
        stats_.lookups += queued;
        queued = 0;
        return true;
      };
      const bool whole = ForEachAddressAtRadius(
          centre, table.substring.bits, r, [&](Address key) {
            batch[queued++] = key;
            return queued < kLookupBatch || lookup_batch();
          });
      if (!whole || !lookup_batch()) return;
    }
    Flush(t, r, found);
  }

  // Probes every table at radius r; false if r exceeds every substring.
  // Stops after the first table at which enough() holds; radius_reached
  // then stays below r.
  template <typename Found, typename Enough>
  bool ProbeRadius(uint32_t r, Found&& found, Enough&& enough) {
    bool probed = false;
    for (size_t t = 0; t < index_.tables_.size(); ++t) {
      if (r > index_.tables_[t].substring.bits) continue;
      ProbeShell(t, r, found);
      probed = true;
      if (enough() && t + 1 < index_.tables_.size()) return true;
    }
    if (probed) stats_.radius_reached = r;
    return probed;
  }
  // Whether a damaged block of a View's segment ended the search, and the
  // Corruption, into *status (if any).
  bool failed() const { return !status_.ok(); }
  void Report(Status* status) const {
    if (failed() && status != nullptr) *status = status_;
  }
  // Whether every row, live or dead, has been found: more probes find none.
  bool exhausted() const { return exhausted_ || index_.n_ == 0; }
  MultiIndexStats& stats() { return stats_; }

 private:
  const uint8_t* Code(uint32_t row) const {
    return index_.codes_ + size_t{row} * code_bytes_;
  }

  static MappedSegment::Section TableSection(SegmentSection kind, size_t t) {
    return MappedSegment::SectionOf(kind, static_cast<uint32_t>(t));
  }
  // Whether rows [first, end) of `section` (row_bytes each) may be read:
  // always for an index that owns its tables; for a View, once their
  // blocks verify. A failure is kept in status_ and ends the search.
  bool Checked(MappedSegment::Section section, size_t first, size_t end,
               size_t row_bytes) {
    if (segment_ == nullptr) return true;
    if (failed()) return false;
    if (segment_->VerifiedRows(section, first, end, row_bytes)) return true;
    status_ = segment_->CheckRows(section, first, end, row_bytes);
    return status_.ok();
  }
  // A View's table t keys.Find(key), checked, then a Check of the rows it
  // names.
  bool FindChecked(size_t t, uint32_t key, SortedKeys::Range* range) {
    const Table& table = index_.tables_[t];
    const auto check = [&](SortedKeys::Part part, size_t first, size_t end) {
      return Checked(TableSection(part == SortedKeys::Part::kDirectory
                                      ? SegmentSection::kTableDirectory
                                      : SegmentSection::kTableKeys,
                                  t),
                     first, end, 4);
    };
    return table.keys.Find(key, check, range) &&
           Checked(TableSection(SegmentSection::kTableRows, t), range->begin,
                   range->end, 4);
  }

  // Queues a row that shell (t, r) found and prefetches its code. The code
  // reads are the search's cache misses; a batch of them in flight at once
  // costs little more than one, where reading each code just before using
  // it would pay every miss in full.
  template <typename Found>
  void Hit(uint32_t row, size_t t, uint32_t r, Found& found) {
    // A row has one key a table: a table that found n rows found them all.
    if (++hits_[t] == index_.n_) exhausted_ = true;
    const uint8_t* code = Code(row);
    for (size_t offset = 0; offset < code_bytes_; offset += 64) {
      __builtin_prefetch(code + offset);
    }
    pending_[pending_size_++] = row;
    if (pending_size_ == pending_.size()) Flush(t, r, found);
  }

  template <typename Found>
  void Flush(size_t t, uint32_t r, Found& found) {
    for (size_t i = 0; i < pending_size_; ++i) Visit(pending_[i], t, r, found);
    pending_size_ = 0;
  }

  template <typename Found>
  void Visit(uint32_t row, size_t t, uint32_t r, Found& found) {
    if (segment_ != nullptr &&
        (!Checked(MappedSegment::kCodes, row, row + 1, code_bytes_) ||
         !Checked(MappedSegment::kIds, row, row + 1, sizeof(uint64_t)))) {
      return;
    }
    if (IsDead(row)) return;
    const uint8_t* code = Code(row);
    uint32_t distance;
    kernels_.distances(query_, code, 1, code_bytes_, &distance);
    if (distance < found.Bound()) {
      if (!FoundFirstBy(code, t, r)) return;
      found.Take(row, distance);
    }
    ++stats_.candidates;
  }

  bool FoundFirstBy(const uint8_t* code, size_t t, uint32_t r) const {
    for (size_t u = 0; u < index_.tables_.size(); ++u) {
      if (u == t) continue;
      const uint32_t d = BitsUpTo(readers_[u].Read(code) ^ keys_[u], r);
      if (d < r || (d == r && u < t)) return false;
    }
    return true;
  }

  bool IsDead(uint32_t row) const {
    return dead_ != nullptr && row / 64 < dead_->size() &&
           ((*dead_)[row / 64] >> (row % 64) & 1) != 0;
  }

  const MultiIndex& index_;
  const MappedSegment* const segment_;  // Of a View, else null.
  const uint8_t* query_;
  const std::vector<uint64_t>* dead_;
  MultiIndexStats local_stats_;
  MultiIndexStats& stats_;
  const HammingKernels& kernels_;
  const size_t code_bytes_;
  bool exhausted_ = false;
  Status status_;
  std::array<uint32_t, 16> pending_;
  size_t pending_size_ = 0;
  std::array<SubstringReader, kMaxTables> readers_;
  // keys_[t]: the query's substring t.
  std::array<uint32_t, kMaxTables> keys_;
  // hits_[t]: rows, live or dead, that table t's probes found.
  std::array<uint64_t, kMaxTables> hits_{};
};

MultiIndex::MultiIndex(const uint8_t* codes, size_t n, uint32_t code_bits,
                       uint32_t m)
    : codes_(codes), n_(n), code_bits_(code_bits) {
  if (m == 0) return;
  const std::vector<Substring> substrings = SplitCode(code_bits, m);
  tables_.resize(m);
  // The tables are independent: each core builds every other one. At 10M
  // rows one table is about a second of reading keys and sorting them.
  const unsigned workers =
      std::min<unsigned>(m, std::max(1u, std::thread::hardware_concurrency()));
  auto build = [&](unsigned worker) {
    std::vector<uint32_t> key_of_row(n);
    for (size_t t = worker; t < m; t += workers) {
      tables_[t] = BuildTable(codes, n, code_bits, substrings[t], &key_of_row);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(build, w);
  build(0);
  for (std::thread& thread : threads) thread.join();
  PriceShells();
}

void MultiIndex::PriceShells() {
  const double n = static_cast<double>(n_);
  for (Table& table : tables_) {
    const uint32_t bits = table.substring.bits;
    const double rows_per_key = std::ldexp(n, -static_cast<int>(bits));
    table.shell_cost.resize(bits + 1);
    for (uint32_t r = 0; r <= bits; ++r) {
      const double keys = static_cast<double>(ShellSize(bits, r));
      table.shell_cost[r] =
          (keys > n ? n * kTableRowCost : keys * kLookupCost) +
          std::min(keys * rows_per_key, n) * kCandidateCost;
    }
  }
}

double MultiIndex::ScanCost(uint64_t rows, uint32_t code_bits) {
  // A scan streams the codes: its time follows their bytes.
  return static_cast<double>(rows) * code_bits / 256;
}

double MultiIndex::ProbeCost(uint32_t r, uint32_t t, uint32_t r_end,
                             uint32_t t_end) const {
  const uint32_t m = tables();
  double cost = 0;
  for (; r < r_end || (r == r_end && t <= t_end); ++r, t = 0) {
    const uint32_t last = r < r_end ? m - 1 : t_end;
    for (; t <= last && t < m; ++t) cost += ShellCost(t, r);
    if (r >= tables_[0].substring.bits) break;  // The longest substring.
  }
  return cost;
}

double MultiIndex::KnnCost(uint32_t kth) const {
  if (tables_.empty()) return INFINITY;
  const uint32_t m = tables();
  return ProbeCost(0, 0, kth / m, kth % m);
}

double MultiIndex::RadiusCost(uint32_t radius) const { return KnnCost(radius); }

MultiIndex::Table MultiIndex::BuildTable(const uint8_t* codes, size_t n,
                                         uint32_t code_bits,
                                         Substring substring,
                                         std::vector<uint32_t>* key_of_row) {
  const size_t code_bytes = code_bits / 8;
  const SubstringReader reader(code_bits, substring);
  for (size_t row = 0; row < n; ++row) {
    (*key_of_row)[row] = reader.Read(codes + row * code_bytes);
  }
  Table table;
  table.substring = substring;
  table.owned_rows = RowsByKey(*key_of_row, substring.bits);
  table.rows = table.owned_rows.data();
  std::vector<uint32_t> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = (*key_of_row)[table.rows[i]];
  table.keys = SortedKeys(std::move(keys), substring.bits);
  return table;
}

std::unique_ptr<MultiIndex> MultiIndex::View(const MappedSegment& segment) {
  std::unique_ptr<MultiIndex> index(
      new MultiIndex(segment.codes(), segment.rows(), segment.code_bits()));
  index->segment_ = &segment;
  for (uint32_t t = 0; t < segment.table_count(); ++t) {
    const format::SegmentTable& substring = segment.header().tables[t];
    Table& table = index->tables_.emplace_back();
    table.substring = {substring.start, substring.bits};
    table.keys = SortedKeys::View(segment.table_keys(t), substring.bits,
                                  segment.table_directory(t));
    table.rows = segment.table_rows(t).data();
  }
  index->PriceShells();
  return index;
}

MultiIndex::TableArrays MultiIndex::table_arrays(size_t t) const {
  const Table& table = tables_[t];
  return {table.substring,
          table.keys.keys(),
          {table.rows, n_},
          table.keys.directory()};
}

bool MultiIndex::SearchKnn(const uint8_t* query, const uint64_t* ids,
                           const std::vector<uint64_t>* dead, double max_cost,
                           TopK* top, MultiIndexStats* stats,
                           Status* status) const {
  Query q(*this, query, dead, stats);
  TopSink push(ids, top);
  const uint32_t m = tables();
  if (n_ == 0) return true;
  if (m == 0) return false;
  // Radius 0 in every table is the least any search does.
  if (ProbeCost(0, 0, 0, m - 1) > max_cost) return false;
  double spent = 0;
  for (uint32_t r = 0;; ++r) {
    bool probed = false;
    for (uint32_t t = 0; t < m; ++t) {
      // Tables before t were probed at radius r and the others at r - 1, so
      // an unseen row's substrings differ in at least t * (r + 1) +
      // (m - t) * r bits.
      if (q.exhausted() || !top->Admits(m * r + t)) return true;
      if (r > tables_[t].substring.bits) continue;
      // Radius 0 in every table comes first, whatever it costs: it finds
      // the rows nearest the query in most of them, and so a bound worth
      // deciding on.
      if (r > 0 && !WorthProbing(r, t, *top, spent, max_cost)) return false;
      q.ProbeShell(t, r, push);
      spent += ShellCost(t, r);
      if (q.failed()) {
        q.Report(status);
        return true;
      }
      q.stats().radius_reached = r;
      probed = true;
    }
    if (!probed) return q.exhausted();
  }
}

bool MultiIndex::WorthProbing(uint32_t r, uint32_t t, const TopK& top,
                              double spent, double max_cost) const {
  // Half a scan's worth is always spent before giving up: the k-th
  // distance found early bounds the answer loosely (a row of a far cluster
  // found by chance), and the probes that follow tighten it.
  if (spent + ShellCost(t, r) <= max_cost / 2) return true;
  // No bound yet: nothing says the work will end.
  if (!top.full()) return false;
  // The k-th distance only falls, so the shells it asks for now bound the
  // keys still to look up; the work done is spent either way.
  const uint32_t kth = top.Bound() - 1;
  const uint32_t m = tables();
  return ProbeCost(r, t, kth / m, kth % m) <= max_cost;
}

void MultiIndex::SearchProbe(const uint8_t* query, uint32_t max_radius,
                             size_t min_candidates, const uint64_t* ids,
                             const std::vector<uint64_t>* dead, TopK* top,
                             MultiIndexStats* stats, Status* status) const {
  Query q(*this, query, dead, stats);
  TopSink push(ids, top, /*dedup_all=*/true);
  // Enough candidates end the search at once, in the middle of a radius:
  // the tables probed so far at that radius are as good as any others.
  const auto enough = [&] {
    return q.failed() || q.stats().candidates >= min_candidates;
  };
  for (uint32_t r = 0; r <= max_radius && !q.exhausted(); ++r) {
    if (!q.ProbeRadius(r, push, enough)) break;
    if (enough()) break;
  }
  q.Report(status);
}

void MultiIndex::SearchRadius(const uint8_t* query, uint32_t radius,
                              const uint64_t* ids,
                              const std::vector<uint64_t>* dead,
                              std::vector<Neighbor>* out,
                              MultiIndexStats* stats, Status* status) const {
  Query q(*this, query, dead, stats);
  if (tables_.empty()) return;
  RadiusSink keep(ids, radius, out);
  const uint32_t m = tables();
  const uint32_t last_r = radius / m, last_t = radius % m;
  for (uint32_t r = 0; r <= last_r && !q.exhausted(); ++r) {
    bool probed = false;
    for (uint32_t t = 0; t < m && (r < last_r || t <= last_t); ++t) {
      if (r > tables_[t].substring.bits) continue;
      q.ProbeShell(t, r, keep);
      if (q.failed()) {
        q.Report(status);
        return;
      }
      q.stats().radius_reached = r;
      probed = true;
    }
    if (!probed) break;
  }
}

size_t MultiIndex::memory_bytes() const {
  size_t bytes = 0;
  for (const Table& table : tables_) {
    bytes += table.keys.memory_bytes() +
             table.owned_rows.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace semhash

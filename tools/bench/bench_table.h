// The table `semhash bench` prints: one row per method and setting, with
// recall@10 against the exact answer and, for each FAISS index, the ratio of
// each semhash row's queries/s to that index's.
//
// Thread safety: plain values and pure functions.
#ifndef SEMHASH_TOOLS_BENCH_BENCH_TABLE_H_
#define SEMHASH_TOOLS_BENCH_BENCH_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace semhash::bench {

struct BenchRow {
  std::string method;  // The call or index: "semhash Search".
  std::string setting;
  // A FAISS row: the semhash rows are compared with the rows of each
  // baseline method.
  bool baseline = false;
  size_t queries = 0;  // Queries timed (a row stops at its time budget).
  double seconds = 0;  // Their total time, one thread.
  // The CPU time of the thread that ran them: on a loaded machine it leaves
  // out the time other processes had the core.
  double cpu_seconds = 0;
  // Only the CPU time is known (the MIH reference reports nothing else;
  // seconds is that too): ratios against this row compare CPU time.
  bool cpu_time_only = false;
  double recall = 0;  // Mean recall@10 over those queries.
  // Per query, and per stored image; negative where not known.
  double candidates = -1;
  double memory_bytes = -1;
  double disk_bytes = -1;
  double build_seconds = -1;

  double queries_per_second() const { return queries / seconds; }
  double cpu_queries_per_second() const { return queries / cpu_seconds; }
};

// Prints `rows` as one Markdown table. After the measured columns comes one
// column per baseline method, in order of first appearance: for a semhash
// row, its queries/s over that of the method's fastest row whose recall is
// the same or lower (queries per CPU second when that row has only CPU
// time), followed by that row's setting and recall ("-" if it has none at
// such a recall).
void PrintTable(const std::vector<BenchRow>& rows);

}  // namespace semhash::bench

#endif  // SEMHASH_TOOLS_BENCH_BENCH_TABLE_H_

// The pieces of `semhash bench` (tools/bench/bench_command.cc) shared by its
// files: its flags, the data every row runs on, the timing and memory
// measurements, and the two sides of the comparison (semhash_rows.cc,
// faiss_rows.cc). The table is tools/bench/bench_table.h.
//
// Thread safety: one thread; ResidentBytes reads the whole process.
#ifndef SEMHASH_TOOLS_BENCH_BENCH_H_
#define SEMHASH_TOOLS_BENCH_BENCH_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "semhash/codes.h"
#include "semhash/status.h"
#include "tools/bench/bench_table.h"

namespace semhash::bench {

inline constexpr size_t kK = 10;
// An address is a code's first 30 bits unless --addresses are given, and
// IndexBinaryHash hashes 30 bits.
inline constexpr uint32_t kAddressBits = 30;

struct BenchFlags {
  size_t n = 1'000'000;
  size_t num_queries = 1000;
  size_t clusters = 10'000;
  uint32_t flip_log2 = 3;
  uint64_t seed = 1;
  std::string codes, queries, addresses, query_addresses;
  double budget = 30;
  std::string tmp = "/tmp";
  // IndexBinaryMultiHash settings: (tables, bits per table).
  std::vector<std::pair<int, int>> multi_hash;
  // semhash's multi-index setups: table counts, 0 = MIH's advice for n.
  std::vector<uint32_t> tables;
  // The MIH paper's reference program (norouzi/mih's `mih`), or "".
  std::string mih_reference;
};

struct BenchData {
  size_t code_bytes = 32;
  size_t n = 0, q = 0;
  std::vector<uint8_t> codes, queries;
  std::vector<Address> addresses, query_addresses;
  std::vector<uint32_t> kth_exact;  // Per query: the exact k-th distance.

  CodeView query(size_t i) const {
    return CodeView(&queries[i * code_bytes], code_bytes);
  }
};

// Fills *data with seeded synthetic codes, or with the exported ones that
// flags.codes names, and computes the exact answer; prints what it did.
// InvalidArgument naming the file and the problem on bad exported codes.
Status LoadData(const BenchFlags& flags, BenchData* data);

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start);

// The resident set of this process in bytes. Freed heap memory is returned
// to the OS first, so what an earlier index freed is not credited to the
// next.
double ResidentBytes();

// /proc/loadavg's three averages, to say how loaded the machine was.
std::string LoadAverage();

// Runs queries [0, total) through run(begin, end), `batch` at a time, until
// all ran, `run` returned false or `budget` seconds passed (at least one
// batch runs). Returns how many ran; *seconds is the time they took, and
// *cpu_seconds this thread's CPU time meanwhile.
size_t TimeQueries(size_t total, size_t batch, double budget,
                   const std::function<bool(size_t, size_t)>& run,
                   double* seconds, double* cpu_seconds);

// Builds data's codes into databases under flags.tmp (removed afterwards),
// reopens each and appends a row per search it times (semhash_rows.cc).
Status MeasureSemhash(const BenchFlags& flags, const BenchData& data,
                      std::vector<BenchRow>* rows);

// Appends the rows of IndexBinaryFlat, IndexBinaryHash and each
// IndexBinaryMultiHash setting, built over data's codes (faiss_rows.cc,
// compiled only in builds with FAISS: SEMHASH_BENCH_FAISS).
void MeasureFaiss(const BenchFlags& flags, const BenchData& data,
                  std::vector<BenchRow>* rows);

// Runs flags.mih_reference on data's codes and queries with the first of
// flags.tables (auto: MIH's advice) and appends its row, a baseline:
// mih_reference_rows.cc, compiled only in builds with HDF5
// (SEMHASH_BENCH_HDF5), the format the program reads and writes. Its
// seconds are the CPU time it reports for its queries, one thread.
// IOError naming the command or file when it fails.
Status MeasureMihReference(const BenchFlags& flags, const BenchData& data,
                           std::vector<BenchRow>* rows);

}  // namespace semhash::bench

#endif  // SEMHASH_TOOLS_BENCH_BENCH_H_

// `semhash bench`: semhash's search of an on-disk database against FAISS's
// binary indexes, on the same codes in the same run, one thread each. Prints
// one table (tools/bench/bench_table.h).
//
//   semhash bench [--n 1000000] [--num-queries 1000] [--clusters 10000]
//                 [--flip-log2 3] [--seed 1] [--budget 30] [--tmp /tmp]
//                 [--multi-hash 12x21,8x32,16x16] [--tables auto,13]
//                 [--mih-reference PATH/TO/mih]
//   semhash bench --codes CODES.npy --queries QUERIES.npy
//                 [--addresses A.npy --query-addresses QA.npy]
//
// Data: seeded clustered 256-bit codes (tools/synthetic_codes.h) whose
// queries are fresh noisy copies of the same centres, or codes written by
// `semhash export`. An address is a code's first 30 bits unless addresses
// are given. The exact answer is a brute-force scan in memory.
//
// semhash: the codes are bulk-loaded into a database in a temporary
// directory, which is closed and reopened before any query (semhash_rows.cc
// lists the searches timed). FAISS, in builds that have it: IndexBinaryFlat,
// IndexBinaryHash over the first 30 bits, and IndexBinaryMultiHash
// (faiss_rows.cc). With --mih-reference, in builds with HDF5: the MIH
// paper's reference program on the same codes and queries, with the first
// --tables count (mih_reference_rows.cc). Each row runs the queries in order
// until all ran or its time budget passed. Memory is the growth of the
// process's resident set while a FAISS index is built, or while the database is
// reopened and searched (block cache, table readers, filters).
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tools/bench/bench.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/number_flags.h"

namespace semhash::bench {
namespace {

namespace po = cli::po;

constexpr char kCommand[] = "bench";

// Parses "12x21,8x32" into (12, 21), (8, 32); false on a malformed list or
// a setting over 256 bits (the widest code the synthetic data has; FAISS
// checks exported codes itself).
bool ParseMultiHash(const std::string& text,
                    std::vector<std::pair<int, int>>* settings) {
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    int tables = 0, bits = 0;
    char x = 0, extra = 0;
    if (std::sscanf(item.c_str(), "%d%c%d%c", &tables, &x, &bits, &extra) !=
            3 ||
        x != 'x' || tables <= 0 || bits <= 0 || tables * bits > 256) {
      return false;
    }
    settings->emplace_back(tables, bits);
  }
  return true;
}

// "auto,12" -> {0, 12}; "none" -> {}. False if malformed.
bool ParseTables(const std::string& text, std::vector<uint32_t>* tables) {
  tables->clear();
  if (text == "none") return true;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item == "auto") {
      tables->push_back(0);
    } else if (!item.empty() && item.size() <= 4 &&
               item.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(item) > 0) {
      tables->push_back(static_cast<uint32_t>(std::stoul(item)));
    } else {
      return false;
    }
  }
  return !tables->empty();
}

// The first problem of flags that parsed, or "" if there is none.
std::string ProblemOf(const BenchFlags& flags) {
  if (flags.codes.empty() != flags.queries.empty()) {
    return "--codes and --queries go together";
  }
  if (flags.addresses.empty() != flags.query_addresses.empty()) {
    return "--addresses and --query-addresses go together";
  }
  return "";
}

bool ParseFlags(int argc, char** argv, BenchFlags* flags, int* exit_code) {
  std::string multi_hash = "12x21,8x32,16x16", tables = "auto";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("n", cli::WholeNumber(&flags->n, kK), "synthetic codes to store (default 1000000)")
      ("num-queries", cli::WholeNumber(&flags->num_queries, size_t{1}), "queries: synthetic ones made, or the first rows of --queries (default 1000)")
      ("clusters", cli::WholeNumber(&flags->clusters, size_t{1}), "synthetic codes are noisy copies of this many centres (default 10000)")
      ("flip-log2", cli::WholeNumber(&flags->flip_log2, 1u, 64u), "each bit of a copy flips with probability 2^-K (default 3)")
      ("seed", cli::WholeNumber(&flags->seed, uint64_t{0}), "random seed (default 1)")
      ("codes", po::value(&flags->codes), "instead of synthetic codes: 2-D uint8 .npy, as `semhash export` writes")
      ("queries", po::value(&flags->queries), "with --codes: the query codes, same format")
      ("addresses", po::value(&flags->addresses), "with --codes: 1-D uint32 .npy of addresses (default each code's first 30 bits)")
      ("query-addresses", po::value(&flags->query_addresses), "with --queries: their addresses, same format")
      ("budget", cli::RealNumber(&flags->budget, {0, cli::kNoLimit, true}), "seconds of queries per row at most; at least one batch runs (default 30)")
      ("tmp", po::value(&flags->tmp), "directory for the temporary database (default /tmp)")
      ("multi-hash", po::value(&multi_hash), "IndexBinaryMultiHash settings, TABLESxBITS,... (default 12x21,8x32,16x16)")
      ("tables", po::value(&tables), "semhash multi-index setups, table counts or 'auto' (MIH's advice), comma-separated; 'none' for no setup (default auto)")
      ("mih-reference", po::value(&flags->mih_reference), "the MIH paper's reference program (norouzi/mih's mih, built from its sources), run on the same codes with the first --tables count (needs a build with HDF5)");
  // clang-format on
  po::variables_map vm;
  if (!cli::ParseOptions(kCommand, "[options]", options, argc, argv, &vm,
                         exit_code)) {
    return false;
  }
  std::string problem = ProblemOf(*flags);
  if (problem.empty() && !ParseMultiHash(multi_hash, &flags->multi_hash)) {
    problem = "--multi-hash wants TABLESxBITS,... with tables * bits <= 256";
  }
  if (problem.empty() && !ParseTables(tables, &flags->tables)) {
    problem = "--tables wants 'auto', 'none' or table counts, comma-separated";
  }
#if !SEMHASH_BENCH_HDF5
  if (problem.empty() && !flags->mih_reference.empty()) {
    problem =
        "--mih-reference needs a build with HDF5 (libhdf5-dev and "
        "SEMHASH_BUILD_BENCHMARKS=ON when CMake runs)";
  }
#endif
  if (problem.empty()) return true;
  *exit_code = cli::UsageError(kCommand, problem);
  return false;
}

int Run(int argc, char** argv) {
  BenchFlags flags;
  int exit_code = cli::kExitOk;
  if (!ParseFlags(argc, argv, &flags, &exit_code)) return exit_code;
  std::printf("load average at start: %s\n", LoadAverage().c_str());
  BenchData data;
  Status s = LoadData(flags, &data);
  std::vector<BenchRow> rows;
  if (s.ok()) s = MeasureSemhash(flags, data, &rows);
#if SEMHASH_BENCH_HDF5
  if (s.ok() && !flags.mih_reference.empty()) {
    s = MeasureMihReference(flags, data, &rows);
  }
#endif
  if (!s.ok()) return cli::Fail(kCommand, s);
#if SEMHASH_BENCH_FAISS
  MeasureFaiss(flags, data, &rows);
#else
  std::printf(
      "FAISS: not built in (it needs libfaiss-dev and "
      "SEMHASH_BUILD_BENCHMARKS=ON when CMake runs), no FAISS rows\n");
#endif
  std::printf("load average at end: %s\n\n", LoadAverage().c_str());
  PrintTable(rows);
  return cli::kExitOk;
}

}  // namespace
}  // namespace semhash::bench

namespace semhash::cli {

int RunBench(int argc, char** argv) { return bench::Run(argc, argv); }

}  // namespace semhash::cli

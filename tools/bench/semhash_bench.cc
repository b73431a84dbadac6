// semhash_bench: semhash's search of an on-disk database against FAISS's
// binary indexes, on the same codes in the same run, one thread each. Prints
// one table (tools/bench/bench_table.h).
//
//   semhash_bench [--n 1000000] [--num-queries 1000] [--clusters 10000]
//                 [--flip-log2 3] [--seed 1] [--budget 30] [--tmp /tmp]
//   semhash_bench --codes CODES.npy --queries QUERIES.npy
//                 [--addresses A.npy --query-addresses QA.npy]
//
// Data: seeded clustered 256-bit codes (tools/synthetic_codes.h) whose
// queries are fresh noisy copies of the same centres, or codes written by
// `semhash export`. An address is a code's first 30 bits unless addresses
// are given. The exact answer is a brute-force scan in memory.
//
// semhash: the codes are bulk-loaded into a database in a temporary
// directory, which is closed and reopened before any query. FAISS:
// IndexBinaryFlat, IndexBinaryHash over the first 30 bits, and
// IndexBinaryMultiHash. Each row runs the queries in order until all ran or
// its time budget passed. Memory is the growth of the process's resident set
// while a FAISS index is built, or while the database is reopened and
// searched (block cache, table readers, filters).
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/hamming_kernels.h"
#include "engine/hamming_top_k.h"
#include "semhash/db.h"
#include "tools/bench/bench_table.h"
#include "tools/cli.h"
#include "tools/io/npy_file.h"
#include "tools/synthetic_codes.h"

#if SEMHASH_BENCH_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <omp.h>
#endif

namespace semhash::bench {
namespace {

namespace po = cli::po;
using Clock = std::chrono::steady_clock;

constexpr char kCommand[] = "bench";
constexpr size_t kK = 10;
constexpr uint32_t kAddressBits = 30;

struct Flags {
  size_t n = 1'000'000;
  size_t num_queries = 1000;
  size_t clusters = 10'000;
  uint32_t flip_log2 = 3;
  uint64_t seed = 1;
  std::string codes, queries, addresses, query_addresses;
  double budget = 30;
  std::string tmp = "/tmp";
  // IndexBinaryMultiHash settings: (tables, bits per table).
  std::string multi_hash = "12x21,8x32,16x16";
  std::vector<std::pair<int, int>> multi_hash_settings;
};

struct BenchData {
  size_t code_bytes = 32;
  size_t n = 0, q = 0;
  std::vector<uint8_t> codes, queries;
  std::vector<Address> addresses, query_addresses;
  std::vector<uint32_t> kth_exact;  // Per query: the exact k-th distance.
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The resident set of this process. Freed heap memory is returned to the
// OS first, so what an earlier index freed is not credited to the next.
double ResidentBytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  double pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// Runs queries [0, total) through run(begin, end), `batch` at a time, until
// all ran, `run` returned false or `budget` seconds passed (at least one
// batch runs). Returns how many ran; *seconds is the time they took.
size_t TimeQueries(size_t total, size_t batch, double budget,
                   const std::function<bool(size_t, size_t)>& run,
                   double* seconds) {
  const Clock::time_point start = Clock::now();
  size_t done = 0;
  while (done < total) {
    const size_t end = std::min(total, done + batch);
    if (!run(done, end)) break;
    done = end;
    if (SecondsSince(start) > budget) break;
  }
  *seconds = SecondsSince(start);
  return done;
}

Status LoadCodes(const std::string& codes_path,
                 const std::string& addresses_path, size_t count,
                 cli::CodeRows* rows) {
  io::NpyHeader header;
  Status s = io::ReadNpyHeader(codes_path, &header);
  if (!s.ok()) return s;
  if (header.shape.size() != 2) {
    return Status::InvalidArgument(codes_path + ": not a 2-D array");
  }
  return cli::ReadCodeRows(codes_path, addresses_path,
                           static_cast<uint32_t>(header.shape[1] * 8),
                           kAddressBits, 0, count, rows);
}

Status LoadExported(const Flags& flags, BenchData* data) {
  cli::CodeRows codes, queries;
  Status s = LoadCodes(flags.codes, flags.addresses, 0, &codes);
  if (s.ok()) {
    s = LoadCodes(flags.queries, flags.query_addresses, flags.num_queries,
                  &queries);
  }
  if (!s.ok()) return s;
  if (codes.code_bytes != queries.code_bytes) {
    return Status::InvalidArgument(flags.queries + ": codes of " +
                                   std::to_string(queries.code_bytes) +
                                   " bytes, but " + flags.codes + " has " +
                                   std::to_string(codes.code_bytes));
  }
  data->code_bytes = codes.code_bytes;
  data->n = codes.rows;
  data->q = queries.rows;
  data->codes = std::move(codes.codes);
  data->addresses = std::move(codes.addresses);
  data->queries = std::move(queries.codes);
  data->query_addresses = std::move(queries.addresses);
  std::printf("data: %zu codes of %zu bits from %s, %zu queries from %s\n",
              data->n, data->code_bytes * 8, flags.codes.c_str(), data->q,
              flags.queries.c_str());
  return Status::OK();
}

std::vector<Address> AddressesOf(const std::vector<uint8_t>& codes,
                                 size_t code_bytes) {
  std::vector<Address> addresses(codes.size() / code_bytes);
  for (size_t i = 0; i < addresses.size(); ++i) {
    addresses[i] = AddressFromCode(CodeView(&codes[i * code_bytes], code_bytes),
                                   kAddressBits);
  }
  return addresses;
}

void MakeSynthetic(const Flags& flags, BenchData* data) {
  cli::SyntheticCodes generator(data->code_bytes * 8, flags.clusters,
                                flags.flip_log2, flags.seed);
  data->n = flags.n;
  data->q = flags.num_queries;
  data->codes = generator.Make(data->n);
  data->queries = generator.Make(data->q);
  data->addresses = AddressesOf(data->codes, data->code_bytes);
  data->query_addresses = AddressesOf(data->queries, data->code_bytes);
  std::printf(
      "data: %zu synthetic 256-bit codes, noisy copies of %zu centres (each "
      "bit flipped with probability 2^-%u, seed %llu); %zu queries, fresh "
      "copies of the same centres\n",
      data->n, flags.clusters, flags.flip_log2,
      static_cast<unsigned long long>(flags.seed), data->q);
}

// The exact k-th distance of every query, by a batched scan in memory.
void ComputeExact(BenchData* data) {
  const Clock::time_point start = Clock::now();
  const std::vector<std::vector<Neighbor>> exact =
      HammingSearchBatch(BestHammingKernels(), data->queries.data(), data->q,
                         data->codes.data(), data->n, data->code_bytes, kK);
  for (const std::vector<Neighbor>& neighbors : exact) {
    data->kth_exact.push_back(neighbors.back().distance);
  }
  std::printf("exact answer: in-memory %s scan, %zu queries batched, %.2f s\n",
              IsaName(BestHammingKernels().isa), data->q, SecondsSince(start));
}

// Creates a database at `path` holding data's codes (id = row), by one bulk
// load, and closes it. *seconds covers creation, the load and the close.
Status BuildDatabase(const std::string& path, const BenchData& data,
                     double* seconds) {
  const Clock::time_point start = Clock::now();
  Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.address_bits = kAddressBits;
  options.code_bits = static_cast<uint32_t>(data.code_bytes * 8);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, path, &db);
  std::unique_ptr<BulkLoader> loader;
  if (s.ok()) s = db->NewBulkLoader(BulkLoadOptions(), &loader);
  std::vector<uint64_t> ids(data.n);
  std::iota(ids.begin(), ids.end(), uint64_t{0});
  if (s.ok()) {
    s = loader->Add(data.n, ids.data(), data.addresses.data(),
                    data.codes.data());
  }
  if (s.ok()) s = loader->Finish();
  loader.reset();
  db.reset();
  *seconds = SecondsSince(start);
  return s;
}

CodeView QueryCode(const BenchData& data, size_t i) {
  return CodeView(&data.queries[i * data.code_bytes], data.code_bytes);
}

// One semhash row: search(i, result) answers query i.
Status TimeSemhash(const BenchData& data, double budget,
                   const std::function<Status(size_t, SearchResult*)>& search,
                   BenchRow* row) {
  Status s;
  double recall = 0, candidates = 0;
  SearchResult result;
  std::vector<uint32_t> distances;
  row->queries = TimeQueries(
      data.q, 1, budget,
      [&](size_t i, size_t) {
        s = search(i, &result);
        distances.clear();
        for (const Neighbor& n : result.neighbors) {
          distances.push_back(n.distance);
        }
        recall += RecallAtK(data.kth_exact[i], distances, kK);
        candidates += static_cast<double>(result.stats.candidates_reranked);
        return s.ok();
      },
      &row->seconds);
  row->recall = recall / row->queries;
  row->candidates = candidates / row->queries;
  return s;
}

// The Search settings measured: the default, whole balls of radius 2..4,
// and radius 4 with an early stop.
std::vector<std::pair<std::string, SearchOptions>> SearchSettings() {
  constexpr size_t kWholeBall = std::numeric_limits<size_t>::max();
  return {
      {"default (max_radius 3, min_candidates 100)", SearchOptions()},
      {"max_radius 2, whole ball", {kWholeBall, 2}},
      {"max_radius 3, whole ball", {kWholeBall, 3}},
      {"max_radius 4, whole ball", {kWholeBall, 4}},
      {"max_radius 4, min_candidates 1000", {1000, 4}},
  };
}

// Queries the database at `path`, reopened, with every Search setting and
// SearchExact; appends a row for each.
Status QuerySemhash(const std::string& path, const BenchData& data,
                    double budget, double build_seconds,
                    std::vector<BenchRow>* rows) {
  const double resident_before = ResidentBytes();
  const Clock::time_point start = Clock::now();
  std::unique_ptr<DB> db;
  Status s = DB::Open(Options(), path, &db);
  if (!s.ok()) return s;
  const double open_seconds = SecondsSince(start);
  const auto search_with = [&](const SearchOptions& options) {
    return [&, options](size_t i, SearchResult* r) {
      return db->Search(options, data.query_addresses[i], QueryCode(data, i),
                        kK, r);
    };
  };
  SearchResult first;
  s = search_with(SearchOptions())(0, &first);
  std::printf(
      "semhash: reopen %.3f s, first query answered %.3f s after "
      "the open began\n",
      open_seconds, SecondsSince(start));
  SpaceUsage space;
  if (s.ok()) s = db->GetSpaceUsage(&space);
  // An untimed pass of the default setting over the queries warms the block
  // cache, so that the first row does not pay for it.
  BenchRow warm_up;
  if (s.ok())
    s = TimeSemhash(data, budget, search_with(SearchOptions()), &warm_up);
  const size_t first_row = rows->size();
  for (const auto& [setting, options] : SearchSettings()) {
    if (!s.ok()) return s;
    BenchRow row{"semhash Search", setting, RowKind::kSemhashProbe};
    s = TimeSemhash(data, budget, search_with(options), &row);
    rows->push_back(row);
  }
  if (!s.ok()) return s;
  BenchRow exact{"semhash SearchExact", "", RowKind::kSemhashExact};
  s = TimeSemhash(
      data, budget,
      [&](size_t i, SearchResult* r) {
        return db->SearchExact(QueryCode(data, i), kK, r);
      },
      &exact);
  rows->push_back(exact);
  const double memory = (ResidentBytes() - resident_before) / data.n;
  for (size_t i = first_row; i < rows->size(); ++i) {
    BenchRow& row = (*rows)[i];
    row.memory_bytes = memory;
    row.disk_bytes = static_cast<double>(space.total_bytes) / data.n;
    row.build_seconds = build_seconds;
  }
  return s;
}

Status MeasureSemhash(const Flags& flags, const BenchData& data,
                      std::vector<BenchRow>* rows) {
  std::string path = flags.tmp + "/semhash_bench.XXXXXX";
  if (mkdtemp(path.data()) == nullptr) {
    return Status::IOError("mkdtemp " + path + ": " + std::strerror(errno));
  }
  path += "/db";
  double build_seconds = 0;
  Status s = BuildDatabase(path, data, &build_seconds);
  std::printf("semhash: bulk load of %zu codes %.2f s\n", data.n,
              build_seconds);
  if (s.ok()) s = QuerySemhash(path, data, flags.budget, build_seconds, rows);
  std::error_code ignored;  // A leftover temporary directory is harmless.
  std::filesystem::remove_all(std::filesystem::path(path).parent_path(),
                              ignored);
  return s;
}

#if SEMHASH_BENCH_FAISS
constexpr size_t kFaissBatch = 10;

// Builds an Index(args...) over data's codes; sets row's build time and
// memory per image.
template <typename Index, typename... Args>
std::unique_ptr<Index> BuildFaiss(const BenchData& data, BenchRow* row,
                                  Args... args) {
  const double resident_before = ResidentBytes();
  const Clock::time_point start = Clock::now();
  auto index = std::make_unique<Index>(args...);
  index->add(static_cast<faiss::IndexBinary::idx_t>(data.n), data.codes.data());
  row->build_seconds = SecondsSince(start);
  row->memory_bytes = (ResidentBytes() - resident_before) / data.n;
  return index;
}

// One FAISS row over `index` as configured now. Candidates are the
// distances FAISS's hash indexes count, or every code for a flat scan.
BenchRow TimeFaiss(const faiss::IndexBinary& index, const BenchData& data,
                   double budget, BenchRow row) {
  std::vector<int32_t> distances(kFaissBatch * kK);
  std::vector<faiss::IndexBinary::idx_t> labels(kFaissBatch * kK);
  std::vector<uint32_t> found(kK);
  double recall = 0;
  faiss::indexBinaryHash_stats.reset();
  row.queries = TimeQueries(
      data.q, kFaissBatch, budget,
      [&](size_t begin, size_t end) {
        index.search(static_cast<faiss::IndexBinary::idx_t>(end - begin),
                     &data.queries[begin * data.code_bytes], kK,
                     distances.data(), labels.data());
        for (size_t i = begin; i < end; ++i) {
          for (size_t j = 0; j < kK; ++j) {
            const size_t at = (i - begin) * kK + j;
            found[j] = labels[at] < 0 ? std::numeric_limits<uint32_t>::max()
                                      : distances[at];
          }
          recall += RecallAtK(data.kth_exact[i], found, kK);
        }
        return true;
      },
      &row.seconds);
  row.recall = recall / row.queries;
  row.candidates =
      row.kind == RowKind::kFaissFlat
          ? static_cast<double>(data.n)
          : static_cast<double>(faiss::indexBinaryHash_stats.ndis) /
                row.queries;
  return row;
}

void MeasureFaiss(const BenchData& data, const Flags& flags,
                  std::vector<BenchRow>* rows) {
  const double budget = flags.budget;
  omp_set_num_threads(1);
  const int d = static_cast<int>(data.code_bytes * 8);
  BenchRow flat_row{"FAISS IndexBinaryFlat", "", RowKind::kFaissFlat};
  auto flat = BuildFaiss<faiss::IndexBinaryFlat>(data, &flat_row, d);
  rows->push_back(TimeFaiss(*flat, data, budget, flat_row));
  flat.reset();

  BenchRow hash_row{"FAISS IndexBinaryHash", "", RowKind::kFaissOther};
  auto hash =
      BuildFaiss<faiss::IndexBinaryHash>(data, &hash_row, d, int{kAddressBits});
  for (int nflip = 0; nflip <= 3; ++nflip) {
    hash->nflip = nflip;
    hash_row.setting = "b 30, nflip " + std::to_string(nflip);
    rows->push_back(TimeFaiss(*hash, data, budget, hash_row));
  }
  hash.reset();

  for (const auto& [tables, bits] : flags.multi_hash_settings) {
    BenchRow multi_row{"FAISS IndexBinaryMultiHash", "",
                       RowKind::kFaissMultiHash};
    auto multi = BuildFaiss<faiss::IndexBinaryMultiHash>(data, &multi_row, d,
                                                         tables, bits);
    for (int nflip = 0; nflip <= 2; ++nflip) {
      multi->nflip = nflip;
      multi_row.setting = std::to_string(tables) + " tables x " +
                          std::to_string(bits) + " bits, nflip " +
                          std::to_string(nflip);
      rows->push_back(TimeFaiss(*multi, data, budget, multi_row));
    }
  }
}
#endif  // SEMHASH_BENCH_FAISS

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

bool ParseFlags(int argc, char** argv, Flags* flags, int* exit_code) {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("help,h", "show this help")
      ("n", po::value(&flags->n), "synthetic codes to store (default 1000000)")
      ("num-queries", po::value(&flags->num_queries), "queries: synthetic ones made, or the first rows of --queries (default 1000)")
      ("clusters", po::value(&flags->clusters), "synthetic codes are noisy copies of this many centres (default 10000)")
      ("flip-log2", po::value(&flags->flip_log2), "each bit of a copy flips with probability 2^-K (default 3)")
      ("seed", po::value(&flags->seed), "random seed (default 1)")
      ("codes", po::value(&flags->codes), "instead of synthetic codes: 2-D uint8 .npy, as `semhash export` writes")
      ("queries", po::value(&flags->queries), "with --codes: the query codes, same format")
      ("addresses", po::value(&flags->addresses), "with --codes: 1-D uint32 .npy of addresses (default: each code's first 30 bits)")
      ("query-addresses", po::value(&flags->query_addresses), "with --queries: their addresses, same format")
      ("budget", po::value(&flags->budget), "seconds of queries per row at most (default 30; at least one batch runs)")
      ("tmp", po::value(&flags->tmp), "directory for the temporary database (default /tmp)")
      ("multi-hash", po::value(&flags->multi_hash), "IndexBinaryMultiHash settings, TABLESxBITS,... (default 12x21,8x32,16x16)");
  // clang-format on
  po::variables_map vm;
  if (!cli::ParseOptions(kCommand, "[options]", options, argc, argv, &vm,
                         exit_code)) {
    return false;
  }
  std::string problem;
  if (!ParseMultiHash(flags->multi_hash, &flags->multi_hash_settings)) {
    problem = "--multi-hash wants TABLESxBITS,... with tables * bits <= 256";
  } else if (flags->codes.empty() != flags->queries.empty()) {
    problem = "--codes and --queries go together";
  } else if (flags->addresses.empty() != flags->query_addresses.empty()) {
    problem = "--addresses and --query-addresses go together";
  } else if (flags->codes.empty() && (flags->n < kK || flags->clusters == 0)) {
    problem = "--n must be at least 10 and --clusters positive";
  } else if (flags->num_queries == 0) {
    problem = "--num-queries must be positive";
  }
  if (problem.empty()) return true;
  *exit_code = cli::UsageError(kCommand, problem);
  return false;
}

int Run(int argc, char** argv) {
  Flags flags;
  int exit_code = cli::kExitOk;
  if (!ParseFlags(argc, argv, &flags, &exit_code)) return exit_code;
  std::printf("load average at start: %s\n", LoadAverage().c_str());
  BenchData data;
  if (flags.codes.empty()) {
    MakeSynthetic(flags, &data);
  } else {
    const Status s = LoadExported(flags, &data);
    if (!s.ok()) return cli::Fail(kCommand, s);
  }
  ComputeExact(&data);
  std::vector<BenchRow> rows;
  const Status s = MeasureSemhash(flags, data, &rows);
  if (!s.ok()) return cli::Fail(kCommand, s);
#if SEMHASH_BENCH_FAISS
  MeasureFaiss(data, flags, &rows);
#else
  std::printf("FAISS: not found at build time, no FAISS rows\n");
#endif
  std::printf("load average at end: %s\n\n", LoadAverage().c_str());
  PrintTable(rows);
  return cli::kExitOk;
}

}  // namespace
}  // namespace semhash::bench

int main(int argc, char** argv) {
  try {
    return semhash::bench::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench: error: " << e.what() << "\n";
    return semhash::cli::kExitFailure;
  }
}

// semhash's side of `semhash bench`: the databases it builds from the codes,
// and the searches it times on each after closing and reopening it, one row
// per search (see tools/bench/bench.h).
//
// To time a new search path, add one SemhashSearch to Setups(). A search
// that needs other options at creation (persisted ones cannot change later)
// gets its own SemhashSetup: the bench builds, measures and removes each
// setup's database in turn.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "semhash/db.h"
#include "tools/bench/bench.h"
#include "tools/retrieval_metrics.h"

namespace semhash::bench {
namespace {

// A contiguous run of the queries, as DB's batch calls take them: query i
// is addresses[i] and code(i).
struct QueryBatch {
  size_t n = 0;
  const Address* addresses = nullptr;
  const uint8_t* codes = nullptr;
  size_t code_bytes = 0;

  CodeView code(size_t i) const {
    return CodeView(codes + i * code_bytes, code_bytes);
  }
};

// Answers every query of `queries` on `db` with its kK nearest codes:
// (*results)[i] for query i, with its SearchStats.
using BatchSearch = std::function<Status(DB* db, const QueryBatch& queries,
                                         std::vector<SearchResult>* results)>;

// One row of the table.
struct SemhashSearch {
  std::string method;
  std::string setting;
  BatchSearch run;
  // Queries per call of `run`. 1 times a one-query call query by query; a
  // batch call is timed on batches of this many (FAISS gets 10 a call).
  size_t batch = 1;
};

// A database built from the codes, and the searches timed on it.
struct SemhashSetup {
  std::string name;  // For the log lines.
  // Used to create the database (with create_if_missing, error_if_exists
  // and the widths of the data added) and to reopen it.
  Options options;
  // The first one also answers the first query after the reopen and warms
  // the cache.
  std::vector<SemhashSearch> searches;
};

// A BatchSearch that calls `search` for each query in turn.
BatchSearch EachQuery(
    std::function<Status(DB*, Address, CodeView, SearchResult*)> search) {
  return [search](DB* db, const QueryBatch& queries,
                  std::vector<SearchResult>* results) {
    results->resize(queries.n);
    for (size_t i = 0; i < queries.n; ++i) {
      const Status s =
          search(db, queries.addresses[i], queries.code(i), &(*results)[i]);
      if (!s.ok()) return s;
    }
    return Status::OK();
  };
}

Options WithMemoryIndex(Options::MemoryIndex mode, uint32_t tables = 0) {
  Options options;
  options.memory_index = mode;
  options.mih_tables = tables;
  return options;
}

std::vector<SemhashSetup> Setups(const BenchData& data,
                                 const std::vector<uint32_t>& table_counts) {
  constexpr size_t kWholeBall = std::numeric_limits<size_t>::max();
  const auto search = [](SearchOptions options) {
    return EachQuery([options](DB* db, Address address, CodeView code,
                               SearchResult* result) {
      return db->Search(options, address, code, kK, result);
    });
  };
  // The address probe as the caller's knobs describe it.
  const auto probe = [&](size_t min_candidates, uint32_t max_radius) {
    SearchOptions options;
    options.min_candidates = min_candidates;
    options.max_radius = max_radius;
    return search(options);
  };
  const auto tables_search = [&](uint32_t radius, size_t min_candidates) {
    SearchOptions options;
    options.max_table_radius = radius;
    options.min_candidates = min_candidates;
    return search(options);
  };
  const BatchSearch exact =
      EachQuery([](DB* db, Address, CodeView code, SearchResult* result) {
        return db->SearchExact(code, kK, result);
      });
  const BatchSearch exact_batch = [](DB* db, const QueryBatch& queries,
                                     std::vector<SearchResult>* results) {
    return db->SearchExactBatch(queries.n, queries.codes, kK, 1, results);
  };
  std::vector<SemhashSetup> setups = {
      {"address table on disk (memory_index off)",
       WithMemoryIndex(Options::MemoryIndex::kOff),
       {
           {"semhash Search, disk", "default (target 0.95)",
            search(SearchOptions())},
           {"semhash Search, disk", "max_radius 3, min_candidates 100",
            probe(100, 3)},
           {"semhash Search, disk", "max_radius 3, whole ball",
            probe(kWholeBall, 3)},
           {"semhash SearchExact, disk", "", exact},
       }},
      {"address table in memory",
       WithMemoryIndex(Options::MemoryIndex::kLoadAtOpen),
       {
           {"semhash Search", "default (target 0.95)", search(SearchOptions())},
           {"semhash Search", "max_radius 3, min_candidates 100",
            probe(100, 3)},
           {"semhash Search", "max_radius 2, whole ball", probe(kWholeBall, 2)},
           {"semhash Search", "max_radius 3, whole ball", probe(kWholeBall, 3)},
           {"semhash Search", "max_radius 4, whole ball", probe(kWholeBall, 4)},
           {"semhash SearchExact", "scan", exact},
           {"semhash SearchExactBatch", "10 queries a call, 1 thread",
            exact_batch, 10},
       }},
  };
  const uint32_t code_bits = static_cast<uint32_t>(data.code_bytes * 8);
  for (uint32_t count : table_counts) {
    const uint32_t tables =
        count != 0 ? count : AdviseMultiIndexTables(code_bits, data.n);
    const std::string mih = std::to_string(tables) + " tables";
    SemhashSetup setup{
        "multi-index hashing, " + mih,
        WithMemoryIndex(Options::MemoryIndex::kLoadAtOpen, tables),
        {}};
    setup.searches.push_back({"semhash Search", mih + ", default (target 0.95)",
                              search(SearchOptions())});
    // The probe stops as soon as it has min_candidates, even mid-radius.
    for (size_t min_candidates : {100, 500, 1000, 1500, 2500}) {
      setup.searches.push_back(
          {"semhash Search, MIH",
           mih + ", radius 3, min_candidates " + std::to_string(min_candidates),
           tables_search(3, min_candidates)});
    }
    setup.searches.push_back({"semhash Search, MIH",
                              mih + ", radius 2, whole ball",
                              tables_search(2, kWholeBall)});
    setup.searches.push_back({"semhash Search, MIH",
                              mih + ", radius 3, whole ball",
                              tables_search(3, kWholeBall)});
    setup.searches.push_back(
        {"semhash SearchExact, MIH", mih + " (scan when cheaper)", exact});
    setups.push_back(std::move(setup));
  }
  return setups;
}

QueryBatch BatchOf(const BenchData& data, size_t begin, size_t end) {
  return {end - begin, &data.query_addresses[begin],
          &data.queries[begin * data.code_bytes], data.code_bytes};
}

// Creates a database at `path` with `options` holding data's codes (id =
// row), by one bulk load, and closes it. *seconds covers creation, the load
// and the close.
Status BuildDatabase(const std::string& path, Options options,
                     const BenchData& data, double* seconds) {
  const Clock::time_point start = Clock::now();
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.memory_index = Options::MemoryIndex::kOff;  // Not searched here.
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

// Times `search` over the queries into *row: all but the per-image columns.
Status TimeSearch(DB* db, const BenchData& data, double budget,
                  const SemhashSearch& search, BenchRow* row) {
  row->method = search.method;
  row->setting = search.setting;
  Status s;
  double recall = 0, candidates = 0;
  std::vector<SearchResult> results;
  std::vector<uint32_t> distances;
  row->queries = TimeQueries(
      data.q, search.batch, budget,
      [&](size_t begin, size_t end) {
        s = search.run(db, BatchOf(data, begin, end), &results);
        if (!s.ok()) return false;
        for (size_t i = begin; i < end; ++i) {
          const SearchResult& result = results[i - begin];
          distances.clear();
          for (const Neighbor& n : result.neighbors) {
            distances.push_back(n.distance);
          }
          recall += cli::RecallAtK(data.kth_exact[i], distances, kK);
          candidates += static_cast<double>(result.stats.candidates_reranked);
        }
        return true;
      },
      &row->seconds, &row->cpu_seconds);
  row->recall = recall / row->queries;
  row->candidates = candidates / row->queries;
  return s;
}

// Opens the database of `setup` at `path` with the in-memory index loading
// in the background, answers the first query (from RocksDB, or from the
// index if it is in already) and closes it again, printing how long it took.
Status TimeBackgroundOpen(const std::string& path, const SemhashSetup& setup,
                          const BenchData& data) {
  Options options = setup.options;
  options.memory_index = Options::MemoryIndex::kLoadInBackground;
  const Clock::time_point start = Clock::now();
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, path, &db);
  if (!s.ok()) return s;
  std::vector<SearchResult> first;
  s = setup.searches.front().run(db.get(), BatchOf(data, 0, 1), &first);
  if (!s.ok()) return s;
  std::printf(
      "semhash, %s, loading in the background: first query answered %.3f s "
      "after the open began (path %s)\n",
      setup.name.c_str(), SecondsSince(start),
      SearchPathName(first[0].stats.path));
  return Status::OK();
}

// Reopens the database of `setup` at `path` and appends a row for each of
// its searches.
Status QuerySetup(const std::string& path, const SemhashSetup& setup,
                  const BenchData& data, double budget, double build_seconds,
                  std::vector<BenchRow>* rows) {
  Status s;
  if (setup.options.memory_index == Options::MemoryIndex::kLoadAtOpen) {
    s = TimeBackgroundOpen(path, setup, data);
    if (!s.ok()) return s;
  }
  const double resident_before = ResidentBytes();
  const Clock::time_point start = Clock::now();
  std::unique_ptr<DB> db;
  s = DB::Open(setup.options, path, &db);
  if (!s.ok()) return s;
  const double open_seconds = SecondsSince(start);
  const SemhashSearch& first = setup.searches.front();
  std::vector<SearchResult> first_result;
  s = first.run(db.get(), BatchOf(data, 0, 1), &first_result);
  const double first_seconds = SecondsSince(start);
  SpaceUsage space;
  if (s.ok()) s = db->GetSpaceUsage(&space);
  std::printf(
      "semhash, %s: reopen %.3f s, first query answered %.3f s after the "
      "open began; in-memory index %.1f bytes per image\n",
      setup.name.c_str(), open_seconds, first_seconds,
      static_cast<double>(space.memory_index_bytes) / data.n);
  // An untimed pass of the first search warms the block cache, so that the
  // first row does not pay for it.
  BenchRow warm_up;
  if (s.ok()) s = TimeSearch(db.get(), data, budget, first, &warm_up);
  const size_t first_row = rows->size();
  for (const SemhashSearch& search : setup.searches) {
    if (!s.ok()) return s;
    rows->emplace_back();
    s = TimeSearch(db.get(), data, budget, search, &rows->back());
  }
  if (!s.ok()) return s;
  const double memory = (ResidentBytes() - resident_before) / data.n;
  for (size_t i = first_row; i < rows->size(); ++i) {
    BenchRow& row = (*rows)[i];
    row.memory_bytes = memory;
    row.disk_bytes = static_cast<double>(space.total_bytes) / data.n;
    row.build_seconds = build_seconds;
  }
  return s;
}

}  // namespace

Status MeasureSemhash(const BenchFlags& flags, const BenchData& data,
                      std::vector<BenchRow>* rows) {
  std::string dir = flags.tmp + "/semhash-bench.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return Status::IOError("cannot make a temporary directory in " + flags.tmp +
                           ": " + std::strerror(errno));
  }
  Status s;
  for (const SemhashSetup& setup : Setups(data, flags.tables)) {
    const std::string path = dir + "/db";
    double build_seconds = 0;
    s = BuildDatabase(path, setup.options, data, &build_seconds);
    std::printf("semhash, %s: bulk load of %zu codes %.2f s\n",
                setup.name.c_str(), data.n, build_seconds);
    if (s.ok())
      s = QuerySetup(path, setup, data, flags.budget, build_seconds, rows);
    // Frees the disk for the next setup; the directory goes at the end.
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
    if (!s.ok()) break;
  }
  std::error_code ignored;  // A leftover temporary directory is harmless.
  std::filesystem::remove_all(dir, ignored);
  return s;
}

}  // namespace semhash::bench

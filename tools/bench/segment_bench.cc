// semhash_segment_bench: searches over a mapped segment file against the
// same rows as an in-memory base, in one process run (issue 20).
//
//   semhash_segment_bench [--n N] [--tables M] [--queries Q] [--reps R]
//                         [--dir DIR] [--seed S]
//
// Makes N clustered 256-bit codes (noisy copies of N / 100 centres, 5% of
// the bits flipped) with 30-bit addresses (each code's first bits), writes
// them as two segments in DIR (without tables, and with M multi-index
// tables, by default AdviseMultiIndexTables's count), maps them and
// prints: write and open times, bytes per image, what verifying every block
// costs (at open) against the lazy checks (the first exact scan over a fresh
// mapping against the next), and queries per second, mapped against in
// memory, for the exact scan (Q / 10 queries), the address probe, and the
// multi-index k-NN and probe (queries: centres with 2% of the bits
// flipped). Each rep runs the queries on the mapped index, then on the
// in-memory one; the best rep of each counts. One thread. The files are
// removed at the end.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/db/mapped_segment.h"
#include "engine/db/memory_index.h"
#include "engine/db/multi_index.h"
#include "engine/db/segment_writer.h"
#include "tools/cli.h"
#include "tools/number_flags.h"

namespace semhash {
namespace {

constexpr uint32_t kCodeBits = 256;
constexpr size_t kCodeBytes = kCodeBits / 8;
constexpr uint32_t kAddressBits = 30;
constexpr size_t kK = 10;

struct Flags {
  size_t n = 1'000'000;
  uint32_t tables = 0;  // 0: AdviseMultiIndexTables's choice for n.
  size_t queries = 200;
  int reps = 3;
  std::string dir = std::filesystem::temp_directory_path().string();
  uint64_t seed = 1;
};

// False with the exit code in *exit_code on --help or a usage error.
bool ParseFlags(int argc, char** argv, Flags* flags, int* exit_code) {
  constexpr char kCommand[] = "segment_bench";
  cli::po::options_description options("options");
  // clang-format off
  options.add_options()
      ("n", cli::WholeNumber(&flags->n, size_t{100}), "rows (default 1000000)")
      ("tables", cli::WholeNumber(&flags->tables, 0u), "multi-index tables, 0 for MIH's rule (default 0)")
      ("queries", cli::WholeNumber(&flags->queries, size_t{1}), "queries (default 200)")
      ("reps", cli::WholeNumber(&flags->reps, 1), "repetitions, the best one reported (default 3)")
      ("dir", cli::po::value(&flags->dir), "directory of the segment file (default the temporary directory)")
      ("seed", cli::WholeNumber(&flags->seed, uint64_t{0}), "random seed (default 1)");
  // clang-format on
  cli::po::variables_map vm;
  if (!cli::ParseOptions(kCommand, "[options]", options, argc, argv, &vm,
                         exit_code)) {
    return false;
  }
  if (flags->tables == 0) {
    flags->tables = AdviseMultiIndexTables(kCodeBits, flags->n);
  }
  const Status tables = CheckMultiIndexTables(kCodeBits, flags->tables);
  if (!tables.ok()) {
    *exit_code = cli::UsageError(kCommand, tables.ToString());
    return false;
  }
  return true;
}

double Seconds(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

void Flip(std::vector<uint8_t>* code, double p, std::mt19937_64* rng) {
  std::bernoulli_distribution flip(p);
  for (auto& byte : *code) {
    for (int bit = 0; bit < 8; ++bit) {
      if (flip(*rng)) byte ^= static_cast<uint8_t>(1 << bit);
    }
  }
}

// Clustered rows sorted by address, ids 0..n-1 in generation order.
MemoryRows MakeRows(size_t n, std::mt19937_64* rng,
                    std::vector<std::vector<uint8_t>>* centres) {
  for (size_t c = 0; c < n / 100; ++c) {
    std::vector<uint8_t> code(kCodeBytes);
    for (auto& b : code) b = static_cast<uint8_t>((*rng)());
    centres->push_back(code);
  }
  std::vector<std::pair<Address, uint64_t>> order;
  std::vector<uint8_t> codes(n * kCodeBytes);
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> code = (*centres)[(*rng)() % centres->size()];
    Flip(&code, 0.05, rng);
    std::copy(code.begin(), code.end(), codes.begin() + i * kCodeBytes);
    order.push_back({AddressFromCode(code, kAddressBits), i});
  }
  std::sort(order.begin(), order.end());
  MemoryRows rows;
  rows.codes.resize(n * kCodeBytes);
  for (size_t r = 0; r < n; ++r) {
    rows.ids.push_back(order[r].second);
    rows.addresses.push_back(order[r].first);
    std::copy_n(codes.begin() + order[r].second * kCodeBytes, kCodeBytes,
                rows.codes.begin() + r * kCodeBytes);
  }
  return rows;
}

bool Ok(const Status& s, const char* what) {
  if (s.ok()) return true;
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return false;
}

using Search = std::function<bool(size_t)>;

// Seconds of one round of `search` over queries [0, n); infinite if a
// search failed.
double Round(size_t n, const Search& search) {
  bool ok = true;
  const double seconds = Seconds([&] {
    for (size_t q = 0; q < n; ++q) ok &= search(q);
  });
  return ok ? seconds : 1e300;
}

// The best of `reps` rounds of each search over the queries, as queries/s:
// the rounds alternate, so that a busy moment of the machine slows both.
std::pair<double, double> QueriesPerSecond(size_t n, int reps, const Search& a,
                                           const Search& b) {
  double best_a = 1e300, best_b = 1e300;
  for (int rep = 0; rep < reps; ++rep) {
    best_a = std::min(best_a, Round(n, a));
    best_b = std::min(best_b, Round(n, b));
  }
  return {n / best_a, n / best_b};
}

int Run(const Flags& flags) {
  std::mt19937_64 rng(flags.seed);
  std::vector<std::vector<uint8_t>> centres;
  std::printf("rows: %zu clustered 256-bit codes, 30-bit addresses\n", flags.n);
  MemoryRows rows = MakeRows(flags.n, &rng, &centres);
  const SegmentRows view{rows.ids.size(), rows.ids.data(),
                         rows.addresses.data(), rows.codes.data()};
  const std::string plain = flags.dir + "/segment_bench_plain.seg";
  const std::string tabled = flags.dir + "/segment_bench_tables.seg";
  std::unique_ptr<MultiIndex> tables;
  const double build = Seconds([&] {
    tables = std::make_unique<MultiIndex>(rows.codes.data(), flags.n, kCodeBits,
                                          flags.tables);
  });
  Status s;
  const double write_plain = Seconds(
      [&] { s = WriteSegment(plain, kAddressBits, kCodeBits, view, nullptr); });
  if (!Ok(s, "write")) return 1;
  const double write_tables = Seconds([&] {
    s = WriteSegment(tabled, kAddressBits, kCodeBits, view, tables.get());
  });
  if (!Ok(s, "write")) return 1;
  tables.reset();
  const double plain_bytes = double(std::filesystem::file_size(plain));
  const double tables_bytes = double(std::filesystem::file_size(tabled));
  std::printf(
      "write: %.2f s without tables, %.2f s with %u (tables built "
      "in %.2f s)\n",
      write_plain, write_tables, flags.tables, build);
  std::printf(
      "bytes per image: %.1f without tables, %.1f with %u (%.1f per "
      "table)\n",
      plain_bytes / flags.n, tables_bytes / flags.n, flags.tables,
      (tables_bytes - plain_bytes) / flags.n / flags.tables);

  // Verifying at open against lazily, on fresh mappings.
  std::shared_ptr<const MappedSegment> segment;
  const double open =
      Seconds([&] { s = MappedSegment::Open(tabled, &segment); });
  if (!Ok(s, "open")) return 1;
  const double blocks = Seconds([&] {
    for (size_t i = 0; s.ok() && i + 1 < segment->header().sections.size();
         ++i) {
      s = segment->Check(i, 0, segment->header().sections[i].length);
    }
  });
  if (!Ok(s, "check")) return 1;
  const double structure = Seconds([&] { s = segment->VerifyAll(); });
  if (!Ok(s, "verify")) return 1;
  std::printf(
      "open: %.3f ms (header and checksum section); every block "
      "hashed: %.1f ms; VerifyAll's structure checks then: %.1f ms\n",
      open * 1e3, blocks * 1e3, structure * 1e3);
  MemoryIndex mapped_plain(kAddressBits, kCodeBits, 0);
  std::shared_ptr<const MappedSegment> fresh;
  if (!Ok(MappedSegment::Open(plain, &fresh), "open")) return 1;
  if (!Ok(mapped_plain.Install(mapped_plain.BeginLoad(), fresh), "install")) {
    return 1;
  }
  std::vector<std::vector<uint8_t>> queries;
  for (size_t q = 0; q < flags.queries; ++q) {
    // Nearer the centres than the rows are: the tables can prove most
    // answers (about 17 bits away) within the k-NN's work budget.
    std::vector<uint8_t> query = centres[rng() % centres.size()];
    Flip(&query, 0.02, &rng);
    queries.push_back(query);
  }
  auto knn = [&](const MemoryIndex& index) {
    return [&](size_t q) {
      SearchResult result;
      Status status;
      return index.Knn(queries[q].data(), kK, &result, &status) && status.ok();
    };
  };
  auto probe = [&](const MemoryIndex& index, bool use_tables) {
    return [&, use_tables](size_t q) {
      SearchOptions options;
      options.use_tables = use_tables;
      SearchResult result;
      Status status;
      return index.Probe(options, AddressFromCode(queries[q], kAddressBits),
                         queries[q].data(), kK, &result, &status) &&
             status.ok();
    };
  };
  const double first_scan = Round(1, knn(mapped_plain));
  const double second_scan = Round(1, knn(mapped_plain));
  std::printf(
      "lazy checks: first exact scan of a fresh mapping %.1f ms "
      "(hashes the code and id blocks it reads), the next %.1f ms\n",
      first_scan * 1e3, second_scan * 1e3);

  MemoryIndex owned_plain(kAddressBits, kCodeBits, 0);
  MemoryIndex owned_tables(kAddressBits, kCodeBits, flags.tables);
  MemoryIndex mapped_tables(kAddressBits, kCodeBits, flags.tables);
  owned_plain.Install(owned_plain.BeginLoad(), rows);
  owned_tables.Install(owned_tables.BeginLoad(), std::move(rows));
  if (!Ok(mapped_tables.Install(mapped_tables.BeginLoad(), segment),
          "install")) {
    return 1;
  }
  struct Row {
    const char* name;
    std::function<bool(size_t)> mapped, owned;
    size_t queries;
  };
  const size_t scans = std::max<size_t>(1, flags.queries / 10);
  const Row table[] = {
      {"exact scan (Knn, no tables)", knn(mapped_plain), knn(owned_plain),
       scans},
      {"address probe (default options)", probe(mapped_plain, false),
       probe(owned_plain, false), flags.queries},
      {"multi-index k-NN (Knn)", knn(mapped_tables), knn(owned_tables),
       flags.queries},
      {"multi-index probe", probe(mapped_tables, true),
       probe(owned_tables, true), flags.queries},
  };
  std::printf("\n%-34s %12s %12s %8s\n", "search (k = 10)", "mapped q/s",
              "memory q/s", "ratio");
  for (const Row& row : table) {
    const auto [a, b] =
        QueriesPerSecond(row.queries, flags.reps, row.mapped, row.owned);
    std::printf("%-34s %12.1f %12.1f %8.3f\n", row.name, a, b, a / b);
  }
  // The mapping without tables was verified lazily, by the searches above;
  // the one with tables wholly, by VerifyAll. Each check of a wholly
  // verified section is one load.
  if (!Ok(fresh->VerifyAll(), "verify")) return 1;
  const auto [a, b] = QueriesPerSecond(flags.queries, flags.reps,
                                       table[1].mapped, table[1].owned);
  std::printf("%-34s %12.1f %12.1f %8.3f\n", "address probe, all verified", a,
              b, a / b);
  std::filesystem::remove(plain);
  std::filesystem::remove(tabled);
  return 0;
}

}  // namespace
}  // namespace semhash

int main(int argc, char** argv) {
  semhash::Flags flags;
  int exit_code = 0;
  if (!semhash::ParseFlags(argc, argv, &flags, &exit_code)) return exit_code;
  return semhash::Run(flags);
}

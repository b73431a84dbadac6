// semhash_hamming_bench: exact-scan speed of each Hamming kernel set on N
// seeded random 256-bit codes, against FAISS's IndexBinaryFlat on the same
// data in the same run (when built with FAISS). One thread throughout.
//
//   semhash_hamming_bench [--n N] [--queries M] [--reps R] [--seed S]
//
// Figures: (a) one query over all N codes, ns per code; (b) M queries in one
// pass, ns per (query, code) pair. "kernel" times the distances alone into a
// cache-resident buffer; "top-10" adds the k = 10 selection, which is what
// FAISS's search does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/db/hamming_kernels.h"
#include "engine/db/hamming_top_k.h"
#include "tools/cli.h"
#include "tools/number_flags.h"

#if SEMHASH_BENCH_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <omp.h>
#endif

namespace semhash {
namespace {

constexpr size_t kCodeBytes = 32;
constexpr size_t kK = 10;

struct Flags {
  size_t n = 10'000'000;
  size_t queries = 32;
  int reps = 3;
  uint64_t seed = 1;
};

// False with the exit code in *exit_code on --help or a usage error.
bool ParseFlags(int argc, char** argv, Flags* flags, int* exit_code) {
  cli::po::options_description options("options");
  // clang-format off
  options.add_options()
      ("n", cli::WholeNumber(&flags->n, size_t{1}), "codes (default 10000000)")
      ("queries", cli::WholeNumber(&flags->queries, size_t{1}), "queries (default 32)")
      ("reps", cli::WholeNumber(&flags->reps, 1), "repetitions, the best one reported (default 3)")
      ("seed", cli::WholeNumber(&flags->seed, uint64_t{0}), "random seed (default 1)");
  // clang-format on
  cli::po::variables_map vm;
  return cli::ParseOptions("hamming_bench", "[options]", options, argc, argv,
                           &vm, exit_code);
}

std::vector<uint8_t> RandomCodes(size_t count, std::mt19937_64* rng) {
  std::vector<uint8_t> codes(count * kCodeBytes);
  for (size_t i = 0; i < codes.size(); i += 8) {
    const uint64_t word = (*rng)();
    std::memcpy(&codes[i], &word, 8);
  }
  return codes;
}

// The best of `reps` runs, in seconds, after one warm-up run.
double BestSeconds(int reps, const std::function<void()>& run) {
  run();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

// Distances only, into a buffer that stays in cache: the kernel's own rate.
double KernelSeconds(const HammingKernels& kernels, const uint8_t* queries,
                     size_t m, const std::vector<uint8_t>& codes, size_t n,
                     int reps, uint64_t* checksum) {
  const size_t block = 4096 / std::min<size_t>(m, 8) / 16 * 16;
  std::vector<uint32_t> out(m * block);
  return BestSeconds(reps, [&] {
    for (size_t begin = 0; begin < n; begin += block) {
      const size_t count = std::min(block, n - begin);
      kernels.distances_batch(queries, m, codes.data() + begin * kCodeBytes,
                              count, kCodeBytes, out.data(), block);
      *checksum += out[0];
    }
  });
}

struct Row {
  std::string name;
  double code_ns_kernel = 0, code_ns_topk = 0;   // One query, per code.
  double pair_ns_kernel = 0, pair_ns_topk = 0;   // M queries, per pair.
  std::vector<std::vector<uint32_t>> distances;  // Top-10, per query.
};

std::vector<std::vector<uint32_t>> DistancesOf(
    const std::vector<std::vector<Neighbor>>& results) {
  std::vector<std::vector<uint32_t>> out;
  for (const auto& r : results) {
    out.emplace_back();
    for (const Neighbor& n : r) out.back().push_back(n.distance);
  }
  return out;
}

Row MeasureSemhash(const HammingKernels& kernels, const Flags& flags,
                   const std::vector<uint8_t>& queries,
                   const std::vector<uint8_t>& codes, uint64_t* checksum) {
  Row row;
  row.name = std::string("semhash ") + IsaName(kernels.isa);
  const double n = static_cast<double>(flags.n);
  const double pairs = n * static_cast<double>(flags.queries);
  row.code_ns_kernel = KernelSeconds(kernels, queries.data(), 1, codes, flags.n,
                                     flags.reps, checksum) *
                       1e9 / n;
  row.pair_ns_kernel = KernelSeconds(kernels, queries.data(), flags.queries,
                                     codes, flags.n, flags.reps, checksum) *
                       1e9 / pairs;
  std::vector<std::vector<Neighbor>> one, many;
  row.code_ns_topk = BestSeconds(flags.reps,
                                 [&] {
                                   one = HammingSearchBatch(
                                       kernels, queries.data(), 1, codes.data(),
                                       flags.n, kCodeBytes, kK);
                                 }) *
                     1e9 / n;
  row.pair_ns_topk = BestSeconds(flags.reps,
                                 [&] {
                                   many = HammingSearchBatch(
                                       kernels, queries.data(), flags.queries,
                                       codes.data(), flags.n, kCodeBytes, kK);
                                 }) *
                     1e9 / pairs;
  row.distances = DistancesOf(many);
  return row;
}

#if SEMHASH_BENCH_FAISS
Row MeasureFaiss(bool use_heap, const Flags& flags,
                 const std::vector<uint8_t>& queries,
                 const std::vector<uint8_t>& codes) {
  Row row;
  row.name = use_heap ? "FAISS flat (heap)" : "FAISS flat (counting)";
  faiss::IndexBinaryFlat index(kCodeBytes * 8);
  index.use_heap = use_heap;
  index.add(static_cast<faiss::IndexBinary::idx_t>(flags.n), codes.data());
  const size_t m = flags.queries;
  std::vector<int32_t> distances(m * kK);
  std::vector<faiss::IndexBinary::idx_t> labels(m * kK);
  const double n = static_cast<double>(flags.n);
  row.code_ns_topk =
      BestSeconds(flags.reps,
                  [&] {
                    index.search(1, queries.data(), kK, distances.data(),
                                 labels.data());
                  }) *
      1e9 / n;
  row.pair_ns_topk =
      BestSeconds(flags.reps,
                  [&] {
                    index.search(static_cast<faiss::IndexBinary::idx_t>(m),
                                 queries.data(), kK, distances.data(),
                                 labels.data());
                  }) *
      1e9 / (n * static_cast<double>(m));
  for (size_t q = 0; q < m; ++q) {
    row.distances.emplace_back(distances.begin() + q * kK,
                               distances.begin() + (q + 1) * kK);
  }
  return row;
}
#endif

void PrintCell(double value) {
  if (value > 0) {
    std::printf(" %10.3f", value);
  } else {
    std::printf(" %10s", "-");
  }
}

int Run(const Flags& flags) {
  std::mt19937_64 rng(flags.seed);
  const std::vector<uint8_t> codes = RandomCodes(flags.n, &rng);
  const std::vector<uint8_t> queries = RandomCodes(flags.queries, &rng);
  std::printf(
      "N = %zu random 256-bit codes (seed %llu), %zu queries, k = %zu,"
      " best of %d runs, one thread\n",
      flags.n, static_cast<unsigned long long>(flags.seed), flags.queries, kK,
      flags.reps);
  std::printf("best kernel set on this CPU: %s\n\n",
              IsaName(BestHammingKernels().isa));

  uint64_t checksum = 0;
  std::vector<Row> rows;
  for (Isa isa : kAllIsas) {
    const HammingKernels* kernels = HammingKernelsFor(isa);
    if (kernels == nullptr) {
      std::printf("%s: not supported by this CPU, skipped\n", IsaName(isa));
      continue;
    }
    rows.push_back(MeasureSemhash(*kernels, flags, queries, codes, &checksum));
  }
  // FAISS's faster selection (heap or counting) per column.
  double faiss_code_ns = 0, faiss_pair_ns = 0;
#if SEMHASH_BENCH_FAISS
  omp_set_num_threads(1);
  for (bool use_heap : {true, false}) {
    rows.push_back(MeasureFaiss(use_heap, flags, queries, codes));
    const Row& row = rows.back();
    if (faiss_code_ns == 0 || row.code_ns_topk < faiss_code_ns) {
      faiss_code_ns = row.code_ns_topk;
    }
    if (faiss_pair_ns == 0 || row.pair_ns_topk < faiss_pair_ns) {
      faiss_pair_ns = row.pair_ns_topk;
    }
  }
#else
  std::printf("FAISS: not found at build time, no FAISS column\n");
#endif

  std::printf("%-24s %10s %10s %10s %10s\n", "", "1q kernel", "1q top-10",
              "Mq kernel", "Mq top-10");
  std::printf("%-24s %10s %10s %10s %10s\n", "", "ns/code", "ns/code",
              "ns/pair", "ns/pair");
  for (const Row& row : rows) {
    std::printf("%-24s", row.name.c_str());
    PrintCell(row.code_ns_kernel);
    PrintCell(row.code_ns_topk);
    PrintCell(row.pair_ns_kernel);
    PrintCell(row.pair_ns_topk);
    std::printf("\n");
  }
  if (faiss_code_ns > 0) {
    std::printf(
        "\nsemhash top-10 time / FAISS's faster flat setting (and the "
        "speed-up):\n");
    for (const Row& row : rows) {
      if (row.name.rfind("semhash", 0) != 0) continue;
      std::printf("%-24s 1 query %6.3f (%5.1fx)   %zu queries %6.3f (%5.1fx)\n",
                  row.name.c_str(), row.code_ns_topk / faiss_code_ns,
                  faiss_code_ns / row.code_ns_topk, flags.queries,
                  row.pair_ns_topk / faiss_pair_ns,
                  faiss_pair_ns / row.pair_ns_topk);
    }
  }
  bool same = true;
  for (const Row& row : rows) same = same && row.distances == rows[0].distances;
  std::printf(
      "\ntop-10 distances identical across all rows: %s "
      "(checksum %llu)\n",
      same ? "yes" : "NO", static_cast<unsigned long long>(checksum));
  return same ? 0 : 1;
}

}  // namespace
}  // namespace semhash

int main(int argc, char** argv) {
  semhash::Flags flags;
  int exit_code = 0;
  if (!semhash::ParseFlags(argc, argv, &flags, &exit_code)) return exit_code;
  return semhash::Run(flags);
}

// The codes `semhash bench` runs on (seeded synthetic ones, or codes written
// by `semhash export`) and their exact answer (see tools/bench/bench.h).
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "engine/db/hamming_kernels.h"
#include "engine/db/hamming_top_k.h"
#include "tools/bench/bench.h"
#include "tools/cli.h"
#include "tools/io/npy_file.h"
#include "tools/synthetic_codes.h"

namespace semhash::bench {
namespace {

// Reads the first `count` rows (0: all) of CODES.npy, whatever its width,
// with their addresses.
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

Status LoadExported(const BenchFlags& flags, BenchData* data) {
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
  if (codes.rows < kK) {
    return Status::InvalidArgument(flags.codes + ": " +
                                   std::to_string(codes.rows) +
                                   " codes, fewer than k = 10");
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

void MakeSynthetic(const BenchFlags& flags, BenchData* data) {
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

}  // namespace

Status LoadData(const BenchFlags& flags, BenchData* data) {
  if (flags.codes.empty()) {
    MakeSynthetic(flags, data);
  } else {
    const Status s = LoadExported(flags, data);
    if (!s.ok()) return s;
  }
  ComputeExact(data);
  return Status::OK();
}

}  // namespace semhash::bench

// The reference implementation of multi-index hashing (Norouzi, Punjani &
// Fleet, TPAMI 2014; its `mih` program, built from norouzi/mih) run on the
// bench's codes and queries, as a baseline row (see bench.h). Compiled
// only in builds with HDF5 (SEMHASH_BENCH_HDF5): the program reads its
// codes from an HDF5 file (datasets "B" and "Q": one row of code bytes per
// code) and writes its results to another ("/refs/mih0.res": the 1-based
// rows of each query's k nearest; "/refs/mih0.stats": per query, results,
// candidates, candidates with duplicates, lookups, the k-th distance and
// the CPU seconds it took).
#include <hdf5.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/db/hamming_kernels.h"
#include "semhash/options.h"
#include "tools/bench/bench.h"
#include "tools/retrieval_metrics.h"

namespace semhash::bench {
namespace {

constexpr size_t kStatColumns = 6;
constexpr size_t kCandidatesColumn = 1;
constexpr size_t kSecondsColumn = 5;

// Writes `rows` codes of `code_bytes` each as the 2-D uint8 dataset `name`.
bool WriteCodes(hid_t file, const char* name, const uint8_t* codes, size_t rows,
                size_t code_bytes) {
  const hsize_t dims[2] = {rows, code_bytes};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t set = H5Dcreate2(file, name, H5T_NATIVE_UCHAR, space, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT);
  const bool ok = set >= 0 && H5Dwrite(set, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL,
                                       H5P_DEFAULT, codes) >= 0;
  if (set >= 0) H5Dclose(set);
  H5Sclose(space);
  return ok;
}

bool WriteInput(const std::string& path, const BenchData& data) {
  const hid_t file =
      H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return false;
  const bool ok =
      WriteCodes(file, "B", data.codes.data(), data.n, data.code_bytes) &&
      WriteCodes(file, "Q", data.queries.data(), data.q, data.code_bytes);
  H5Fclose(file);
  return ok;
}

// Reads the whole dataset `name` of `count` values of `type` into *out.
template <typename T>
bool ReadAll(hid_t file, const char* name, hid_t type, size_t count,
             std::vector<T>* out) {
  const hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) return false;
  const hid_t space = H5Dget_space(set);
  const bool ok =
      H5Sget_simple_extent_npoints(space) == static_cast<hssize_t>(count) &&
      (out->resize(count),
       H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data()) >= 0);
  H5Sclose(space);
  H5Dclose(set);
  return ok;
}

// Fills *row from the program's output file.
bool ReadOutput(const std::string& path, const BenchData& data, BenchRow* row) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return false;
  std::vector<uint32_t> results;
  std::vector<double> stats;
  const bool ok = ReadAll(file, "/refs/mih0.res", H5T_NATIVE_UINT32,
                          data.q * kK, &results) &&
                  ReadAll(file, "/refs/mih0.stats", H5T_NATIVE_DOUBLE,
                          data.q * kStatColumns, &stats);
  H5Fclose(file);
  if (!ok) return false;
  const HammingKernels& kernels = BestHammingKernels();
  double recall = 0, candidates = 0, seconds = 0;
  for (size_t i = 0; i < data.q; ++i) {
    std::vector<uint32_t> distances(kK);
    for (size_t j = 0; j < kK; ++j) {
      const uint32_t row = results[i * kK + j] - 1;  // 1-based.
      if (row >= data.n) return false;
      kernels.distances(&data.queries[i * data.code_bytes],
                        &data.codes[row * data.code_bytes], 1, data.code_bytes,
                        &distances[j]);
    }
    recall += cli::RecallAtK(data.kth_exact[i], distances, kK);
    candidates += stats[i * kStatColumns + kCandidatesColumn];
    seconds += stats[i * kStatColumns + kSecondsColumn];
  }
  row->queries = data.q;
  row->seconds = row->cpu_seconds = seconds;
  row->cpu_time_only = true;
  row->recall = recall / data.q;
  row->candidates = candidates / data.q;
  return true;
}

}  // namespace

Status MeasureMihReference(const BenchFlags& flags, const BenchData& data,
                           std::vector<BenchRow>* rows) {
  const uint32_t code_bits = static_cast<uint32_t>(data.code_bytes * 8);
  const uint32_t tables = !flags.tables.empty() && flags.tables[0] != 0
                              ? flags.tables[0]
                              : AdviseMultiIndexTables(code_bits, data.n);
  std::string dir = flags.tmp + "/semhash-mih-reference.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return Status::IOError("cannot make a temporary directory in " + flags.tmp +
                           ": " + std::strerror(errno));
  }
  const std::string input = dir + "/codes.h5", output = dir + "/results.h5";
  const std::string log = dir + "/mih.log";
  Status s;
  if (!WriteInput(input, data)) {
    s = Status::IOError("cannot write the MIH reference's input " + input);
  }
  const std::string command =
      "'" + flags.mih_reference + "' '" + input + "' '" + output + "' -N " +
      std::to_string(data.n) + " -B " + std::to_string(code_bits) + " -m " +
      std::to_string(tables) + " -Q " + std::to_string(data.q) + " -K " +
      std::to_string(kK) + " > '" + log + "' 2>&1";
  std::printf("MIH reference: %s\n", command.c_str());
  std::fflush(stdout);
  BenchRow row;
  row.method = "MIH reference (norouzi/mih)";
  row.setting = std::to_string(tables) + " tables, exact";
  row.baseline = true;
  if (s.ok() && std::system(command.c_str()) != 0) {
    s = Status::IOError("the MIH reference failed: " + command +
                        " (its output is in " + log + ")");
  } else if (s.ok() && !ReadOutput(output, data, &row)) {
    s = Status::IOError("cannot read the MIH reference's results " + output);
  }
  if (s.ok()) {
    std::filesystem::remove_all(dir);
    rows->push_back(row);
  }
  return s;
}

}  // namespace semhash::bench

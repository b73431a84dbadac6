// RecallAtK and PrintTable (see tools/bench/bench_table.h).
#include "tools/bench/bench_table.h"

#include <algorithm>
#include <cstdio>

namespace semhash::bench {
namespace {

// The row `row` is measured against, or null if the run has none.
const BenchRow* ReferenceOf(const BenchRow& row,
                            const std::vector<BenchRow>& rows) {
  const BenchRow* best = nullptr;
  for (const BenchRow& other : rows) {
    const bool fits =
        (row.kind == RowKind::kSemhashExact &&
         other.kind == RowKind::kFaissFlat) ||
        (row.kind == RowKind::kSemhashProbe &&
         other.kind == RowKind::kFaissMultiHash && other.recall <= row.recall);
    if (fits && (best == nullptr ||
                 other.queries_per_second() > best->queries_per_second())) {
      best = &other;
    }
  }
  return best;
}

// A per-image or per-query figure, or "-" when it is not known.
std::string Figure(double value, const char* format) {
  if (value < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

std::string Ratio(const BenchRow& row, const std::vector<BenchRow>& rows) {
  const BenchRow* reference = ReferenceOf(row, rows);
  if (reference == nullptr) {
    return row.kind == RowKind::kSemhashProbe ? "no FAISS row at <= recall"
                                              : "";
  }
  char text[160];
  std::snprintf(text, sizeof(text), "%.3gx %s %s",
                row.queries_per_second() / reference->queries_per_second(),
                reference->method.c_str(), reference->setting.c_str());
  return text;
}

}  // namespace

double RecallAtK(uint32_t kth_exact, std::span<const uint32_t> found,
                 size_t k) {
  const size_t n = std::min(k, found.size());
  const auto correct =
      std::count_if(found.begin(), found.begin() + n,
                    [&](uint32_t d) { return d <= kth_exact; });
  return static_cast<double>(correct) / static_cast<double>(k);
}

void PrintTable(const std::vector<BenchRow>& rows) {
  std::printf(
      "| method | setting | queries | queries/s | recall@10 | "
      "candidates/query | memory B/image | disk B/image | build s | "
      "semhash/FAISS queries/s |\n");
  std::printf("|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
  for (const BenchRow& row : rows) {
    std::printf("| %s | %s | %zu | %.1f | %.3f | %s | %s | %s | %s | %s |\n",
                row.method.c_str(), row.setting.c_str(), row.queries,
                row.queries_per_second(), row.recall,
                Figure(row.candidates, "%.0f").c_str(),
                Figure(row.memory_bytes, "%.1f").c_str(),
                Figure(row.disk_bytes, "%.1f").c_str(),
                Figure(row.build_seconds, "%.2f").c_str(),
                Ratio(row, rows).c_str());
  }
}

}  // namespace semhash::bench

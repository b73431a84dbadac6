// PrintTable (see tools/bench/bench_table.h).
#include "tools/bench/bench_table.h"

#include <algorithm>
#include <cstdio>

namespace semhash::bench {
namespace {

// The methods of the baseline rows, in order of first appearance.
std::vector<std::string> BaselineMethods(const std::vector<BenchRow>& rows) {
  std::vector<std::string> methods;
  for (const BenchRow& row : rows) {
    if (row.baseline && std::find(methods.begin(), methods.end(), row.method) ==
                            methods.end()) {
      methods.push_back(row.method);
    }
  }
  return methods;
}

// The row of `method` to compare `row` with: of those whose recall is at
// most row's, the one with the highest recall (the closest competitor; the
// fastest of those that tie), or null. The fastest row overall would mostly
// be a setting that finds almost nothing.
const BenchRow* ReferenceOf(const BenchRow& row, const std::string& method,
                            const std::vector<BenchRow>& rows) {
  const BenchRow* best = nullptr;
  for (const BenchRow& other : rows) {
    if (!other.baseline || other.method != method ||
        other.recall > row.recall) {
      continue;
    }
    if (best == nullptr || other.recall > best->recall ||
        (other.recall == best->recall &&
         other.queries_per_second() > best->queries_per_second())) {
      best = &other;
    }
  }
  return best;
}

// `value` by `format`, or "-" when it is negative (not known).
std::string Figure(double value, const char* format) {
  if (value < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

// The ratio cell of `row` for `method`, with the setting and recall of the
// reference row; empty on a baseline row.
std::string Ratio(const BenchRow& row, const std::string& method,
                  const std::vector<BenchRow>& rows) {
  if (row.baseline) return "";
  const BenchRow* reference = ReferenceOf(row, method, rows);
  if (reference == nullptr) return "-";
  const std::string setting =
      reference->setting.empty() ? "" : reference->setting + ", ";
  const double ratio =
      reference->cpu_time_only
          ? row.cpu_queries_per_second() / reference->cpu_queries_per_second()
          : row.queries_per_second() / reference->queries_per_second();
  return Figure(ratio, reference->cpu_time_only ? "%.3gx CPU" : "%.3gx") +
         " (" + setting + Figure(reference->recall, "recall %.3f") + ")";
}

}  // namespace

void PrintTable(const std::vector<BenchRow>& rows) {
  const std::vector<std::string> baselines = BaselineMethods(rows);
  std::string header =
      "| method | setting | queries | queries/s | queries/CPU s | recall@10 | "
      "candidates/query | memory B/image | disk B/image | build s |";
  std::string rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|";
  for (const std::string& method : baselines) {
    header += " semhash/" + method + " queries/s |";
    rule += "---|";
  }
  std::printf("%s\n%s\n", header.c_str(), rule.c_str());
  for (const BenchRow& row : rows) {
    std::printf("| %s | %s | %zu | %.1f | %.1f | %.3f | %s | %s | %s | %s |",
                row.method.c_str(), row.setting.c_str(), row.queries,
                row.queries_per_second(), row.cpu_queries_per_second(),
                row.recall, Figure(row.candidates, "%.0f").c_str(),
                Figure(row.memory_bytes, "%.1f").c_str(),
                Figure(row.disk_bytes, "%.1f").c_str(),
                Figure(row.build_seconds, "%.2f").c_str());
    for (const std::string& method : baselines) {
      std::printf(" %s |", Ratio(row, method, rows).c_str());
    }
    std::printf("\n");
  }
}

}  // namespace semhash::bench

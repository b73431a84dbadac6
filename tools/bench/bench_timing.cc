// How `semhash bench` measures: query time within a budget, resident memory
// and the machine's load (see tools/bench/bench.h).
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include "tools/bench/bench.h"

namespace semhash::bench {

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

namespace {

double ThreadCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9;
}

}  // namespace

size_t TimeQueries(size_t total, size_t batch, double budget,
                   const std::function<bool(size_t, size_t)>& run,
                   double* seconds, double* cpu_seconds) {
  const double cpu_start = ThreadCpuSeconds();
  const Clock::time_point start = Clock::now();
  size_t done = 0;
  while (done < total) {
    const size_t end = std::min(total, done + batch);
    if (!run(done, end)) break;
    done = end;
    if (SecondsSince(start) > budget) break;
  }
  *seconds = SecondsSince(start);
  *cpu_seconds = ThreadCpuSeconds() - cpu_start;
  return done;
}

}  // namespace semhash::bench

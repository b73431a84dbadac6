// InParallel: runs a piece of work over [0, n) split into contiguous shares,
// one thread per share (internal). Used where each item's result goes to
// its own place, so the shares need no locking: batch searches, and the deep
// encoders' forward passes.
#ifndef SEMHASH_ENGINE_COMMON_IN_PARALLEL_H_
#define SEMHASH_ENGINE_COMMON_IN_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

#include "semhash/status.h"

namespace semhash {

// Runs work(first, count) -> Status over [0, n) in `threads` shares (0: one
// per core, never more than n), the last on the calling thread; returns the
// first error.
template <typename Work>
Status InParallel(size_t n, unsigned threads, Work work) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<Status> statuses(threads);
  std::vector<std::thread> pool;
  const size_t share = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t first = std::min(n, t * share);
    const size_t count = std::min(share, n - first);
    const auto run = [&, t, first, count] { statuses[t] = work(first, count); };
    if (t + 1 < threads) {
      pool.emplace_back(run);
    } else {
      run();
    }
  }
  for (auto& thread : pool) thread.join();
  for (const Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_COMMON_IN_PARALLEL_H_

// ParallelFor of image_features_batch.h: a shared counter over std::thread.
#ifndef SEMHASH_TOOLS_IMAGES_PARALLEL_FOR_INL_H_
#define SEMHASH_TOOLS_IMAGES_PARALLEL_FOR_INL_H_

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace semhash::images {

template <typename Fn>
void ParallelFor(size_t n, unsigned threads, const Fn& fn) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, n));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_PARALLEL_FOR_INL_H_

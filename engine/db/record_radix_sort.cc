// RadixSortRecords (see record_radix_sort.h).
#include "engine/db/record_radix_sort.h"

#include <array>
#include <cstring>
#include <thread>
#include <utility>

namespace semhash {
namespace {

constexpr int kDigits = 8;
constexpr size_t kBuckets = 256;
constexpr int kThreads = 2;

using Histogram = std::array<size_t, kBuckets>;

inline uint8_t Digit(const uint8_t* record, int digit) {
  return record[digit];  // The key is little-endian: byte d is digit d.
}

// Runs body(thread) on kThreads threads, thread 0 being the caller.
template <typename Body>
void OnThreads(Body body) {
  std::thread helper(body, 1);
  body(0);
  helper.join();
}

}  // namespace

uint8_t* RadixSortRecords(uint8_t* records, uint8_t* scratch, size_t n,
                          size_t record_bytes) {
  const size_t bounds[kThreads + 1] = {0, n / 2, n};
  uint8_t* from = records;
  uint8_t* to = scratch;
  for (int digit = 0; digit < kDigits; ++digit) {
    Histogram counts[kThreads] = {};
    OnThreads([&](int t) {
      for (size_t i = bounds[t]; i < bounds[t + 1]; ++i) {
        ++counts[t][Digit(from + i * record_bytes, digit)];
      }
    });
    // Skip a digit every key shares: the order would not change.
    size_t distinct = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      distinct += (counts[0][b] + counts[1][b]) != 0;
    }
    if (distinct <= 1) continue;
    // Thread 0's records of each bucket go before thread 1's: stable.
    Histogram starts[kThreads];
    size_t offset = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      for (int t = 0; t < kThreads; ++t) {
        starts[t][b] = offset;
        offset += counts[t][b];
      }
    }
    OnThreads([&](int t) {
      Histogram& next = starts[t];
      for (size_t i = bounds[t]; i < bounds[t + 1]; ++i) {
        const uint8_t* record = from + i * record_bytes;
        std::memcpy(to + next[Digit(record, digit)]++ * record_bytes, record,
                    record_bytes);
      }
    });
    std::swap(from, to);
  }
  return from;
}

}  // namespace semhash

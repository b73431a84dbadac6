// Rows for the segment tests: random or clustered codes with their
// addresses, sorted by address then id as a segment holds them, and the
// same rows as the oracle's images.
#ifndef SEMHASH_TESTS_ENGINE_SEGMENT_ROWS_H_
#define SEMHASH_TESTS_ENGINE_SEGMENT_ROWS_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "engine/db/segment_writer.h"
#include "tests/engine/oracle.h"
#include "tests/engine/test_util.h"

namespace semhash::testing {

struct TestRows {
  uint32_t address_bits = 0;
  uint32_t code_bits = 0;
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;

  size_t size() const { return ids.size(); }
  size_t code_bytes() const { return code_bits / 8; }
  SegmentRows view() const {
    return {ids.size(), ids.data(), addresses.data(), codes.data()};
  }
  std::vector<StoredImage> images() const {
    std::vector<StoredImage> all;
    for (size_t r = 0; r < size(); ++r) {
      const uint8_t* code = codes.data() + r * code_bytes();
      all.push_back({ids[r], addresses[r],
                     std::vector<uint8_t>(code, code + code_bytes())});
    }
    return all;
  }
};

// n rows with distinct random ids; `centres` > 0 makes the codes noisy
// copies of that many centres (many ties and near neighbours), 0 uniform.
// The address is the code's first address_bits bits.
inline TestRows MakeTestRows(size_t n, uint32_t address_bits,
                             uint32_t code_bits, int centres, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t code_bytes = code_bits / 8;
  std::vector<std::vector<uint8_t>> centre_codes;
  for (int c = 0; c < centres; ++c) {
    centre_codes.push_back(RandomCode(&rng, code_bytes));
  }
  std::vector<std::vector<uint8_t>> codes;
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < n; ++i) {
    codes.push_back(centres == 0
                        ? RandomCode(&rng, code_bytes)
                        : NoisyCopy(centre_codes[rng() % centres], 0.04, &rng));
    ids.push_back(i * 7919 + rng() % 7919);  // Distinct, not in row order.
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto address = [&](size_t i) {
    return AddressFromCode(codes[i], address_bits);
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return address(a) != address(b) ? address(a) < address(b) : ids[a] < ids[b];
  });
  TestRows rows;
  rows.address_bits = address_bits;
  rows.code_bits = code_bits;
  for (size_t i : order) {
    rows.ids.push_back(ids[i]);
    rows.addresses.push_back(address(i));
    rows.codes.insert(rows.codes.end(), codes[i].begin(), codes[i].end());
  }
  return rows;
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_SEGMENT_ROWS_H_

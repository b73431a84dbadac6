// Brute-force answers for the search tests: the images a test stored, and
// what each search must return for them.
#ifndef SEMHASH_TESTS_ENGINE_ORACLE_H_
#define SEMHASH_TESTS_ENGINE_ORACLE_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <vector>

#include "semhash/codes.h"
#include "semhash/search.h"

namespace semhash::testing {

struct StoredImage {
  uint64_t id = 0;
  Address address = 0;
  std::vector<uint8_t> code;
};

inline void SortNeighbors(std::vector<Neighbor>* neighbors) {
  std::sort(neighbors->begin(), neighbors->end(),
            [](const Neighbor& a, const Neighbor& b) {
              return a.distance != b.distance ? a.distance < b.distance
                                              : a.id < b.id;
            });
}

// The k best of `images` whose address is within `radius` of `address`;
// *candidates gets how many there are.
inline std::vector<Neighbor> BallOracle(const std::vector<StoredImage>& images,
                                        Address address, uint32_t radius,
                                        CodeView query, size_t k,
                                        size_t* candidates) {
  std::vector<Neighbor> all;
  for (const StoredImage& image : images) {
    if (std::popcount(image.address ^ address) > int(radius)) continue;
    all.push_back({image.id, HammingDistance(query, image.code)});
  }
  *candidates = all.size();
  SortNeighbors(&all);
  all.resize(std::min(all.size(), k));
  return all;
}

// Every image within `radius` bits of `query`, best first.
inline std::vector<Neighbor> WithinOracle(
    const std::vector<StoredImage>& images, CodeView query, uint32_t radius) {
  std::vector<Neighbor> all;
  for (const StoredImage& image : images) {
    const uint32_t distance = HammingDistance(query, image.code);
    if (distance <= radius) all.push_back({image.id, distance});
  }
  SortNeighbors(&all);
  return all;
}

// Addresses of `bits` bits within `radius` of one address.
inline uint64_t BallSize(uint32_t bits, uint32_t radius) {
  uint64_t total = 0, shell = 1;
  for (uint32_t r = 0; r <= radius && r <= bits; ++r) {
    total += shell;
    shell = shell * (bits - r) / (r + 1);
  }
  return total;
}

// The images a test stored, kept as the DB should keep them.
class StoredModel {
 public:
  void Put(uint64_t id, Address address, CodeView code) {
    images_[id] = {id, address, std::vector<uint8_t>(code.begin(), code.end())};
  }
  void Delete(uint64_t id) { images_.erase(id); }
  bool Has(uint64_t id) const { return images_.count(id) > 0; }
  size_t size() const { return images_.size(); }
  std::vector<StoredImage> All() const {
    std::vector<StoredImage> all;
    for (const auto& [id, image] : images_) all.push_back(image);
    return all;
  }

 private:
  std::map<uint64_t, StoredImage> images_;
};

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_ORACLE_H_

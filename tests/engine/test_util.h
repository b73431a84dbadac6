// Helpers shared by the engine tests: a temporary directory that removes
// itself, and seeded random and clustered codes.
#ifndef SEMHASH_TESTS_ENGINE_TEST_UTIL_H_
#define SEMHASH_TESTS_ENGINE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "semhash/db.h"

namespace semhash {

// For tests that compare whole images.
inline bool operator==(const Record& a, const Record& b) {
  return a.address == b.address && a.code == b.code && a.payload == b.payload;
}

namespace testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "semhash-test-XXXXXX")
            .string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> RandomCode(std::mt19937_64* rng, size_t bytes) {
  std::vector<uint8_t> code(bytes);
  for (auto& b : code) b = static_cast<uint8_t>((*rng)());
  return code;
}

// A copy of `centre` with each bit flipped with probability p.
inline std::vector<uint8_t> NoisyCopy(const std::vector<uint8_t>& centre,
                                      double p, std::mt19937_64* rng) {
  std::bernoulli_distribution flip(p);
  std::vector<uint8_t> code = centre;
  for (auto& byte : code) {
    for (int bit = 0; bit < 8; ++bit) {
      if (flip(*rng)) byte ^= static_cast<uint8_t>(1 << bit);
    }
  }
  return code;
}

inline std::unique_ptr<DB> OpenOrDie(const std::string& path,
                                     Options options = {}) {
  std::unique_ptr<DB> db;
  const Status s = DB::Open(options, path, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db;
}

// `options` with searches kept on RocksDB: no in-memory index, as the
// administration tools open a database.
inline Options DiskOnly(Options options = {}) {
  options.memory_index = Options::MemoryIndex::kOff;
  return options;
}

// Every stored image as "id:address " in id order, or the Status that
// stopped the iteration: equal texts mean the same images at the same
// addresses.
inline std::string ImagesAsText(DB* db) {
  std::string text;
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    text +=
        std::to_string(it->id()) + ":" + std::to_string(it->address()) + " ";
  }
  if (!it->status().ok()) return it->status().ToString();
  return text;
}

// Every stored image by id, read with the iterator (which must end OK).
inline std::map<uint64_t, Record> StoredImages(DB* db) {
  std::map<uint64_t, Record> images;
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Record& image = images[it->id()];
    image.address = it->address();
    image.code.assign(it->code().begin(), it->code().end());
    image.payload = std::string(it->payload());
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return images;
}

inline Options CreateOptions(uint32_t address_bits, uint32_t code_bits) {
  Options options;
  options.create_if_missing = true;
  options.address_bits = address_bits;
  options.code_bits = code_bits;
  return options;
}

}  // namespace testing
}  // namespace semhash

#endif  // SEMHASH_TESTS_ENGINE_TEST_UTIL_H_

// The golden database of format version 1 (STYLE.md: "keep golden databases
// from each format version under tests/data/ and open them in CI"): what it
// holds, and how make_golden_db.cc made it. tests/data/format-v1/ is that
// database, checked in; golden_database_test.cc opens it with today's code
// and compares every image with the content computed here. The content is
// drawn from std::mt19937_64 with integer arithmetic only, so it is the same
// on every platform; the stored LSH model is the one kind whose training is
// identical everywhere (README, "Limitations").
#ifndef SEMHASH_TESTS_ENGINE_GOLDEN_DATABASE_H_
#define SEMHASH_TESTS_ENGINE_GOLDEN_DATABASE_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "semhash/codes.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"

namespace semhash::testing {

inline constexpr uint32_t kGoldenAddressBits = 12;
inline constexpr uint32_t kGoldenCodeBits = 128;
inline constexpr uint32_t kGoldenMihTables = 4;
inline constexpr size_t kGoldenDim = 16;
inline constexpr size_t kGoldenTrainingRows = 256;

// Images compare with operator== of test_util.h.
using GoldenImage = Record;

// Rows of kGoldenDim floats in [-0.5, 0.5), from `seed`.
inline std::vector<float> GoldenVectors(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> x(rows * kGoldenDim);
  for (float& v : x) v = static_cast<float>(rng() >> 40) / (1 << 24) - 0.5f;
  return x;
}

inline EncoderOptions GoldenEncoderOptions() {
  EncoderOptions options;
  options.kind = kLshEncoder;
  options.address_bits = kGoldenAddressBits;
  options.code_bits = kGoldenCodeBits;
  options.seed = 7;
  return options;
}

inline GoldenImage GoldenImageFor(uint64_t id, uint64_t version, bool payload) {
  std::mt19937_64 rng(id * 1000003 + version);
  GoldenImage image;
  image.address = static_cast<Address>(rng() % (1u << kGoldenAddressBits));
  image.code.resize(kGoldenCodeBits / 8);
  for (uint8_t& b : image.code) b = static_cast<uint8_t>(rng() >> 56);
  if (payload) {
    image.payload =
        "img/" + std::to_string(id) + "-" + std::to_string(version) + ".png";
  }
  return image;
}

// What the database must hold: ids 0..199 put one by one (with payloads)
// and moved to table files by a reopen; ids 200..399 bulk loaded (no
// payloads); then, left in the write-ahead log, every id divisible by 17
// deleted and every id divisible by 23 (and not by 17) put again with new
// contents.
inline std::map<uint64_t, GoldenImage> GoldenContents() {
  std::map<uint64_t, GoldenImage> images;
  for (uint64_t id = 0; id < 400; ++id) {
    images[id] = GoldenImageFor(id, 1, id < 200);
  }
  for (uint64_t id = 0; id < 400; ++id) {
    if (id % 17 == 0) {
      images.erase(id);
    } else if (id % 23 == 0) {
      images[id] = GoldenImageFor(id, 2, true);
    }
  }
  return images;
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_GOLDEN_DATABASE_H_

// A minimal application of semhash: create a database of external codes,
// store a few images, and search it. Uses only the installed public API.
//
//   semhash_example /tmp/example.db
#include <semhash/db.h>

#include <cstdio>
#include <memory>
#include <random>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DB_DIR\n", argv[0]);
    return 2;
  }
  semhash::Options options;
  options.create_if_missing = true;
  options.address_bits = 16;
  options.code_bits = 64;
  std::unique_ptr<semhash::DB> db;
  semhash::Status s = semhash::DB::Open(options, argv[1], &db);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }

  // 1,000 images with random 64-bit codes; the address is the code's first
  // 16 bits, as when an application brings its own codes.
  std::mt19937_64 rng(1);
  std::vector<uint8_t> codes(1000 * 8);
  for (auto& byte : codes) byte = static_cast<uint8_t>(rng());
  semhash::WriteBatch batch;
  for (uint64_t id = 0; id < 1000; ++id) {
    const semhash::CodeView code(&codes[id * 8], 8);
    batch.Put(id, semhash::AddressFromCode(code, 16), code,
              "images/" + std::to_string(id) + ".png");
  }
  semhash::WriteOptions sync;
  sync.sync = true;
  s = db->Write(sync, batch);
  if (!s.ok()) {
    std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
    return 1;
  }

  // Query with image 7's code with two bits flipped.
  std::vector<uint8_t> query(&codes[7 * 8], &codes[8 * 8]);
  query[0] ^= 0x81;
  semhash::SearchResult result;
  s = db->Search(semhash::SearchOptions(), semhash::AddressFromCode(query, 16),
                 query, 3, &result);
  if (!s.ok()) {
    std::fprintf(stderr, "search: %s\n", s.ToString().c_str());
    return 1;
  }
  for (const auto& n : result.neighbors) {
    semhash::Record record;
    s = db->Get(n.id, &record);
    if (!s.ok()) return 1;
    std::printf("id %llu  distance %u  %s\n",
                static_cast<unsigned long long>(n.id), n.distance,
                record.payload.c_str());
  }
  std::printf(
      "radius %u, %llu addresses probed, %llu candidates\n",
      result.stats.radius_reached,
      static_cast<unsigned long long>(result.stats.addresses_probed),
      static_cast<unsigned long long>(result.stats.candidates_reranked));
  // Image 7 must come first, at distance 2.
  return !result.neighbors.empty() && result.neighbors[0].id == 7 &&
                 result.neighbors[0].distance == 2
             ? 0
             : 1;
}

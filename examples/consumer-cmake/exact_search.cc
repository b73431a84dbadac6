// An application of the installed semhash (find_package): stores 5,000
// images with random 128-bit codes and checks the database's exact search
// and two-stage search against a brute-force Hamming ranking of its own.
//
//   exact_search DB_DIR   (DB_DIR must not exist; exits 0 when all agree)
#include <semhash/db.h>
#include <semhash/version.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr uint32_t kAddressBits = 16;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;
constexpr size_t kImages = 5000;
constexpr size_t kK = 10;

int Fail(const char* what, const semhash::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

semhash::CodeView Code(const std::vector<uint8_t>& codes, size_t i) {
  return semhash::CodeView(codes.data() + i * kCodeBytes, kCodeBytes);
}

// The k smallest (distance, id) pairs over every code: the ground truth.
std::vector<std::pair<uint32_t, uint64_t>> BruteForce(
    const std::vector<uint8_t>& codes, semhash::CodeView query, size_t k) {
  std::vector<std::pair<uint32_t, uint64_t>> all;
  for (size_t i = 0; i < kImages; ++i) {
    all.emplace_back(semhash::HammingDistance(query, Code(codes, i)), i);
  }
  std::partial_sort(all.begin(), all.begin() + k, all.end());
  all.resize(k);
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DB_DIR\n", argv[0]);
    return 2;
  }
  std::printf("semhash %s (headers %s)\n", semhash::Version(),
              SEMHASH_VERSION_STRING);
  semhash::Options options;
  options.create_if_missing = true;
  options.address_bits = kAddressBits;
  options.code_bits = kCodeBits;
  std::unique_ptr<semhash::DB> db;
  semhash::Status s = semhash::DB::Open(options, argv[1], &db);
  if (!s.ok()) return Fail("open", s);

  std::mt19937_64 rng(7);
  std::vector<uint8_t> codes(kImages * kCodeBytes);
  for (auto& byte : codes) byte = static_cast<uint8_t>(rng());
  semhash::WriteBatch batch;
  for (uint64_t id = 0; id < kImages; ++id) {
    batch.Put(id, semhash::AddressFromCode(Code(codes, id), kAddressBits),
              Code(codes, id), "image-" + std::to_string(id));
  }
  s = db->Write(semhash::WriteOptions(), batch);
  if (!s.ok()) return Fail("write", s);

  // Each query is a stored code with two bits flipped (one in its address,
  // one after it): the exact top k must equal the brute-force top k, and
  // the two-stage search, probing radius 1 around the address, must find
  // the source image first.
  size_t two_stage_hits = 0;
  for (uint64_t source = 0; source < 100; ++source) {
    std::vector<uint8_t> query(Code(codes, source).begin(),
                               Code(codes, source).end());
    query[0] ^= 0x10;
    query[9] ^= 0x01;
    semhash::SearchResult exact;
    s = db->SearchExact(query, kK, &exact);
    if (!s.ok()) return Fail("exact search", s);
    const auto truth = BruteForce(codes, query, kK);
    if (exact.neighbors.size() != kK) {
      std::fprintf(stderr, "query %llu: %zu results, not %zu\n",
                   static_cast<unsigned long long>(source),
                   exact.neighbors.size(), kK);
      return 1;
    }
    for (size_t r = 0; r < kK; ++r) {
      if (exact.neighbors[r].distance != truth[r].first ||
          exact.neighbors[r].id != truth[r].second) {
        std::fprintf(stderr,
                     "query %llu rank %zu: id %llu at %u, brute "
                     "force id %llu at %u\n",
                     static_cast<unsigned long long>(source), r,
                     static_cast<unsigned long long>(exact.neighbors[r].id),
                     exact.neighbors[r].distance,
                     static_cast<unsigned long long>(truth[r].second),
                     truth[r].first);
        return 1;
      }
    }
    semhash::SearchOptions probe;
    probe.max_radius = 1;
    semhash::SearchResult two_stage;
    s = db->Search(probe, semhash::AddressFromCode(query, kAddressBits), query,
                   kK, &two_stage);
    if (!s.ok()) return Fail("search", s);
    if (!two_stage.neighbors.empty() && two_stage.neighbors[0].id == source &&
        two_stage.neighbors[0].distance == 2) {
      ++two_stage_hits;
    }
  }
  semhash::Record record;
  s = db->Get(42, &record);
  if (!s.ok()) return Fail("get", s);
  std::printf(
      "%zu images; exact search equals brute force on 100 queries; "
      "two-stage search found the source first in %zu; id 42 is %s\n",
      kImages, two_stage_hits, record.payload.c_str());
  return two_stage_hits == 100 && record.payload == "image-42" ? 0 : 1;
}

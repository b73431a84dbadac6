// An application of the installed semhash (pkg-config, C++17): bulk-loads
// 20,000 clustered 64-bit codes, answers a radius query for each cluster
// centre in one batch and checks them against its own count, then verifies
// the database.
//
//   radius_search DB_DIR   (DB_DIR must not exist; exits 0 when all agree)
#include <semhash/db.h>

#include <cstdio>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr uint32_t kAddressBits = 20;
constexpr uint32_t kCodeBytes = 8;
constexpr size_t kClusters = 50;
constexpr size_t kPerCluster = 400;
constexpr uint32_t kRadius = 6;

int Fail(const char* what, const semhash::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DB_DIR\n", argv[0]);
    return 2;
  }
  semhash::Options options;
  options.create_if_missing = true;
  options.address_bits = kAddressBits;
  options.code_bits = kCodeBytes * 8;
  std::unique_ptr<semhash::DB> db;
  semhash::Status s = semhash::DB::Open(options, argv[1], &db);
  if (!s.ok()) return Fail("open", s);

  // Each image is its cluster's centre with 0..7 random bits flipped.
  std::mt19937_64 rng(3);
  std::vector<uint8_t> centres(kClusters * kCodeBytes);
  for (auto& byte : centres) byte = static_cast<uint8_t>(rng());
  const size_t n = kClusters * kPerCluster;
  std::vector<uint8_t> codes(n * kCodeBytes);
  std::vector<uint64_t> ids(n);
  std::vector<semhash::Address> addresses(n);
  std::vector<size_t> within_radius(kClusters, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t cluster = i % kClusters;
    uint8_t* code = &codes[i * kCodeBytes];
    for (uint32_t b = 0; b < kCodeBytes; ++b) {
      code[b] = centres[cluster * kCodeBytes + b];
    }
    for (uint64_t flips = rng() % 8; flips > 0; --flips) {
      const uint64_t bit = rng() % (kCodeBytes * 8);
      code[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
    }
    const semhash::CodeView view(code, kCodeBytes);
    ids[i] = 1000000 + i;
    addresses[i] = semhash::AddressFromCode(view, kAddressBits);
    const semhash::CodeView centre(&centres[cluster * kCodeBytes], kCodeBytes);
    if (semhash::HammingDistance(view, centre) <= kRadius) {
      ++within_radius[cluster];
    }
  }
  std::unique_ptr<semhash::BulkLoader> loader;
  s = db->NewBulkLoader(semhash::BulkLoadOptions(), &loader);
  if (!s.ok()) return Fail("bulk loader", s);
  s = loader->Add(n, ids.data(), addresses.data(), codes.data());
  if (!s.ok()) return Fail("bulk add", s);
  s = loader->Finish();
  if (!s.ok()) return Fail("bulk finish", s);

  // Random centres are about 32 bits apart, so a radius-6 ball around one
  // holds its own cluster's images and no other's.
  for (size_t c = 0; c < kClusters; ++c) {
    semhash::SearchResult result;
    s = db->SearchRadius(
        semhash::CodeView(&centres[c * kCodeBytes], kCodeBytes), kRadius,
        &result);
    if (!s.ok()) return Fail("radius search", s);
    if (result.neighbors.size() != within_radius[c]) {
      std::fprintf(stderr, "cluster %zu: %zu images within %u bits, not %zu\n",
                   c, result.neighbors.size(), kRadius, within_radius[c]);
      return 1;
    }
    for (const semhash::Neighbor& neighbor : result.neighbors) {
      if ((neighbor.id - 1000000) % kClusters != c) {
        std::fprintf(stderr, "cluster %zu: id %llu is of another cluster\n", c,
                     static_cast<unsigned long long>(neighbor.id));
        return 1;
      }
    }
  }
  semhash::VerifyReport report;
  s = db->Verify(semhash::VerifyOptions(), &report);
  if (!s.ok()) return Fail("verify", s);
  std::printf(
      "%llu images bulk-loaded and verified; %zu radius-%u queries "
      "equal their brute-force counts\n",
      static_cast<unsigned long long>(report.images), kClusters, kRadius);
  return report.images == n ? 0 : 1;
}

// Fuzz target: DB::Search and DB::SearchExact with arbitrary search options,
// addresses, codes and k, on a real database (semhash/db.h).
//
// The database is made once per process in the scratch directory: 600
// seeded images with 8-bit addresses (a third on one hot address, so it
// spans chunks) and 64-bit codes; the harness keeps a model of them.
//
// Input:
//   bytes 0-1  k, u16 LE
//   bytes 2-3  min_candidates, u16 LE
//   byte  4    max_radius
//   bytes 5-8  address, u32 LE (often wider than 8 bits: must be refused)
//   the rest   the query code (8 bytes is the right length)
//
// Invariants: a refused call is InvalidArgument and had a bad address or
// code; an accepted one returns at most k neighbours, each a stored id once,
// at its true distance, best first (distance, then id), each no better than
// the exact answer's neighbour at its rank, all from addresses within the
// radius reached; at radius 8 (every address) it equals SearchExact.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "format/coding.h"
#include "fuzz/fuzz_util.h"
#include "semhash/db.h"

namespace semhash::fuzz {
namespace {

constexpr uint32_t kAddressBits = 8;
constexpr size_t kCodeBytes = 8;
constexpr size_t kImages = 600;
constexpr size_t kHeaderBytes = 9;

struct Image {
  Address address;
  std::vector<uint8_t> code;
};

struct Fixture {
  std::unique_ptr<DB> db;
  std::map<uint64_t, Image> images;
};

const Fixture& TheFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture();
    Options options;
    options.create_if_missing = true;
    options.address_bits = kAddressBits;
    options.code_bits = kCodeBytes * 8;
    if (!DB::Open(options, ScratchPath("search-db"), &f->db).ok()) {
      CheckFailed(__FILE__, __LINE__, "cannot create the database");
    }
    std::mt19937_64 rng(7);
    WriteBatch batch;
    for (uint64_t id = 0; id < kImages; ++id) {
      Image image{id % 3 == 0 ? 5u : Address(rng() % 256),
                  std::vector<uint8_t>(kCodeBytes)};
      for (auto& byte : image.code) byte = uint8_t(rng());
      batch.Put(id, image.address, image.code);
      f->images[id] = image;
    }
    if (!f->db->Write(WriteOptions(), batch).ok()) {
      CheckFailed(__FILE__, __LINE__, "cannot fill the database");
    }
    return f;
  }();
  return *fixture;
}

void CheckNeighbors(const Fixture& f, CodeView query, size_t k,
                    const std::vector<Neighbor>& neighbors,
                    const std::vector<Neighbor>& exact) {
  FUZZ_CHECK(neighbors.size() <= k);
  std::set<uint64_t> seen;
  for (size_t i = 0; i < neighbors.size(); ++i) {
    const Neighbor& n = neighbors[i];
    auto it = f.images.find(n.id);
    FUZZ_CHECK(it != f.images.end());
    FUZZ_CHECK(seen.insert(n.id).second);
    FUZZ_CHECK(n.distance == HammingDistance(query, it->second.code));
    if (i > 0) {
      const Neighbor& p = neighbors[i - 1];
      FUZZ_CHECK(p.distance < n.distance ||
                 (p.distance == n.distance && p.id < n.id));
    }
    FUZZ_CHECK(i < exact.size() && exact[i].distance <= n.distance);
  }
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash;
  using namespace semhash::fuzz;
  if (size < kHeaderBytes) return 0;
  const Fixture& f = TheFixture();
  const char* bytes = reinterpret_cast<const char*>(data);
  const size_t k = format::GetLittleEndian<uint16_t>(bytes);
  SearchOptions options;
  options.min_candidates = format::GetLittleEndian<uint16_t>(bytes + 2);
  options.max_radius = data[4];
  const Address address = format::GetLittleEndian<uint32_t>(bytes + 5);
  const ExactBytes code =
      Exact(AsView(data + kHeaderBytes, size - kHeaderBytes));
  const CodeView query(reinterpret_cast<const uint8_t*>(code.data()),
                       code.size());
  const bool valid_code = code.size() == kCodeBytes;
  const bool valid_address = (address >> kAddressBits) == 0;

  SearchResult exact;
  const Status exact_status = f.db->SearchExact(query, k, &exact);
  FUZZ_CHECK(exact_status.ok() == valid_code);
  if (!exact_status.ok()) FUZZ_CHECK(exact_status.IsInvalidArgument());

  SearchResult result;
  const Status s = f.db->Search(options, address, query, k, &result);
  FUZZ_CHECK(s.ok() == (valid_code && valid_address));
  if (!s.ok()) {
    FUZZ_CHECK(s.IsInvalidArgument());
    return 0;
  }
  CheckNeighbors(f, query, k, exact.neighbors, exact.neighbors);
  CheckNeighbors(f, query, k, result.neighbors, exact.neighbors);
  const uint32_t reached = result.stats.radius_reached;
  FUZZ_CHECK(reached <= std::min<uint32_t>(*options.max_radius, kAddressBits));
  for (const Neighbor& n : result.neighbors) {
    const Address stored = f.images.at(n.id).address;
    FUZZ_CHECK(uint32_t(__builtin_popcount(stored ^ address)) <= reached);
  }
  if (reached == kAddressBits) FUZZ_CHECK(result.neighbors == exact.neighbors);
  return 0;
}

// Disk bytes per image (issue 20): with each code stored once, in the
// segment, a database of 256-bit codes, 64-bit ids, no payload and no
// multi-index tables stays under 64 bytes per image once compacted (format
// version 2 took about 158: the code again in the id record and in the
// posting chunk).
#include <gtest/gtest.h>

#include "semhash/bulk_load.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint64_t kImages = 100000;
constexpr double kBudget = 64;

double BytesPerImage(DB* db) {
  SpaceUsage usage;
  EXPECT_TRUE(db->GetSpaceUsage(&usage).ok());
  uint64_t count = 0;
  EXPECT_TRUE(db->CountImages(&count).ok());
  EXPECT_EQ(count, kImages);
  return double(usage.total_bytes) / double(kImages);
}

TEST(DBSpace, WrittenImagesTakeUnder64BytesEachAfterCompaction) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(24, 256));
  std::mt19937_64 rng(31);
  for (uint64_t first = 0; first < kImages; first += 10000) {
    WriteBatch batch;
    for (uint64_t id = first; id < first + 10000; ++id) {
      batch.Put(id * 7919, Address(rng() & 0xffffff), RandomCode(&rng, 32));
    }
    ASSERT_TRUE(db->Write(WriteOptions(), batch).ok());
  }
  CompactReport report;
  ASSERT_TRUE(db->Compact({}, &report).ok());
  const double bytes = BytesPerImage(db.get());
  std::cout << "written, compacted: " << bytes << " bytes per image\n";
  EXPECT_LT(bytes, kBudget);
}

TEST(DBSpace, BulkLoadedImagesTakeUnder64BytesEach) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(24, 256));
  std::mt19937_64 rng(32);
  std::vector<uint64_t> ids(kImages);
  std::vector<Address> addresses(kImages);
  std::vector<uint8_t> codes;
  for (uint64_t i = 0; i < kImages; ++i) {
    ids[i] = i * 7919;
    addresses[i] = Address(rng() & 0xffffff);
    const std::vector<uint8_t> code = RandomCode(&rng, 32);
    codes.insert(codes.end(), code.begin(), code.end());
  }
  std::unique_ptr<BulkLoader> loader;
  ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
  ASSERT_TRUE(
      loader->Add(kImages, ids.data(), addresses.data(), codes.data()).ok());
  ASSERT_TRUE(loader->Finish().ok());
  const double bytes = BytesPerImage(db.get());
  std::cout << "bulk loaded: " << bytes << " bytes per image\n";
  EXPECT_LT(bytes, kBudget);
}

}  // namespace
}  // namespace semhash

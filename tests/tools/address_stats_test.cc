// ComputeAddressStats on addresses whose statistics are known in closed
// form; the end-to-end figures on a built database are checked by
// admin_cli_test.cc.
#include "tools/address_stats.h"

#include <gtest/gtest.h>

#include <numeric>

namespace semhash::cli {
namespace {

TEST(AddressStats, EmptyDatabaseHasNoListsAndNoCost) {
  const AddressStats stats = ComputeAddressStats({}, 12);
  EXPECT_EQ(stats.images, 0u);
  EXPECT_TRUE(stats.length_histogram.empty());
  EXPECT_TRUE(stats.fraction_of_ones.empty());
  ASSERT_EQ(stats.probe_cost.size(), kMaxProbeRadius + 1);
  EXPECT_EQ(stats.probe_cost[3].addresses_probed, 1u + 12 + 66 + 220);
  EXPECT_EQ(stats.probe_cost[3].expected_candidates, 0.0);
}

// One image at every 16-bit address: more occupied addresses than the exact
// computation takes, so the cost is sampled; yet every sampled image finds
// exactly the whole Hamming ball occupied, so the estimate is exact.
TEST(AddressStats, SampledProbeCostOverAFullCubeIsTheBallSize) {
  std::vector<Address> addresses(1 << 16);
  std::iota(addresses.begin(), addresses.end(), 0);
  const AddressStats stats = ComputeAddressStats(addresses, 16);
  EXPECT_FALSE(stats.probe_cost_exact);
  EXPECT_EQ(stats.probe_cost_images, kProbeCostSample);
  const uint64_t ball[] = {1, 17, 137, 697};
  for (uint32_t radius = 0; radius <= kMaxProbeRadius; ++radius) {
    EXPECT_EQ(stats.probe_cost[radius].addresses_probed, ball[radius]);
    EXPECT_EQ(stats.probe_cost[radius].expected_candidates,
              double(ball[radius]));
  }
  for (const double fraction : stats.fraction_of_ones) {
    EXPECT_EQ(fraction, 0.5);
  }
  for (const BitPair& pair : stats.most_correlated_pairs) {
    EXPECT_EQ(pair.correlation, 0.0);
  }
  ASSERT_EQ(stats.length_histogram.size(), 1u);
  EXPECT_EQ(stats.length_histogram[0].addresses, 1u << 16);
}

// 32-bit addresses: bit 0 is the most significant bit of the integer.
TEST(AddressStats, BitZeroIsTheMostSignificant) {
  const AddressStats stats =
      ComputeAddressStats({0x80000000u, 0x80000001u, 0x00000001u, 0}, 32);
  ASSERT_EQ(stats.fraction_of_ones.size(), 32u);
  EXPECT_EQ(stats.fraction_of_ones[0], 0.5);
  EXPECT_EQ(stats.fraction_of_ones[31], 0.5);
  EXPECT_EQ(stats.fraction_of_ones[1], 0.0);
  EXPECT_TRUE(stats.probe_cost_exact);
  // Each image has itself at distance 0, one image at 1 and one at 2.
  EXPECT_EQ(stats.probe_cost[0].expected_candidates, 1.0);
  EXPECT_EQ(stats.probe_cost[1].expected_candidates, 3.0);
  EXPECT_EQ(stats.probe_cost[2].expected_candidates, 4.0);
}

}  // namespace
}  // namespace semhash::cli

// Compiled as C++17 (tests/package/CMakeLists.txt): every public header
// compiles, and a C++17 program calls the library, which is C++20 inside,
// through the same types.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "all_public_headers.h"

namespace semhash {
namespace {

static_assert(__cplusplus == 201703L, "this test must be compiled as C++17");

TEST(PublicHeaders, VersionOfTheLoadedLibraryIsTheHeaders) {
  EXPECT_STREQ(Version(), SEMHASH_VERSION_STRING);
  EXPECT_EQ(FormatVersion(), uint32_t{SEMHASH_FORMAT_VERSION});
  const std::string expected = std::to_string(SEMHASH_VERSION_MAJOR) + "." +
                               std::to_string(SEMHASH_VERSION_MINOR) + "." +
                               std::to_string(SEMHASH_VERSION_PATCH);
  EXPECT_EQ(expected, SEMHASH_VERSION_STRING);
}

TEST(PublicHeaders, CodeViewViewsContiguousBytes) {
  const std::vector<uint8_t> a = {0xff, 0x00, 0x0f, 0xf0};
  const std::array<uint8_t, 4> b = {0xff, 0x01, 0x0f, 0xf0};
  const CodeView va = a;
  const CodeView vb = b;
  EXPECT_EQ(va.data(), a.data());
  EXPECT_EQ(va.size(), 4u);
  EXPECT_EQ(HammingDistance(va, vb), 1u);
  EXPECT_EQ(HammingDistance(va.first(2), vb.last(2)), 8u);
  EXPECT_EQ(va.subspan(1, 2)[1], 0x0f);
  EXPECT_TRUE(CodeView().empty());
  // Bit 0 is the most significant bit of byte 0 (numpy packbits order).
  EXPECT_EQ(AddressFromCode(vb, 16), 0xff01u);
}

TEST(PublicHeaders, StatusAndNeighborWorkInCxx17) {
  const Status s = Status::InvalidArgument("bad width");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.ToString(), "InvalidArgument: bad width");
  EXPECT_EQ((Neighbor{3, 4}), (Neighbor{3, 4}));
  EXPECT_NE((Neighbor{3, 4}), (Neighbor{3, 5}));
}

}  // namespace
}  // namespace semhash

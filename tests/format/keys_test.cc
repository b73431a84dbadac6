#include "format/keys.h"

#include <gtest/gtest.h>

#include <random>

namespace semhash::format {
namespace {

TEST(Keys, IdKeyOrderIsNumericOrder) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t a = rng(), b = rng() >> (rng() % 64);
    EXPECT_EQ(a < b, EncodeIdKey(a) < EncodeIdKey(b));
    EXPECT_EQ(DecodeIdKey(EncodeIdKey(a)), a);
  }
}

TEST(Keys, PostingKeyRoundTripAndOrder) {
  std::mt19937 rng(11);
  for (int i = 0; i < 1000; ++i) {
    const PostingKey a{static_cast<uint8_t>(rng() % 3),
                       static_cast<Address>(rng()),
                       static_cast<uint32_t>(rng() % 5)};
    const PostingKey b{static_cast<uint8_t>(rng() % 3),
                       static_cast<Address>(rng()),
                       static_cast<uint32_t>(rng() % 5)};
    const std::string ka = EncodePostingKey(a), kb = EncodePostingKey(b);
    ASSERT_EQ(ka.size(), kPostingKeyBytes);
    PostingKey decoded;
    ASSERT_TRUE(DecodePostingKey(ka, &decoded));
    EXPECT_EQ(decoded.table, a.table);
    EXPECT_EQ(decoded.address, a.address);
    EXPECT_EQ(decoded.chunk, a.chunk);
    const auto tuple = [](const PostingKey& k) {
      return std::make_tuple(k.table, k.address, k.chunk);
    };
    EXPECT_EQ(tuple(a) < tuple(b), ka < kb);
  }
}

TEST(Keys, ChunksOfAnAddressShareItsPrefix) {
  const std::string prefix = EncodeAddressPrefix(0, 0x12345678);
  ASSERT_EQ(prefix.size(), kAddressPrefixBytes);
  EXPECT_EQ(prefix, std::string("\x00\x12\x34\x56\x78", 5));
  EXPECT_EQ(EncodePostingKey({0, 0x12345678, 7}).substr(0, 5), prefix);
  EXPECT_NE(EncodePostingKey({1, 0x12345678, 7}).substr(0, 5), prefix);
  PostingKey unused;
  EXPECT_FALSE(DecodePostingKey(prefix, &unused));
}

}  // namespace
}  // namespace semhash::format

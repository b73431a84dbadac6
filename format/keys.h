// Keys of the RocksDB column families (docs/format.md, "Keys").
//
//   ids       id u64 BE                                 8 bytes
//   postings  table u8 | address u32 BE | chunk u32 BE  9 bytes
//   tails     table u8 | address u32 BE                 5 bytes
//
// Big-endian, so RocksDB's bytewise order is numeric order: the posting
// chunks of one address are adjacent, and addresses that share a high-bit
// prefix form one contiguous key range. The table byte leaves room for
// several address tables (table 0 is the image's address).
#ifndef SEMHASH_FORMAT_KEYS_H_
#define SEMHASH_FORMAT_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/codes.h"

namespace semhash::format {

inline constexpr char kManifestKey[] = "manifest";
inline constexpr char kEncoderKey[] = "encoder";

inline constexpr size_t kIdKeyBytes = 8;
inline constexpr size_t kAddressPrefixBytes = 5;
inline constexpr size_t kPostingKeyBytes = 9;

struct PostingKey {
  uint8_t table = 0;
  Address address = 0;
  uint32_t chunk = 0;
};

std::string EncodeIdKey(uint64_t id);
// REQUIRES: key.size() == kIdKeyBytes.
uint64_t DecodeIdKey(std::string_view key);

// The 5-byte key of a tail record, and the prefix of every posting key of
// that address.
std::string EncodeAddressPrefix(uint8_t table, Address address);
std::string EncodePostingKey(const PostingKey& key);
// False if `key` is not kPostingKeyBytes long.
bool DecodePostingKey(std::string_view key, PostingKey* out);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_KEYS_H_

// Key encodings (see keys.h).
#include "format/keys.h"

#include "format/coding.h"

namespace semhash::format {

std::string EncodeIdKey(uint64_t id) {
  std::string key;
  PutBigEndian<uint64_t>(&key, id);
  return key;
}

uint64_t DecodeIdKey(std::string_view key) {
  return GetBigEndian<uint64_t>(key.data());
}

std::string EncodeAddressPrefix(uint8_t table, Address address) {
  std::string key;
  key.push_back(static_cast<char>(table));
  PutBigEndian<uint32_t>(&key, address);
  return key;
}

std::string EncodePostingKey(const PostingKey& key) {
  std::string encoded = EncodeAddressPrefix(key.table, key.address);
  PutBigEndian<uint32_t>(&encoded, key.chunk);
  return encoded;
}

bool DecodePostingKey(std::string_view key, PostingKey* out) {
  if (key.size() != kPostingKeyBytes) return false;
  out->table = static_cast<uint8_t>(key[0]);
  out->address = GetBigEndian<uint32_t>(key.data() + 1);
  out->chunk = GetBigEndian<uint32_t>(key.data() + 5);
  return true;
}

}  // namespace semhash::format

// Fixed-width integer encodings used by every persisted layout: little-endian
// inside values, big-endian inside keys (so byte order is numeric order).
#ifndef SEMHASH_FORMAT_CODING_H_
#define SEMHASH_FORMAT_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

namespace semhash::format {

template <typename T>
inline void PutLittleEndian(std::string* dst, T value) {
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    buf[i] = static_cast<char>(value >> (8 * i));
  }
  dst->append(buf, sizeof(T));
}

template <typename T>
inline T GetLittleEndian(const char* src) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<uint8_t>(src[i])) << (8 * i);
  }
  return value;
}

template <typename T>
inline void PutBigEndian(std::string* dst, T value) {
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    buf[i] = static_cast<char>(value >> (8 * (sizeof(T) - 1 - i)));
  }
  dst->append(buf, sizeof(T));
}

template <typename T>
inline T GetBigEndian(const char* src) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value = (value << 8) | static_cast<uint8_t>(src[i]);
  }
  return value;
}

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_CODING_H_

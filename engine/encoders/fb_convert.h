// Conversions between FlatBuffers objects and standard types, for the
// encoder model's readers and writers (internal). FlatBuffers leaves an
// absent field null; these read it as empty.
//
// Thread safety: pure functions.
#ifndef SEMHASH_ENGINE_ENCODERS_FB_CONVERT_H_
#define SEMHASH_ENGINE_ENCODERS_FB_CONVERT_H_

#include <flatbuffers/flatbuffers.h>

#include <string>
#include <string_view>
#include <vector>

namespace semhash {

// The values of `values`; empty if it is null.
template <typename T>
std::vector<T> ReadVector(const flatbuffers::Vector<T>* values) {
  if (values == nullptr) return {};
  return std::vector<T>(values->begin(), values->end());
}

// The characters of `text`; empty if it is null.
inline std::string_view ReadString(const flatbuffers::String* text) {
  return text == nullptr ? std::string_view() : text->string_view();
}

// The bytes of the buffer `builder` has finished.
inline std::string FinishedBytes(
    const flatbuffers::FlatBufferBuilder& builder) {
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_FB_CONVERT_H_

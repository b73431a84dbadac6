// JsonWriter: builds the one-line JSON documents that the administrator's
// tools print with --json. It places the commas and escapes strings, so a
// command only says what goes where; numbers are written as C++ prints them
// (doubles with up to 6 significant digits, non-finite ones as null).
//
// Thread safety: an instance must not be shared between threads.
#ifndef SEMHASH_TOOLS_JSON_WRITER_H_
#define SEMHASH_TOOLS_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace semhash::cli {

class JsonWriter {
 public:
  // Containers. REQUIRES: every Begin is matched by its End.
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The key of the next value. REQUIRES: inside an object.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // The document so far.
  const std::string& str() const { return out_; }

 private:
  // Writes the separator a new element needs in the current container.
  void BeginValue();

  std::string out_;
  // One entry per open container: whether it holds an element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_JSON_WRITER_H_

// Helpers shared by the fuzz targets (fuzz/*_fuzzer.cc): the invariant check,
// checksum repair so that mutations reach the payload decoders, and scratch
// files for the readers that take a path.
//
// Thread safety: libFuzzer calls a target from one thread; so do these.
#ifndef SEMHASH_FUZZ_FUZZ_UTIL_H_
#define SEMHASH_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"

// Stops the process (a crash to libFuzzer and to the replay driver) when a
// decoder that returned OK produced something inconsistent. A macro so the
// message can name the line; __builtin_trap leaves a core and a stack.
#define FUZZ_CHECK(condition)                                       \
  do {                                                              \
    if (!(condition)) {                                             \
      ::semhash::fuzz::CheckFailed(__FILE__, __LINE__, #condition); \
    }                                                               \
  } while (false)

namespace semhash::fuzz {

[[noreturn]] void CheckFailed(const char* file, int line, const char* what);

// Bytes in a heap block of exactly their size, as libFuzzer passes its
// input, so that ASan reports a read one past the end; a std::string may
// have spare capacity or keep short values inline.
using ExactBytes = std::vector<char>;

inline ExactBytes Exact(std::string_view bytes) {
  return ExactBytes(bytes.begin(), bytes.end());
}

// The fuzzer's input as a string_view.
inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::string_view AsView(const ExactBytes& bytes) {
  return {bytes.data(), bytes.size()};
}

// `bytes` with the frame's payload_length and checksum rewritten to agree
// with its size and its kind byte (docs/format.md, "Frame"), so that a
// mutated payload is not stopped at the checksum. Shorter than a frame:
// returned unchanged.
ExactBytes FixFrame(std::string_view bytes);

// Runs `check` on the input as given and with its frame repaired
// (FixFrame), as every target of a framed record does.
template <typename Check>
void CheckRawAndRepaired(const uint8_t* data, size_t size, Check check) {
  const std::string_view raw = AsView(data, size);
  check(raw);
  check(AsView(FixFrame(raw)));
}

// The invariants of a fixed-layout record codec: decoding fails only with
// Corruption, and what it decodes re-encodes to exactly `bytes`.
template <typename Record, typename Decode, typename Encode>
void CheckDecodeReencodes(std::string_view bytes, Decode decode,
                          Encode encode) {
  Record record;
  const Status s = decode(bytes, &record);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  FUZZ_CHECK(encode(record) == bytes);
}

// Writes `bytes` to the file `name` in this process's scratch directory
// (made by mkdtemp on first use, reused by every call, removed at exit) and
// returns its path. Traps if the file cannot be written: that is the
// harness failing, not the reader.
std::string WriteScratchFile(const std::string& name, std::string_view bytes);

// The path `name` would have in the scratch directory.
std::string ScratchPath(const std::string& name);

}  // namespace semhash::fuzz

#endif  // SEMHASH_FUZZ_FUZZ_UTIL_H_

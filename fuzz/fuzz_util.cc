// Fuzz helpers (see fuzz_util.h).
#include "fuzz/fuzz_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "format/frame.h"

namespace semhash::fuzz {
namespace {

// Where scratch directories go: $TMPDIR if set, else /dev/shm (memory: a
// file per execution on a disk file system costs a hundred times more),
// else /tmp.
std::string ScratchBase() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && *tmp != '\0') return tmp;
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) &&
      access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return "/tmp";
}

// The scratch directory, removed when the process exits normally. A crash
// leaves it behind with the input that caused it, which helps.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ScratchBase() + "/semhash-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("semhash fuzz: mkdtemp");
      __builtin_trap();
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;  // Best effort: a leftover temp dir is harmless.
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const ScratchDir& Scratch() {
  static const ScratchDir dir;
  return dir;
}

}  // namespace

void CheckFailed(const char* file, int line, const char* what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::fflush(stderr);
  __builtin_trap();
}

ExactBytes FixFrame(std::string_view bytes) {
  if (bytes.size() < format::kFrameOverheadBytes) return Exact(bytes);
  const auto kind = static_cast<format::RecordKind>(bytes[0]);
  const auto version = static_cast<uint8_t>(bytes[1]);
  const std::string_view payload = bytes.substr(
      format::kFrameHeaderBytes, bytes.size() - format::kFrameOverheadBytes);
  std::string fixed;
  format::AppendFrame(kind, version, payload, &fixed);
  return Exact(fixed);
}

std::string ScratchPath(const std::string& name) {
  return Scratch().path() + "/" + name;
}

std::string WriteScratchFile(const std::string& name, std::string_view bytes) {
  const std::string path = ScratchPath(name);
  // A new file rather than a truncated one: ext4 flushes a file truncated
  // and rewritten when it is closed (auto_da_alloc).
  std::remove(path.c_str());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "semhash fuzz: cannot write %s\n", path.c_str());
    __builtin_trap();
  }
  return path;
}

}  // namespace semhash::fuzz

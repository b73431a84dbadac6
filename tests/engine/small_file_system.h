// SmallFileSystem: a tmpfs of a few MiB mounted for a test, to fill to its
// last byte and see what a full disk does for real (ENOSPC from the
// kernel, not from a fault injector). Mounting needs root
// (CAP_SYS_ADMIN); tests skip when mounted() is false.
#ifndef SEMHASH_TESTS_ENGINE_SMALL_FILE_SYSTEM_H_
#define SEMHASH_TESTS_ENGINE_SMALL_FILE_SYSTEM_H_

#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace semhash::testing {

// A tmpfs of `bytes` mounted at `dir` for the object's life.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::string& dir, size_t bytes) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string data = "size=" + std::to_string(bytes);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, data.c_str()) == 0;
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

  // Writes `path` until the file system refuses another byte.
  static void FillWith(const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    const std::string block(4096, 'x');
    while (out.write(block.data(), block.size())) {
    }
    out.clear();
    for (int i = 0; i < 4096 && out.put('x'); ++i) out.flush();
  }

 private:
  std::string dir_;
  bool mounted_ = false;
};

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_SMALL_FILE_SYSTEM_H_

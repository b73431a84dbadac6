// Inputs are regular files (see regular_file.h).
#include "tools/io/regular_file.h"

#include <sys/stat.h>

namespace semhash::io {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

}  // namespace

Status CheckRegularFile(const std::string& path) {
  struct stat info;
  // stat() follows links and, unlike open(), never waits for a FIFO's writer.
  if (::stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode)) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      std::string("not a regular file but ") + KindOf(info.st_mode) +
      "; semhash reads its inputs from regular files only");
}

}  // namespace semhash::io

// The check every input reader of the tools makes before it opens a path:
// inputs are regular files. Opening a FIFO for reading blocks until a
// writer comes, forever if none does, and a directory or device opens only
// to fail or never end later; none is a file semhash is meant to stream.
//
// Thread safety: a pure function of the file system.
#ifndef SEMHASH_TOOLS_IO_REGULAR_FILE_H_
#define SEMHASH_TOOLS_IO_REGULAR_FILE_H_

#include <string>

#include "semhash/status.h"

namespace semhash::io {

// InvalidArgument saying what `path` is ("not a regular file but a FIFO")
// unless it is a regular file or a link to one. OK if `path` cannot be
// examined at all (absent, no permission): opening it then says why. The
// caller adds the path (Status::WithContext).
Status CheckRegularFile(const std::string& path);

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_REGULAR_FILE_H_

// Files and directories written so that they survive a machine crash: the
// helpers behind atomic directory creation (a staging directory, synced,
// renamed into place, its parent synced) in DB::Open and DB::Backup.
// Engine-internal: not installed.
#ifndef SEMHASH_ENGINE_DB_DURABLE_FILES_H_
#define SEMHASH_ENGINE_DB_DURABLE_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/status.h"

namespace semhash {

// fsync of a directory, so that the entries created, renamed or removed in
// it are durable.
Status SyncDirectory(const std::string& dir);

// Copies the first `size` bytes of `from` to the new file `to` and fsyncs
// it. IOError naming the file if `from` is shorter.
Status CopyFilePrefix(const std::string& from, const std::string& to,
                      uint64_t size);

// write() of all `size` bytes at fd's position, retrying short writes and
// EINTR; IOError naming `path` and errno (ENOSPC: "No space left on
// device") otherwise.
Status WriteAll(int fd, const std::string& path, const char* data, size_t size);

// Writes `contents` to the new file `path` and fsyncs it.
Status WriteFileSynced(const std::string& path, std::string_view contents);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_DURABLE_FILES_H_

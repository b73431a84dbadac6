// Staging directories: a database is built beside its final path, in
// "<path><marker><pid>", and renamed into place when complete, so a crash
// never leaves half a database at <path>. A process killed first leaves its
// staging directory behind; these helpers name them and clear the ones
// whose process is gone (docs/durability.md, "Creation").
//
// Thread safety: plain functions over the file system.
#ifndef SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_
#define SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_

#include <filesystem>
#include <string>

namespace semhash {

// "<target><marker><this process's pid>", beside `target`.
std::filesystem::path StagingPath(const std::filesystem::path& target,
                                  const std::string& marker);

// Removes every "<target><marker><pid>..." beside `target` whose process no
// longer exists. A directory whose pid is alive (or reused) is left alone.
// Returns how many were removed; failures to remove are skipped, since the
// next call tries again.
int RemoveAbandonedStaging(const std::filesystem::path& target,
                           const std::string& marker);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_

// Staging directories: a database is built beside its final path, in
// "<path><marker><pid>-<n>", and renamed into place when complete, so a crash
// never leaves half a database at <path>. A process killed first leaves its
// staging directory behind; these helpers name them and clear the ones
// whose process is gone (docs/durability.md, "Creation").
//
// Thread safety: plain functions over the file system; a StagingDirectory
// belongs to one thread at a time.
#ifndef SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_
#define SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_

#include <filesystem>
#include <string>

namespace semhash {

// "<target><marker><this process's pid>-<n>", beside `target`, with n new
// at each call: unique among the live processes' staging directories.
std::filesystem::path UniqueStagingPath(const std::filesystem::path& target,
                                        const std::string& marker);

// Removes every "<target><marker><pid>..." beside `target` whose process no
// longer exists. A directory whose pid is alive (or reused) is left alone.
// Returns how many were removed; failures to remove are skipped, since the
// next call tries again.
int RemoveAbandonedStaging(const std::filesystem::path& target,
                           const std::string& marker);

// Owns a staging directory: removes it, with everything in it, when
// destroyed, unless Keep() was called once it was renamed into place.
class StagingDirectory {
 public:
  explicit StagingDirectory(std::filesystem::path path)
      : path_(std::move(path)) {}
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;
  ~StagingDirectory();

  const std::filesystem::path& path() const { return path_; }
  void Keep() { kept_ = true; }

 private:
  const std::filesystem::path path_;
  bool kept_ = false;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_STAGING_DIRECTORY_H_

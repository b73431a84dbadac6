// Staging directories (see staging_directory.h).
#include "engine/db/staging_directory.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace semhash {
namespace {

namespace fs = std::filesystem;

fs::path Normal(const fs::path& target) {
  return fs::absolute(target).lexically_normal();
}

// Whether the process `pid` is gone (not merely someone else's).
bool ProcessGone(const std::string& pid) {
  if (pid.empty() || pid.size() > 9) return false;
  return ::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH;
}

}  // namespace

fs::path UniqueStagingPath(const fs::path& target, const std::string& marker) {
  // Unique within the process: two handles may stage the same target.
  static std::atomic<uint64_t> sequence{0};
  const fs::path normal = Normal(target);
  return normal.parent_path() /
         (normal.filename().string() + marker + std::to_string(::getpid()) +
          "-" + std::to_string(sequence++));
}

int RemoveAbandonedStaging(const fs::path& target, const std::string& marker) {
  const fs::path normal = Normal(target);
  const std::string prefix = normal.filename().string() + marker;
  int removed = 0;
  std::error_code error;
  fs::directory_iterator it(normal.parent_path(), error), end;
  for (; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::string pid = name.substr(prefix.size());
    pid = pid.substr(0, pid.find_first_not_of("0123456789"));
    if (!ProcessGone(pid)) continue;
    std::error_code ignored;
    if (fs::remove_all(it->path(), ignored) > 0 && !ignored) ++removed;
  }
  return removed;
}

StagingDirectory::~StagingDirectory() {
  if (kept_) return;
  std::error_code ignored;  // What is left, the next open of the target clears.
  fs::remove_all(path_, ignored);
}

}  // namespace semhash

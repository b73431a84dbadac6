// DB::Backup (see semhash/db.h): a RocksDB checkpoint taken between two
// semhash writes, built in a staging directory and renamed into place.
//
// The list of live files is taken with RocksDB's file deletions disabled and
// (opened for writing) under write_mutex_, so it describes the state after
// one write and before the next: the table files of that moment, the
// manifest and the last log up to their sizes then. Copying the last log only
// up to that size cuts off later writes at a record boundary, since no write
// is in flight. Unlike rocksdb::Checkpoint, the copy is not flushed first
// (nothing is written to the source) and the writers wait only while the
// list is taken, not while files are copied.
//
// Read-only, another process may be writing, and nothing stops it deleting
// files: the manifest this DB read at open names the tables and the first
// log to replay. The copy is consistent if that manifest is still the
// database's and has not grown (a flush, compaction or bulk load appends to
// it before deleting anything), checked after every file is copied. The
// last log is copied as it is then: writes appended since the open are
// kept, and one being appended at that instant may be cut mid-record, which
// recovery drops as the torn tail of a crash.
#include <fcntl.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>
#include <vector>

#include "engine/db/db_impl.h"
#include "engine/db/durable_files.h"
#include "engine/db/rocksdb_status.h"
#include "engine/db/staging_directory.h"

namespace semhash {
namespace {

// A backup is built in "DIR2.backup.PID-N" (staging_directory.h).
constexpr char kBackupMarker[] = ".backup.";

namespace fs = std::filesystem;

// Hard-links `from` to `to`; copies it where the file system cannot link.
Status LinkOrCopy(const std::string& from, const std::string& to,
                  uint64_t size) {
  if (::link(from.c_str(), to.c_str()) == 0) return Status::OK();
  const int error = errno;
  if (error == EXDEV || error == EPERM || error == EMLINK || error == ENOTSUP ||
      error == EOPNOTSUPP) {
    return CopyFilePrefix(from, to, size);
  }
  return Status::IOError(
      from + ": cannot link into the backup: " + std::strerror(error));
}

Status PlaceFile(const rocksdb::LiveFileStorageInfo& file,
                 const std::string& staging) {
  const std::string to = staging + "/" + file.relative_filename;
  if (!file.replacement_contents.empty()) {  // CURRENT, as of the list.
    return WriteFileSynced(to, file.replacement_contents);
  }
  const std::string from = file.directory + "/" + file.relative_filename;
  if (file.trim_to_size) return CopyFilePrefix(from, to, file.size);
  return LinkOrCopy(from, to, file.size);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Read-only: IOError unless `manifest` (as this DB read it at open) is still
// the database's current manifest, with nothing appended since.
Status CheckManifestUnchanged(const std::string& db_dir,
                              const rocksdb::LiveFileStorageInfo& manifest) {
  const std::string current = ReadWholeFile(db_dir + "/CURRENT");
  struct stat st;
  const std::string path = db_dir + "/" + manifest.relative_filename;
  if (current == manifest.relative_filename + "\n" &&
      ::stat(path.c_str(), &st) == 0 &&
      static_cast<uint64_t>(st.st_size) == manifest.size) {
    return Status::OK();
  }
  return Status::IOError(
      db_dir +
      ": another process changed the database (a flush, compaction or bulk "
      "load) since it was opened read-only, so the copy could mix two "
      "moments: open it again and retry");
}

}  // namespace

Status DBImpl::PlaceSegment(const std::string& staging) {
  if (manifest_.segment == 0) return Status::OK();
  const fs::path from = SegmentPath(manifest_.segment);
  const fs::path dir = fs::path(staging) / from.parent_path().filename();
  std::error_code error;
  fs::create_directory(dir, error);
  const uint64_t size = error ? 0 : fs::file_size(from, error);
  if (error && read_only_ && error == std::errc::no_such_file_or_directory) {
    // The writer published another segment since this view was opened.
    return Status::IOError(
        from.string() +
        ": another process changed the database (it published a new "
        "segment) since it was opened read-only: open it again and retry");
  }
  if (error) {
    return Status::IOError(from.string() +
                           ": cannot back up: " + error.message());
  }
  Status s = LinkOrCopy(from.string(), (dir / from.filename()).string(), size);
  return s.ok() ? SyncDirectory(dir.string()) : s;
}

Status DBImpl::WriteBackupFiles(const std::string& staging) {
  rocksdb::DB* db = store_->db();
  // Read-only, RocksDB deletes nothing: DisableFileDeletions is NotSupported.
  if (!read_only_) {
    Status s = FromRocksDB(db->DisableFileDeletions());
    if (!s.ok()) return s;
  }
  std::vector<rocksdb::LiveFileStorageInfo> files;
  rocksdb::LiveFilesStorageInfoOptions list_options;
  list_options.wal_size_for_flush = std::numeric_limits<uint64_t>::max();
  // The live segment is linked while the writers wait too: a merge would
  // publish another and remove it.
  auto list = [&] {
    Status listed =
        FromRocksDB(db->GetLiveFilesStorageInfo(list_options, &files));
    return listed.ok() ? PlaceSegment(staging) : listed;
  };
  Status s;
  if (read_only_) {
    s = list();
  } else {
    MutexLock between_writes(&write_mutex_);
    s = list();
  }
  const rocksdb::LiveFileStorageInfo* manifest = nullptr;
  for (size_t i = 0; s.ok() && i < files.size(); ++i) {
    if (files[i].file_type == rocksdb::kDescriptorFile) manifest = &files[i];
    s = PlaceFile(files[i], staging);
  }
  if (!read_only_) {
    const Status enabled = FromRocksDB(db->EnableFileDeletions(false));
    if (s.ok()) s = enabled;
  }
  if (s.ok() && read_only_) {
    s = manifest == nullptr
            ? Status::IOError(db->GetName() + ": no manifest among live files")
            : CheckManifestUnchanged(db->GetName(), *manifest);
  }
  return s.ok() ? SyncDirectory(staging) : s;
}

Status DBImpl::Backup(const std::string& dir) {
  fs::path target = fs::absolute(dir).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "dir/"
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec))) {
    return Status::InvalidArgument(
        dir + " exists: a backup is written to a new directory");
  }
  const fs::path parent = target.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return Status::IOError(dir + ": the parent directory " + parent.string() +
                           " does not exist");
  }
  RemoveAbandonedStaging(target, kBackupMarker);
  const std::string staging = UniqueStagingPath(target, kBackupMarker).string();
  if (!fs::create_directory(staging, ec)) {
    return Status::IOError(staging + ": cannot create: " + ec.message());
  }
  Status s = WriteBackupFiles(staging);
  // RENAME_NOREPLACE: a directory made at `dir` meanwhile is not replaced.
  if (s.ok() && ::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(),
                            RENAME_NOREPLACE) != 0) {
    s = Status::IOError(
        dir + ": cannot rename the backup into place: " + std::strerror(errno));
  }
  if (s.ok()) return SyncDirectory(parent.string());
  fs::remove_all(staging, ec);
  return s.WithContext("backup to " + dir);
}

}  // namespace semhash

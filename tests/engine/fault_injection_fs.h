// FaultInjectionFS: a RocksDB FileSystem over the real one that makes the
// failures a storage engine must survive happen on demand: appends and syncs
// that fail, reads that fail or come back short, and a machine crash that
// loses every byte not yet synced and every directory entry (a new file or
// directory, a link, a rename) whose directory was not fsynced since. After
// LevelDB's fault_injection_test.cc and RocksDB's FaultInjectionTestFS,
// which Debian's librocksdb-dev does not install. A DB uses it through
// TEST_OpenDB (engine/db/db_open.h) and rocksdb::NewCompositeEnv.
//
// Faulted calls: Append, Sync and Fsync of writable files; Read of
// sequential and random-access files. MultiRead, ReadAsync and
// PositionedAppend pass through untouched (semhash's RocksDB setup makes
// none of them).
//
// Not simulated: a deletion is taken as durable at once (a crash never
// brings a deleted file back), and changes made around this file system
// (std::filesystem, ::open) are invisible to it.
//
// Thread safety: every method may be called from any thread; RocksDB's
// background threads write through it while a test arms faults.
#ifndef SEMHASH_TESTS_ENGINE_FAULT_INJECTION_FS_H_
#define SEMHASH_TESTS_ENGINE_FAULT_INJECTION_FS_H_

#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace semhash::testing {

class FaultInjectionFS : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault {
    kFailAppend,  // Append returns IOError and writes nothing.
    kFailSync,    // Sync and Fsync return IOError; appended bytes stay.
    kFailRead,    // Read returns IOError.
    kShortRead,   // Read returns OK with half the bytes it was asked for.
  };

  FaultInjectionFS();

  const char* Name() const override { return "FaultInjectionFS"; }

  // From now on, calls of the kind `fault` applies to, on files whose names
  // end in `suffix` ("" for every file), misbehave once `after` of them have
  // succeeded. Replaces the fault armed before, if any.
  void Inject(Fault fault, const std::string& suffix, uint64_t after = 0);
  void ClearFault();
  // How many calls misbehaved, over the file system's life.
  uint64_t faults_injected() const;

  // Simulates a machine crash, in two steps. While inactive, every call that
  // would change a file (creation, append, sync, rename, deletion) fails
  // with IOError and changes nothing, so a DB closed then persists no more.
  void SetActive(bool active);
  // Then truncates every file written through this file system to its size
  // at its last Sync or Fsync (0 if never synced): what a machine keeps of
  // a file whose tail was only in its page cache. Then undoes, newest
  // first, every directory change not made durable by an fsync of its
  // directory: a renamed entry gets its old name back (and a file it
  // replaced its old bytes), a created file, link or directory is removed.
  rocksdb::IOStatus DropUnsyncedData();

  // A power cut at a chosen moment: once `calls` more calls that change
  // the disk (creating, appending, syncing, renaming, linking, deleting,
  // fsyncing a directory) have succeeded, the file system goes inactive
  // by itself, as SetActive(false) does.
  void CrashAfter(uint64_t calls);
  // Calls that changed the disk, over the file system's life: run a step
  // once without a crash to learn how many calls CrashAfter can cut it at.
  uint64_t mutations() const;

  rocksdb::IOStatus NewWritableFile(
      const std::string& path, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(
      const std::string& path, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewSequentialFile(
      const std::string& path, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSSequentialFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& path,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& path, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& path,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& path,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& path,
                                 const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;

  // For the file wrappers in fault_injection_fs.cc.
  //
  // IOError if the file system is inactive or the armed fault hits this
  // call of kind `fault` on `path`.
  rocksdb::IOStatus Check(Fault fault, const std::string& path);
  // Whether the armed fault hits this call of kind `fault` on `path`.
  bool Trips(Fault fault, const std::string& path);
  void Appended(const std::string& path, uint64_t bytes);
  void Synced(const std::string& path);
  // The directory `path` was fsynced: every entry change in it is durable.
  void DirectorySynced(const std::string& path);
  // IOError if the file system is inactive; counts a call that changes the
  // disk, and goes inactive when CrashAfter's count runs out.
  rocksdb::IOStatus Mutate();

 private:
  struct ArmedFault {
    Fault fault;
    std::string suffix;
    uint64_t after;
  };
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  // A directory change not yet durable: `path` was created (from empty) or
  // renamed from `from`, replacing a file whose bytes `replaced` holds.
  struct EntryChange {
    std::string path;
    std::optional<std::string> from;
    std::optional<std::string> replaced;
    // The directories that must still be fsynced to make it durable.
    std::set<std::string> unsynced_dirs;
  };

  rocksdb::IOStatus MutateLocked();
  // Records that `path` now exists, new, unless it already did.
  void Created(const std::string& path, bool existed);
  // Points every record of `from` (and below it) at `to`.
  void Moved(const std::string& from, const std::string& to);
  rocksdb::IOStatus UndoEntryChanges();

  mutable std::mutex mu_;
  bool active_ = true;
  std::optional<uint64_t> crash_countdown_;
  uint64_t mutations_ = 0;
  std::optional<ArmedFault> armed_;
  uint64_t faults_injected_ = 0;
  std::map<std::string, FileState> files_;
  std::vector<EntryChange> entry_changes_;  // Oldest first.
};

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_FAULT_INJECTION_FS_H_

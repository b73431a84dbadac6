// `semhash backup`: DB::Backup of a database opened read-only, which needs
// no lock: it works while another process has the database open for writing,
// and changes nothing in it. Should that process flush, compact or bulk-load
// while the files are copied, Backup refuses the copy (it could mix two
// moments; semhash/db.h) and the command opens the database again and
// retries, a few times. Prints the files of the backup, how many of them
// are hard links shared with the source, and the bytes copied.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/json_writer.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "backup";
constexpr int kAttempts = 5;

struct BackupArgs {
  std::string db, out;
  bool json = false;
};

struct BackupFiles {
  uint64_t files = 0, linked = 0, copied_bytes = 0;
};

// What the backup holds: a file with more than one link shares its bytes
// with the source.
BackupFiles CountFiles(const std::string& dir) {
  BackupFiles count;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    struct stat st;
    if (::stat(entry.path().c_str(), &st) != 0) continue;
    ++count.files;
    if (st.st_nlink > 1) {
      ++count.linked;
    } else {
      count.copied_bytes += static_cast<uint64_t>(st.st_size);
    }
  }
  return count;
}

Status OneAttempt(const BackupArgs& args) {
  std::unique_ptr<DB> db;
  Status s = OpenToRead(args.db, &db);
  return s.ok() ? db->Backup(args.out) : s;
}

// IOError: the source changed under the copy; Corruption: a table file the
// manifest names was deleted between reading the manifest and opening it.
// Either persists if the database is damaged, hence the bound.
bool MayPass(const Status& s) { return s.IsIOError() || s.IsCorruption(); }

Status Backup(const BackupArgs& args, int* attempts) {
  Status s;
  for (*attempts = 1;; ++*attempts) {
    s = OneAttempt(args);
    if (s.ok() || !MayPass(s) || *attempts == kAttempts) break;
    std::cerr << "semhash backup: attempt " << *attempts << " of " << kAttempts
              << " failed, retrying: " << s.ToString() << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * *attempts));
  }
  if (s.ok() || *attempts == 1) return s;
  return s.WithContext("after " + std::to_string(*attempts) + " attempts");
}

void PrintResult(const BackupArgs& args, int attempts) {
  const BackupFiles count = CountFiles(args.out);
  if (!args.json) {
    std::cout << "backed up " << args.db << " to " << args.out << ": "
              << count.files << " files, " << count.linked << " hard-linked, "
              << count.copied_bytes << " bytes copied\n";
    return;
  }
  JsonWriter json;
  json.BeginObject().Key("db").String(args.db).Key("out").String(args.out);
  json.Key("files").Uint(count.files).Key("linked_files").Uint(count.linked);
  json.Key("copied_bytes").Uint(count.copied_bytes);
  json.Key("attempts").Uint(static_cast<uint64_t>(attempts)).EndObject();
  std::cout << json.str() << "\n";
}

}  // namespace

int RunBackup(int argc, char** argv) {
  BackupArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only; another process may be writing it)")
      ("out", po::value(&args.out)->required(), "the backup: a new directory, which must not exist")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout: files, linked_files (hard links shared with the source), copied_bytes, attempts");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--db DIR --out NEW_DIR [--json]", options, argc,
                    argv, &vm, &exit_code)) {
    return exit_code;
  }
  int attempts = 0;
  const Status s = Backup(args, &attempts);
  if (!s.ok()) return Fail(kCommand, s);
  PrintResult(args, attempts);
  return kExitOk;
}

}  // namespace semhash::cli

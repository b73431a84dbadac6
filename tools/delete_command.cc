// `semhash delete`: removes images by id from a database opened for writing
// and reports how many of the ids were stored. The ids stored are deleted in
// one WriteBatch, synced before the command returns: all of them or, after a
// crash or an error, none. The batch holds every id however many there are
// (memory grows with the list); an id given twice counts once. The count is
// exact because the open holds the database's lock: no other process can
// write between the lookups and the batch.
#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/io/npy_file.h"
#include "tools/json_writer.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "delete";

struct DeleteArgs {
  std::string db, ids_path;
  std::vector<uint64_t> ids;
  bool json = false;
};

struct DeleteCounts {
  uint64_t ids = 0;      // Distinct ids given.
  uint64_t deleted = 0;  // Of them, stored and now deleted.
};

// Looks up each distinct id; deletes the stored ones in one synced write.
Status DeleteStored(DB* db, std::vector<uint64_t> ids, DeleteCounts* counts) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  counts->ids = ids.size();
  WriteBatch batch;
  Record record;
  for (const uint64_t id : ids) {
    const Status s = db->Get(id, &record);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return s;
    batch.Delete(id);
    ++counts->deleted;
  }
  if (counts->deleted == 0) return Status::OK();
  WriteOptions durable;
  durable.sync = true;
  return db->Write(durable, batch);
}

void PrintCounts(const DeleteArgs& args, const DeleteCounts& counts) {
  const uint64_t absent = counts.ids - counts.deleted;
  if (args.json) {
    JsonWriter json;
    json.BeginObject().Key("db").String(args.db);
    json.Key("ids").Uint(counts.ids);
    json.Key("deleted").Uint(counts.deleted);
    json.Key("absent").Uint(absent).EndObject();
    std::cout << json.str() << "\n";
    return;
  }
  std::cout << "deleted " << counts.deleted << " of "
            << Counted(counts.ids, "id", "ids") << " from " << args.db << "; "
            << absent << (absent == 1 ? " was" : " were") << " not stored\n";
}

Status Delete(const DeleteArgs& args) {
  std::vector<uint64_t> ids = args.ids;
  if (!args.ids_path.empty()) {
    Status s = io::ReadNpyVectorU64(args.ids_path, &ids);
    if (!s.ok()) return s.WithContext("--ids " + args.ids_path);
  }
  Options options;
  options.memory_index = Options::MemoryIndex::kOff;  // Writes RocksDB only.
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, args.db, &db);
  DeleteCounts counts;
  if (s.ok()) s = DeleteStored(db.get(), std::move(ids), &counts);
  if (s.ok()) PrintCounts(args, counts);
  return s;
}

}  // namespace

int RunDelete(int argc, char** argv) {
  DeleteArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened for writing)")
      ("id", WholeNumbers(&args.ids, uint64_t{0}), "ids to delete")
      ("ids", po::value(&args.ids_path), "a 1-D uint64 .npy of ids to delete")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout: ids (distinct ids given), deleted, absent");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--db DIR (--id N... | --ids IDS.npy) [--json]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  if (args.ids.empty() == args.ids_path.empty()) {
    return UsageError(
        kCommand, "give the ids to delete with --id or --ids (one of them)");
  }
  const Status s = Delete(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

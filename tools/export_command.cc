// `semhash export`: writes every stored image, in id order, as the files
// `semhash build --codes C --addresses A --ids I --payloads P` reads, so a
// database can be moved or rebuilt. The database is opened read-only. Each file
// is written beside its destination as NAME.tmp and renamed over it only once
// all of them are written, so a failed export leaves no partial file and
// any earlier export in place.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/io/npy_file.h"
#include "tools/io/payload_file.h"
#include "tools/json_writer.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "export";

struct ExportArgs {
  std::string db, codes, addresses, ids, payloads;
  bool json = false;
};

struct Exported {
  size_t images = 0;
  size_t code_bytes = 0;
  std::vector<uint8_t> codes;
  std::vector<Address> addresses;
  std::vector<uint64_t> ids;
  std::vector<std::string> payloads;
};

Status ReadAll(DB* db, Exported* out) {
  out->code_bytes = db->info().code_bits / 8;
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const CodeView code = it->code();
    out->codes.insert(out->codes.end(), code.begin(), code.end());
    out->addresses.push_back(it->address());
    out->ids.push_back(it->id());
    out->payloads.emplace_back(it->payload());
  }
  out->images = out->ids.size();
  return it->status();
}

// One output file: where it goes, as which flag, and what it holds: an
// array, or with `payloads` set the payloads (io/payload_file.h).
struct OutputFile {
  std::string path;
  const char* flag;
  io::NpyType type;
  std::vector<size_t> shape;
  const void* data;
  const std::vector<std::string>* payloads = nullptr;
};

Status WriteOne(const OutputFile& file, const std::string& path) {
  if (file.payloads != nullptr) {
    return io::WritePayloads(path, io::PayloadFormatOf(file.path),
                             *file.payloads);
  }
  return io::WriteNpy(path, file.type, file.shape, file.data);
}

std::string TempPath(const OutputFile& file) { return file.path + ".tmp"; }

// Writes every file to its temporary path, then renames them all into
// place; on failure removes the temporary files written.
Status WriteAll(const std::vector<OutputFile>& files) {
  Status s;
  size_t written = 0;
  for (; written < files.size() && s.ok(); ++written) {
    const OutputFile& file = files[written];
    s = WriteOne(file, TempPath(file)).WithContext(file.flag);
  }
  for (size_t i = 0; i < files.size() && s.ok(); ++i) {
    if (std::rename(TempPath(files[i]).c_str(), files[i].path.c_str()) != 0) {
      s = Status::IOError(std::string(files[i].flag) + " " + files[i].path +
                          ": cannot rename " + TempPath(files[i]) + " to it");
    }
  }
  if (!s.ok()) {
    for (size_t i = 0; i < written; ++i) {
      (void)std::remove(TempPath(files[i]).c_str());  // Absent once renamed.
    }
  }
  return s;
}

Status Export(const ExportArgs& args) {
  std::unique_ptr<DB> db;
  Status s = OpenToRead(args.db, &db);
  if (!s.ok()) return s;
  Exported all;
  s = ReadAll(db.get(), &all);
  if (!s.ok()) return s;
  std::vector<OutputFile> files = {{args.codes,
                                    "--out",
                                    io::NpyType::kUint8,
                                    {all.images, all.code_bytes},
                                    all.codes.data()}};
  if (!args.addresses.empty()) {
    files.push_back({args.addresses,
                     "--addresses",
                     io::NpyType::kUint32,
                     {all.images},
                     all.addresses.data()});
  }
  if (!args.ids.empty()) {
    files.push_back({args.ids,
                     "--ids",
                     io::NpyType::kUint64,
                     {all.images},
                     all.ids.data()});
  }
  if (!args.payloads.empty()) {
    files.push_back({args.payloads,
                     "--payloads",
                     io::NpyType::kUint8,
                     {},
                     nullptr,
                     &all.payloads});
  }
  s = WriteAll(files);
  if (!s.ok()) return s;
  if (args.json) {
    JsonWriter json;
    json.BeginObject().Key("db").String(args.db);
    json.Key("images").Uint(all.images);
    json.Key("code_bits").Uint(db->info().code_bits);
    json.Key("address_bits").Uint(db->info().address_bits);
    json.Key("files").BeginArray();
    for (const OutputFile& file : files) json.String(file.path);
    std::cout << json.EndArray().EndObject().str() << "\n";
  } else {
    std::cout << "exported " << Counted(all.images, "image", "images")
              << " from " << args.db << " (" << db->info().address_bits
              << "-bit addresses, " << db->info().code_bits << "-bit codes) to";
    for (const OutputFile& file : files) std::cout << " " << file.path;
    std::cout << "\n";
  }
  return Status::OK();
}

}  // namespace

int RunExport(int argc, char** argv) {
  ExportArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only)")
      ("out", po::value(&args.codes)->required(), "codes, in id order: 2-D uint8 .npy, code_bits/8 columns")
      ("addresses", po::value(&args.addresses), "addresses, in id order: 1-D uint32 .npy")
      ("ids", po::value(&args.ids), "ids, ascending: 1-D uint64 .npy")
      ("payloads", po::value(&args.payloads), "payloads, in id order: a 1-D .npy of byte strings ('|S'), or for any other name a text file, one per line (refused if a payload holds a newline)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR --out CODES.npy [--addresses A.npy] "
                    "[--ids I.npy] [--payloads P] [--json]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  const std::string names[] = {args.codes, args.addresses, args.ids,
                               args.payloads};
  for (size_t i = 0; i < std::size(names); ++i) {
    for (size_t j = i + 1; j < std::size(names); ++j) {
      if (!names[i].empty() && names[i] == names[j]) {
        return UsageError(kCommand,
                          "--out, --addresses, --ids and --payloads must name "
                          "different files");
      }
    }
  }
  const Status s = Export(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

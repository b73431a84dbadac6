// `semhash get`: one stored image by id, its address, code and payload, read
// with the database opened read-only, so no byte of it changes. The payload
// is shown as text when it is valid UTF-8 with no control characters (but
// tab, newline and carriage return), in hex otherwise (record_text.h).
#include <iostream>
#include <memory>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/record_text.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "get";

struct GetArgs {
  std::string db;
  uint64_t id = 0;
  bool json = false;
};

Status Get(const GetArgs& args) {
  std::unique_ptr<DB> db;
  Status s = OpenToRead(args.db, &db);
  Record record;
  if (s.ok()) s = db->Get(args.id, &record);
  if (s.ok()) PrintRecord(args.id, record, db->info().address_bits, args.json);
  return s;
}

}  // namespace

int RunGet(int argc, char** argv) {
  GetArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only)")
      ("id", WholeNumber(&args.id, uint64_t{0})->required(), "the image's id, decimal or hex (0x...)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout: id, address, address_binary, code (hex), payload_bytes, payload_encoding (utf-8 or hex), payload");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--db DIR --id N [--json]", options, argc, argv,
                    &vm, &exit_code)) {
    return exit_code;
  }
  const Status s = Get(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

// `semhash build`: fills a database from images (encoded by the database's
// encoder, trained here when the database is new) or from codes the user
// brings. Every input is read and checked before the database is created or
// changed, so a bad input leaves an existing database as it was.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "semhash/db.h"
#include "semhash/encoder.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/io/npy_file.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "build";
constexpr size_t kBatchSize = 1000;

struct BuildArgs {
  std::string db, images, codes, addresses, ids, encoder;
  size_t limit = 0;
  std::optional<uint32_t> address_bits, code_bits;
  std::optional<uint64_t> seed;
};

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

Status CreateDatabase(const BuildArgs& args,
                      std::shared_ptr<const Encoder> encoder,
                      std::unique_ptr<DB>* db) {
  Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.address_bits = args.address_bits;
  options.code_bits = args.code_bits;
  options.encoder = std::move(encoder);
  return DB::Open(options, args.db, db);
}

// The database at args.db opened read-only, so that checking the inputs
// against it changes no file; null (and OK) if there is none yet.
Status InspectExisting(const BuildArgs& args, std::unique_ptr<DB>* db) {
  Options options;
  options.read_only = true;
  options.address_bits = args.address_bits;
  options.code_bits = args.code_bits;
  const Status s = DB::Open(options, args.db, db);
  return s.IsNotFound() ? Status::OK() : s;
}

// Replaces the read-only handle, once every input has been checked, with a
// writable one (or a new database when there was none).
Status OpenForWriting(const BuildArgs& args,
                      std::shared_ptr<const Encoder> new_encoder,
                      std::unique_ptr<DB>* db) {
  const bool exists = *db != nullptr;
  db->reset();
  if (!exists) return CreateDatabase(args, std::move(new_encoder), db);
  Options options;
  options.address_bits = args.address_bits;
  options.code_bits = args.code_bits;
  return DB::Open(options, args.db, db);
}

// Writes rows in batches; the last batch is synced, which makes every
// earlier one durable too (they share the write-ahead log).
Status WriteRows(DB* db, const std::vector<uint64_t>& ids,
                 const std::vector<Address>& addresses,
                 const std::vector<uint8_t>& codes, size_t code_bytes) {
  WriteBatch batch;
  for (size_t i = 0; i < ids.size(); ++i) {
    batch.Put(ids[i], addresses[i],
              CodeView(codes.data() + i * code_bytes, code_bytes));
    const bool last = i + 1 == ids.size();
    if (batch.size() < kBatchSize && !last) continue;
    WriteOptions options;
    options.sync = last;
    Status s = db->Write(options, batch);
    if (!s.ok()) return s;
    batch.Clear();
  }
  return Status::OK();
}

Status CheckExistingEncoder(const BuildArgs& args, const DB& db, size_t dim) {
  const Encoder* encoder = db.encoder();
  if (encoder == nullptr) {
    return Status::InvalidArgument(
        args.db + " holds codes brought by the user; add to it with --codes");
  }
  if (encoder->kind() != args.encoder) {
    return Status::InvalidArgument(args.db + " encodes with " +
                                   encoder->kind() + ", not " + args.encoder);
  }
  const std::string wanted = "seed=" + std::to_string(args.seed.value_or(0));
  if (args.seed.has_value() && encoder->params() != wanted) {
    return Status::InvalidArgument(args.db + ": encoder has " +
                                   encoder->params() + ", --seed says " +
                                   wanted);
  }
  if (encoder->input_dim() != dim) {
    return Status::InvalidArgument(args.images + ": images of " +
                                   std::to_string(dim) +
                                   " values; the database's encoder takes " +
                                   std::to_string(encoder->input_dim()));
  }
  return Status::OK();
}

Status BuildFromImages(const BuildArgs& args, std::unique_ptr<DB>* db,
                       size_t* added) {
  size_t rows = 0, dim = 0;
  std::vector<float> vectors;
  Status s =
      ReadImageVectors(args.images, 0, args.limit, &rows, &dim, &vectors);
  if (s.ok() && rows == 0)
    s = Status::InvalidArgument(args.images + ": no images");
  if (s.ok()) s = InspectExisting(args, db);
  if (!s.ok()) return s;
  std::unique_ptr<Encoder> trained;
  if (*db != nullptr) {
    s = CheckExistingEncoder(args, **db, dim);
  } else {
    LshOptions lsh;
    lsh.address_bits = args.address_bits.value_or(kDefaultAddressBits);
    lsh.code_bits = args.code_bits.value_or(kDefaultCodeBits);
    lsh.seed = args.seed.value_or(42);
    s = TrainLshEncoder(lsh, rows, vectors.data(), dim, &trained);
  }
  if (s.ok()) s = OpenForWriting(args, std::move(trained), db);
  if (!s.ok()) return s;
  const Encoder& encoder = *(*db)->encoder();
  const size_t code_bytes = encoder.code_bits() / 8;
  std::vector<Address> addresses(rows);
  std::vector<uint8_t> codes(rows * code_bytes);
  s = encoder.Encode(rows, vectors.data(), dim, addresses.data(), codes.data());
  if (!s.ok()) return s;
  std::vector<uint64_t> ids(rows);
  for (size_t i = 0; i < rows; ++i) ids[i] = i;
  *added = rows;
  return WriteRows(db->get(), ids, addresses, codes, code_bytes);
}

Status ReadIds(const BuildArgs& args, const CodeRows& rows,
               std::vector<uint64_t>* ids) {
  if (args.ids.empty()) {
    ids->resize(rows.rows);
    for (size_t i = 0; i < rows.rows; ++i) (*ids)[i] = i;
    return Status::OK();
  }
  Status s = io::ReadNpyVectorU64(args.ids, ids);
  if (s.ok() && ids->size() != rows.file_rows) {
    s = Status::InvalidArgument(args.ids + ": " + std::to_string(ids->size()) +
                                " ids for " + std::to_string(rows.file_rows) +
                                " codes in " + args.codes);
  }
  ids->resize(rows.rows);
  return s;
}

Status BuildFromCodes(const BuildArgs& args, std::unique_ptr<DB>* db,
                      size_t* added) {
  Status s = InspectExisting(args, db);
  if (!s.ok()) return s;
  if (*db != nullptr && (*db)->encoder() != nullptr) {
    return Status::InvalidArgument(args.db + " encodes images with " +
                                   (*db)->encoder()->kind() +
                                   "; codes can only go to a database of "
                                   "external codes");
  }
  const uint32_t code_bits =
      *db ? (*db)->info().code_bits : args.code_bits.value_or(kDefaultCodeBits);
  const uint32_t address_bits =
      *db ? (*db)->info().address_bits
          : args.address_bits.value_or(kDefaultAddressBits);
  CodeRows rows;
  s = ReadCodeRows(args.codes, args.addresses, code_bits, address_bits, 0,
                   args.limit, &rows);
  std::vector<uint64_t> ids;
  if (s.ok()) s = ReadIds(args, rows, &ids);
  if (s.ok()) s = OpenForWriting(args, nullptr, db);
  if (!s.ok()) return s;
  *added = rows.rows;
  return WriteRows(db->get(), ids, rows.addresses, rows.codes, rows.code_bytes);
}

}  // namespace

int RunBuild(int argc, char** argv) {
  BuildArgs args;
  po::options_description options("options");
  options.add_options()("help,h", "show this help")(
      "db", po::value(&args.db)->required(),
      "database directory (created if absent)")(
      "images", po::value(&args.images),
      "IDX image file (.idx or .gz); ids are image indices")(
      "codes", po::value(&args.codes),
      "2-D uint8 .npy of packed codes (numpy packbits order)")(
      "addresses", po::value(&args.addresses),
      "with --codes: 1-D uint32 .npy of addresses (default: first address-bits "
      "bits of each code)")(
      "ids", po::value(&args.ids),
      "with --codes: 1-D uint64 .npy of ids (default 0..N-1)")(
      "limit", po::value(&args.limit), "use only the first N rows")(
      "encoder", po::value(&args.encoder)->default_value("lsh"),
      "with --images: encoder of a new database (lsh)")(
      "address-bits", po::value<uint32_t>(),
      "address width of a new database (default 30)")(
      "code-bits", po::value<uint32_t>(),
      "code width of a new database (default 256)")(
      "seed", po::value<uint64_t>(),
      "with --images: encoder seed of a new database (default 42)");
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR (--images FILE | --codes FILE) [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  if (vm.count("address-bits"))
    args.address_bits = vm["address-bits"].as<uint32_t>();
  if (vm.count("code-bits")) args.code_bits = vm["code-bits"].as<uint32_t>();
  if (vm.count("seed")) args.seed = vm["seed"].as<uint64_t>();
  if (args.images.empty() == args.codes.empty()) {
    return UsageError(kCommand, "give exactly one of --images and --codes");
  }
  if (!args.images.empty() && (vm.count("addresses") || vm.count("ids"))) {
    return UsageError(kCommand, "--addresses and --ids go with --codes");
  }
  if (!args.codes.empty() && (vm.count("seed") || !vm["encoder"].defaulted())) {
    return UsageError(kCommand, "--encoder and --seed go with --images");
  }
  if (args.encoder != "lsh") {
    return UsageError(kCommand,
                      "unknown encoder '" + args.encoder + "' (known: lsh)");
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<DB> db;
  size_t added = 0;
  const Status s = args.images.empty() ? BuildFromCodes(args, &db, &added)
                                       : BuildFromImages(args, &db, &added);
  if (!s.ok()) return Fail(kCommand, s);
  const DatabaseInfo info = db->info();
  db.reset();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::cout << "built " << args.db << ": " << added << " images in " << seconds
            << " s (" << static_cast<uint64_t>(added / seconds)
            << " images/s)\n"
            << "encoder " << info.encoder_kind
            << (info.encoder_params.empty() ? ""
                                            : "(" + info.encoder_params + ")")
            << ", " << info.address_bits << "-bit addresses, " << info.code_bits
            << "-bit codes, " << DirectoryBytes(args.db) << " bytes on disk\n";
  return kExitOk;
}

}  // namespace semhash::cli

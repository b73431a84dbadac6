// `semhash build`: fills a database from feature vectors (encoded by the
// database's encoder: trained here, or read from --model, when the database
// is new) or from codes the user brings. Every input is read and checked
// against a read-only view of the database before it is created or opened
// for writing, so a bad input leaves an existing database as it was.
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
  std::string db, images, codes, addresses, ids, model;
  size_t limit = 0;
  uint64_t id_offset = 0;
  EncoderFlags encoder;
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
  options.address_bits = args.encoder.address_bits;
  options.code_bits = args.encoder.code_bits;
  options.encoder = std::move(encoder);
  return DB::Open(options, args.db, db);
}

// The database at args.db opened read-only, so that checking the inputs
// against it changes no file; null (and OK) if there is none yet.
Status InspectExisting(const BuildArgs& args, std::unique_ptr<DB>* db) {
  Options options;
  options.read_only = true;
  options.address_bits = args.encoder.address_bits;
  options.code_bits = args.encoder.code_bits;
  const Status s = DB::Open(options, args.db, db);
  return s.IsNotFound() ? Status::OK() : s;
}

// Replaces the read-only handle, once every input has been checked, with a
// writable one, or a new database made with `new_encoder`.
Status OpenForWriting(const BuildArgs& args,
                      std::shared_ptr<const Encoder> new_encoder,
                      std::unique_ptr<DB>* db) {
  const bool exists = *db != nullptr;
  db->reset();
  if (!exists) return CreateDatabase(args, std::move(new_encoder), db);
  Options options;
  options.address_bits = args.encoder.address_bits;
  options.code_bits = args.encoder.code_bits;
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

// The encoder of a new database: read from --model, or trained on the input.
Status NewEncoder(const BuildArgs& args, size_t rows,
                  const std::vector<float>& vectors, size_t dim,
                  std::unique_ptr<Encoder>* encoder) {
  if (!args.model.empty()) return LoadEncoderFile(args.model, encoder);
  return TrainEncoder(args.encoder.ToOptions(), rows, vectors.data(), dim,
                      encoder);
}

// What an existing database's encoder must agree with.
Status CheckExistingEncoder(const BuildArgs& args, const DB& db, size_t dim) {
  const Encoder* encoder = db.encoder();
  if (encoder == nullptr) {
    return Status::InvalidArgument(
        args.db + " holds codes brought by the user; add to it with --codes");
  }
  Status s = args.encoder.CheckMatches(*encoder);
  if (s.ok() && !args.model.empty()) {
    std::unique_ptr<Encoder> model;
    s = LoadEncoderFile(args.model, &model);
    if (s.ok() && model->Serialize() != encoder->Serialize()) {
      s = Status::InvalidArgument(args.model + " is not the model " + args.db +
                                  " was built with");
    }
  }
  if (s.ok() && encoder->input_dim() != dim) {
    s = Status::InvalidArgument(args.images + ": vectors of " +
                                std::to_string(dim) +
                                " values; the database's encoder takes " +
                                std::to_string(encoder->input_dim()));
  }
  return s.ok() ? s : s.WithContext(args.db);
}

Status BuildFromVectors(const BuildArgs& args, std::unique_ptr<DB>* db,
                        size_t* added) {
  size_t rows = 0, dim = 0;
  std::vector<float> vectors;
  Status s =
      ReadFeatureVectors(args.images, 0, args.limit, &rows, &dim, &vectors);
  if (s.ok() && rows == 0)
    s = Status::InvalidArgument(args.images + ": no vectors");
  if (s.ok()) s = InspectExisting(args, db);
  if (!s.ok()) return s;
  std::unique_ptr<Encoder> encoder;
  s = *db != nullptr ? CheckExistingEncoder(args, **db, dim)
                     : NewEncoder(args, rows, vectors, dim, &encoder);
  if (s.ok()) s = OpenForWriting(args, std::move(encoder), db);
  if (!s.ok()) return s;
  const Encoder& stored = *(*db)->encoder();
  const size_t code_bytes = stored.code_bits() / 8;
  std::vector<Address> addresses(rows);
  std::vector<uint8_t> codes(rows * code_bytes);
  s = stored.Encode(rows, vectors.data(), dim, addresses.data(), codes.data());
  if (!s.ok()) return s;
  std::vector<uint64_t> ids(rows);
  for (size_t i = 0; i < rows; ++i) ids[i] = args.id_offset + i;
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
      *db ? (*db)->info().code_bits
          : args.encoder.code_bits.value_or(kDefaultCodeBits);
  const uint32_t address_bits =
      *db ? (*db)->info().address_bits
          : args.encoder.address_bits.value_or(kDefaultAddressBits);
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

// Usage errors that the option parser cannot see; empty if none.
std::string CheckCombination(const BuildArgs& args,
                             const po::variables_map& vm) {
  if (args.images.empty() == args.codes.empty()) {
    return "give exactly one of --images and --codes";
  }
  if (!args.images.empty() && (vm.count("addresses") || vm.count("ids"))) {
    return "--addresses and --ids go with --codes";
  }
  if (!args.codes.empty() && vm.count("id-offset")) {
    return "--id-offset goes with --images (--ids gives codes their ids)";
  }
  const EncoderFlags& e = args.encoder;
  if (!args.codes.empty() &&
      (e.kind || e.seed || e.sample || e.iterations || !args.model.empty())) {
    return "--encoder, --model and the training options go with --images";
  }
  if (!args.model.empty() && (e.kind || e.seed || e.sample || e.iterations)) {
    return "--model brings a trained encoder: no training options with it";
  }
  return "";
}

}  // namespace

int RunBuild(int argc, char** argv) {
  BuildArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("help,h", "show this help")
      ("db", po::value(&args.db)->required(), "database directory (created if absent)")
      ("images", po::value(&args.images), "feature vectors: IDX images (.idx, .gz), .npy, .fvecs or .bvecs; ids are row indices plus --id-offset")
      ("codes", po::value(&args.codes), "2-D uint8 .npy of packed codes (numpy packbits order)")
      ("addresses", po::value(&args.addresses), "with --codes: 1-D uint32 .npy of addresses (default: first address-bits bits of each code)")
      ("ids", po::value(&args.ids), "with --codes: 1-D uint64 .npy of ids (default 0..N-1)")
      ("limit", po::value(&args.limit), "use only the first N rows")
      ("id-offset", po::value(&args.id_offset), "with --images: the id of row 0 (default 0), so several files can share a database")
      ("model", po::value(&args.model), "with --images: encoder model file written by `semhash train`");
  // clang-format on
  args.encoder.AddTo(&options);
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR (--images FILE | --codes FILE) [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  args.encoder.Read(vm);
  const std::string usage = CheckCombination(args, vm);
  if (!usage.empty()) return UsageError(kCommand, usage);
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<DB> db;
  size_t added = 0;
  const Status s = args.images.empty() ? BuildFromCodes(args, &db, &added)
                                       : BuildFromVectors(args, &db, &added);
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

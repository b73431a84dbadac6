// `semhash build`: fills a database from feature vectors (encoded by the
// database's encoder: trained here, or read from --model, when the database
// is new), from image files (image_build.cc) or from codes the user brings.
// With --encoder torchscript, --model is the TorchScript module the new
// database stores as its encoder.
//
// Inputs are checked against a read-only view of the database before it is
// created or opened for writing. A new database is staged
// (Options::stage_new_database) and published at DIR when complete, and
// large inputs go through one bulk load (semhash/bulk_load.h), so a build
// that fails or is killed leaves the previous state: no database, or the old
// one unchanged.
// Small additions to an existing database are validated whole, then written
// in batches.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tools/build_steps.h"
#include "tools/cli.h"
#include "tools/code_file_input.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/images/image_list.h"
#include "tools/io/payload_file.h"
#include "tools/number_flags.h"
#include "tools/progress.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "build";
constexpr size_t kBatchSize = 1000;
// Inputs of at least this many images go to an existing database through a
// bulk load; a new database always gets one.
constexpr size_t kBulkMinRows = 100000;
constexpr size_t kSliceRows = 1 << 16;
// The most multi-index tables any code takes: code_bits / 4 (options.h).
constexpr uint64_t kMaxTables = kMaxCodeBits / 4;

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// --tables as a count for a new database of `rows` images of code_bits.
std::optional<uint32_t> TablesFor(const BuildArgs& args, uint32_t code_bits,
                                  size_t rows) {
  if (args.tables.empty()) return std::nullopt;
  if (args.tables == "auto") return AdviseMultiIndexTables(code_bits, rows);
  return static_cast<uint32_t>(ParseWholeNumber(args.tables).value());
}

Status CreateDatabase(BuildArgs* args, std::shared_ptr<const Encoder> encoder,
                      size_t rows, std::unique_ptr<DB>* db) {
  Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.memory_index = Options::MemoryIndex::kOff;  // Nothing is searched.
  options.address_bits = args->encoder.address_bits;
  options.code_bits = args->encoder.code_bits;
  options.mih_tables =
      TablesFor(*args,
                args->encoder.code_bits.value_or(encoder ? encoder->code_bits()
                                                         : kDefaultCodeBits),
                rows);
  options.encoder = std::move(encoder);
  // Nothing at args.db until DB::Publish, so a failed or killed build
  // leaves no database.
  options.stage_new_database = true;
  args->created = true;
  return DB::Open(options, args->db, db);
}

}  // namespace

// The database at args.db opened read-only, so that checking the inputs
// against it changes no file; null (and OK) if there is none yet.
Status InspectExisting(const BuildArgs& args, std::unique_ptr<DB>* db) {
  Options options;
  options.read_only = true;
  options.memory_index = Options::MemoryIndex::kOff;
  options.address_bits = args.encoder.address_bits;
  options.code_bits = args.encoder.code_bits;
  if (args.tables != "auto") options.mih_tables = TablesFor(args, 0, 0);
  const Status s = DB::Open(options, args.db, db);
  return s.IsNotFound() ? Status::OK() : s;
}

// Replaces the read-only handle, once every input has been checked, with a
// writable one, or a new database made with `new_encoder`.
Status OpenForWriting(BuildArgs* args,
                      std::shared_ptr<const Encoder> new_encoder, size_t rows,
                      std::unique_ptr<DB>* db) {
  const bool exists = *db != nullptr;
  db->reset();
  if (!exists) return CreateDatabase(args, std::move(new_encoder), rows, db);
  Options options;
  options.memory_index = Options::MemoryIndex::kOff;
  options.address_bits = args->encoder.address_bits;
  options.code_bits = args->encoder.code_bits;
  if (args->tables != "auto") {
    options.mih_tables = TablesFor(*args, 0, rows);
  }
  return DB::Open(options, args->db, db);
}

namespace {

// Streams every image into one bulk load, with a progress bar per phase.
Status BulkLoad(DB* db, const BuildArgs& args, size_t rows,
                const SliceReader& read) {
  const bool show = ProgressBar::ShouldShow(args.quiet);
  std::unique_ptr<ProgressBar> bar;
  std::string phase;
  BulkLoadOptions options;
  options.memory_bytes = args.memory;
  options.progress = [&](const BulkLoadProgress& p) {
    if (phase != p.phase) {
      if (bar) bar->Finish();
      phase = p.phase;
      bar = std::make_unique<ProgressBar>(phase, p.total, show);
    }
    bar->Update(p.done);
  };
  std::unique_ptr<BulkLoader> loader;
  Status s = db->NewBulkLoader(options, &loader);
  if (!s.ok()) return s;
  {
    ProgressBar reading("read", rows, show);
    ImageSlice slice;
    while (s.ok() && loader->queued() < rows) {
      s = read(kSliceRows, &slice);
      if (s.ok()) {
        s = loader->Add(slice.ids.size(), slice.ids.data(),
                        slice.addresses.data(), slice.codes.data());
      }
      reading.Update(loader->queued());
    }
    if (s.ok()) reading.Finish();
  }
  if (s.ok()) s = loader->Finish();
  if (bar && s.ok()) bar->Finish();
  return s;
}

// Reads every image first, then writes them in batches, with their payloads;
// the last batch is synced, which makes every earlier one durable too (they
// share the write-ahead log).
Status WriteInBatches(DB* db, size_t rows, size_t code_bytes,
                      const SliceReader& read) {
  ImageSlice all, slice;
  while (all.ids.size() < rows) {
    Status s = read(kSliceRows, &slice);
    if (!s.ok()) return s;
    all.ids.insert(all.ids.end(), slice.ids.begin(), slice.ids.end());
    all.addresses.insert(all.addresses.end(), slice.addresses.begin(),
                         slice.addresses.end());
    all.codes.insert(all.codes.end(), slice.codes.begin(), slice.codes.end());
    all.payloads.insert(all.payloads.end(), slice.payloads.begin(),
                        slice.payloads.end());
  }
  WriteBatch batch;
  for (size_t i = 0; i < rows; ++i) {
    batch.Put(all.ids[i], all.addresses[i],
              CodeView(all.codes.data() + i * code_bytes, code_bytes),
              all.payloads.empty() ? std::string_view() : all.payloads[i]);
    const bool last = i + 1 == rows;
    if (batch.size() < kBatchSize && !last) continue;
    WriteOptions options;
    options.sync = last;
    Status s = db->Write(options, batch);
    if (!s.ok()) return s;
    batch.Clear();
  }
  return Status::OK();
}

}  // namespace

// `payloads`: whether the slices carry them, which a bulk load cannot store.
Status StoreImages(DB* db, const BuildArgs& args, size_t rows,
                   size_t code_bytes, bool payloads, const SliceReader& read) {
  const bool bulk = !payloads && (args.created || rows >= kBulkMinRows);
  return bulk ? BulkLoad(db, args, rows, read)
              : WriteInBatches(db, rows, code_bytes, read);
}

// The encoder of a new database: read from --model, or trained on the input
// (with --encoder torchscript: made of the module --model names).
Status NewEncoder(const BuildArgs& args, const io::Vectors& input,
                  std::unique_ptr<Encoder>* encoder) {
  if (!args.model.empty() && !args.encoder.torchscript()) {
    return LoadModelFile(args.model, encoder);
  }
  if (args.model.empty() && args.encoder.torchscript()) {
    return Status::InvalidArgument(
        "a new database with --encoder torchscript needs --model FILE.pt, "
        "the TorchScript module (torch.jit.save)");
  }
  return TrainShowingProgress(args.encoder, input, args.quiet, encoder);
}

namespace {

// The threshold a torchscript encoder's params ("threshold=T") record.
float TorchScriptThreshold(const Encoder& encoder) {
  constexpr std::string_view kKey = "threshold=";
  const std::string& params = encoder.params();
  float threshold = 0;
  if (params.compare(0, kKey.size(), kKey) == 0) {
    std::from_chars(params.data() + kKey.size(), params.data() + params.size(),
                    threshold);
  }
  return threshold;
}

// The encoder --model gives, to compare with the database's `stored` one:
// the model file's, or with --encoder torchscript the module's with the
// stored widths and threshold.
Status ModelOfArgs(const BuildArgs& args, const Encoder& stored,
                   const io::Vectors& input, std::unique_ptr<Encoder>* model) {
  if (!args.encoder.torchscript()) return LoadModelFile(args.model, model);
  EncoderOptions options;
  Status s = args.encoder.ToOptions(input, &options);
  if (!s.ok()) return s;
  options.address_bits = stored.address_bits();
  options.code_bits = stored.code_bits();
  options.torchscript_threshold = TorchScriptThreshold(stored);
  return TrainEncoder(options, input.rows, input.values.data(), input.dim,
                      model);
}

}  // namespace

// What an existing database's encoder must agree with.
Status CheckExistingEncoder(const BuildArgs& args, const DB& db,
                            const io::Vectors& input) {
  const size_t dim = input.dim;
  const Encoder* encoder = db.encoder();
  if (encoder == nullptr) {
    return Status::InvalidArgument(
        args.db + " holds codes brought by the user; add to it with --codes");
  }
  Status s = args.encoder.CheckMatches(*encoder);
  if (s.ok() && encoder->input_dim() != dim) {
    s = Status::InvalidArgument(args.images + ": vectors of " +
                                std::to_string(dim) +
                                " values; the database's encoder takes " +
                                std::to_string(encoder->input_dim()));
  }
  if (s.ok() && !args.model.empty()) {
    std::unique_ptr<Encoder> model;
    s = ModelOfArgs(args, *encoder, input, &model);
    if (s.ok() && model->Serialize() != encoder->Serialize()) {
      s = Status::InvalidArgument(args.model + " is not the model " + args.db +
                                  " was built with");
    }
  }
  return s.ok() ? s : s.WithContext(args.db);
}

namespace {

Status BuildFromVectors(BuildArgs* args, std::unique_ptr<DB>* db,
                        size_t* added) {
  io::Vectors input;
  Status s = io::ReadVectors(args->images, 0, args->limit, &input);
  if (s.ok() && input.rows == 0)
    s = Status::InvalidArgument(args->images + ": no vectors");
  if (s.ok() && input.rows - 1 > UINT64_MAX - args->id_offset) {
    s = Status::InvalidArgument(
        "--id-offset " + std::to_string(args->id_offset) + ": the ids of " +
        std::to_string(input.rows) + " rows would pass 2^64 - 1");
  }
  if (s.ok()) s = InspectExisting(*args, db);
  if (!s.ok()) return s;
  const size_t rows = input.rows, dim = input.dim;
  const std::vector<float>& vectors = input.values;
  std::unique_ptr<Encoder> encoder;
  s = *db != nullptr ? CheckExistingEncoder(*args, **db, input)
                     : NewEncoder(*args, input, &encoder);
  if (s.ok()) s = OpenForWriting(args, std::move(encoder), rows, db);
  if (!s.ok()) return s;
  const Encoder& stored = *(*db)->encoder();
  const size_t code_bytes = stored.code_bits() / 8;
  ImageSlice all;
  all.addresses.resize(rows);
  all.codes.resize(rows * code_bytes);
  s = stored.Encode(rows, vectors.data(), dim, all.addresses.data(),
                    all.codes.data());
  if (!s.ok()) return s;
  size_t next = 0;
  const SliceReader read = [&](size_t n, ImageSlice* slice) {
    n = std::min(n, rows - next);
    slice->ids.resize(n);
    for (size_t i = 0; i < n; ++i) slice->ids[i] = args->id_offset + next + i;
    slice->addresses.assign(all.addresses.begin() + next,
                            all.addresses.begin() + next + n);
    slice->codes.assign(all.codes.begin() + next * code_bytes,
                        all.codes.begin() + (next + n) * code_bytes);
    next += n;
    return Status::OK();
  };
  *added = rows;
  return StoreImages(db->get(), *args, rows, code_bytes, false, read);
}

// The payloads of --payloads for `rows` codes: one per code row (the first
// `rows` with --limit), none over kMaxPayloadBytes.
Status ReadPayloadsFor(const BuildArgs& args, size_t rows,
                       std::vector<std::string>* payloads) {
  Status s = io::ReadPayloads(args.payloads, payloads);
  if (!s.ok()) return s;
  const size_t have = payloads->size();
  if (have < rows || (args.limit == 0 && have != rows)) {
    return Status::InvalidArgument(
        args.payloads + ": " + Counted(have, "payload", "payloads") + " for " +
        Counted(rows, "code", "codes") + " in " + args.codes);
  }
  payloads->resize(rows);
  for (size_t row = 0; row < rows; ++row) {
    if ((*payloads)[row].size() > kMaxPayloadBytes) {
      return Status::InvalidArgument(args.payloads + ": row " +
                                     std::to_string(row) + " holds " +
                                     std::to_string((*payloads)[row].size()) +
                                     " bytes; a payload holds at most " +
                                     std::to_string(kMaxPayloadBytes));
    }
  }
  return Status::OK();
}

Status BuildFromCodes(BuildArgs* args, std::unique_ptr<DB>* db, size_t* added) {
  Status s = InspectExisting(*args, db);
  if (!s.ok()) return s;
  if (*db != nullptr && (*db)->encoder() != nullptr) {
    return Status::InvalidArgument(args->db + " encodes images with " +
                                   (*db)->encoder()->kind() +
                                   "; codes can only go to a database of "
                                   "external codes");
  }
  const uint32_t code_bits =
      *db ? (*db)->info().code_bits
          : args->encoder.code_bits.value_or(kDefaultCodeBits);
  const uint32_t address_bits =
      *db ? (*db)->info().address_bits
          : args->encoder.address_bits.value_or(kDefaultAddressBits);
  std::unique_ptr<CodeFileInput> input;
  s = CodeFileInput::Open(args->codes, args->addresses, args->ids, code_bits,
                          address_bits, args->limit, &input);
  if (s.ok() && input->rows() == 0) {
    s = Status::InvalidArgument(args->codes + ": no codes");
  }
  std::vector<std::string> payloads;
  if (s.ok() && !args->payloads.empty()) {
    s = ReadPayloadsFor(*args, input->rows(), &payloads);
  }
  if (s.ok()) s = OpenForWriting(args, nullptr, input->rows(), db);
  if (!s.ok()) return s;
  *added = input->rows();
  size_t next = 0;
  return StoreImages(db->get(), *args, input->rows(), input->code_bytes(),
                     !payloads.empty(), [&](size_t n, ImageSlice* slice) {
                       Status s = input->Read(n, slice);
                       if (s.ok() && !payloads.empty()) {
                         slice->payloads.assign(
                             payloads.begin() + next,
                             payloads.begin() + next + slice->ids.size());
                         next += slice->ids.size();
                       }
                       return s;
                     });
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
  if (!args.payloads.empty() && args.codes.empty()) {
    return "--payloads goes with --codes (an image file's payload is its path)";
  }
  if (!args.codes.empty() && vm.count("id-offset")) {
    return "--id-offset goes with --images (--ids gives codes their ids)";
  }
  const EncoderFlags& e = args.encoder;
  if (!args.codes.empty() && (e.kind || e.any_training_option() ||
                              e.threshold || !args.model.empty())) {
    return "--encoder, --model and the training options go with --images";
  }
  const std::string torchscript_usage = e.TorchScriptUsage();
  if (!torchscript_usage.empty()) return torchscript_usage;
  if (!args.codes.empty() &&
      (args.image.side || args.image.colour || args.image.skip_bad)) {
    return "--image-size, --colour and --skip-bad go with --images";
  }
  const std::string image_usage = args.image.UsageProblem();
  if (!image_usage.empty()) return image_usage;
  if (!args.model.empty() && !e.torchscript() &&
      (e.kind || e.any_training_option())) {
    return "--model brings a trained encoder: no training options with it";
  }
  if (!args.tables.empty() && args.tables != "auto") {
    const std::optional<uint64_t> tables = ParseWholeNumber(args.tables);
    if (!tables || *tables > kMaxTables) {
      return "--tables takes 'auto' or a number of tables in 0.." +
             std::to_string(kMaxTables) + ", not '" + args.tables + "'";
    }
  }
  return "";
}

}  // namespace

int RunBuild(int argc, char** argv) {
  BuildArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (created if absent)")
      ("images", po::value(&args.images), "image files (a directory, searched recursively, a .png/.jpg/.jpeg file, or a .txt list of paths): ids are hashes of the paths, stored as payloads; or feature vectors: IDX images (.idx, .gz), .npy, .fvecs or .bvecs, ids are row indices plus --id-offset")
      ("codes", po::value(&args.codes), "2-D uint8 .npy of packed codes (numpy packbits order)")
      ("addresses", po::value(&args.addresses), "with --codes: 1-D uint32 .npy of addresses (default the first address-bits bits of each code)")
      ("ids", po::value(&args.ids), "with --codes: 1-D uint64 .npy of ids (default 0..N-1)")
      ("payloads", po::value(&args.payloads), "with --codes: each code's payload, one per line of a text file or a 1-D .npy of strings (bytes '|S' or unicode '<U')")
      ("limit", WholeNumber<size_t>(&args.limit, 1), "use only the first N rows (default all)")
      ("id-offset", WholeNumber<uint64_t>(&args.id_offset, 0), "with --images: the id of row 0, so several files can share a database (default 0)")
      ("model", po::value(&args.model), "with --images: encoder model file written by `semhash train`; with --encoder torchscript, the TorchScript module (torch.jit.save) to store")
      ("memory", ByteSize(&args.memory), ("memory for sorting a bulk load, e.g. 512M, 2G or 2GiB; larger inputs are sorted in runs on disk (default " + FormatByteSize(args.memory) + ")").c_str())
      ("tables", po::value(&args.tables), "new database: multi-index hashing tables over substrings of the codes, a number or 'auto' (MIH's rule: substrings of about log2 N bits) (default 0, none)")
      ("quiet,q", po::bool_switch(&args.quiet), "no progress bars");
  // clang-format on
  args.encoder.AddTo(&options);
  args.image.AddTo(&options, /*with_skip_bad=*/true);
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR (--images FILE | --codes FILE) [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  args.encoder.Read(vm);
  args.image.Read(vm);
  const std::string usage = CheckCombination(args, vm);
  if (!usage.empty()) return UsageError(kCommand, usage);
  if (args.encoder.torchscript()) args.encoder.torchscript_path = args.model;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<DB> db;
  size_t added = 0;
  Status s = !args.codes.empty() ? BuildFromCodes(&args, &db, &added)
             : images::IsImageInput(args.images)
                 ? BuildFromImageFiles(&args, &db, &added)
                 : BuildFromVectors(&args, &db, &added);
  const DatabaseInfo info = db != nullptr ? db->info() : DatabaseInfo();
  if (s.ok() && args.created) s = DB::Publish(&db);
  db.reset();  // Unpublished, a new database is deleted here.
  if (!s.ok()) return Fail(kCommand, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::cout << "built " << args.db << ": " << Counted(added, "image", "images")
            << " in " << seconds << " s ("
            << static_cast<uint64_t>(added / seconds) << " images/s)\n"
            << "encoder " << info.encoder_kind
            << (info.encoder_params.empty() ? ""
                                            : "(" + info.encoder_params + ")")
            << ", " << info.address_bits << "-bit addresses, " << info.code_bits
            << "-bit codes, " << DirectoryBytes(args.db) << " bytes on disk\n"
            << args.image_report;
  return kExitOk;
}

}  // namespace semhash::cli

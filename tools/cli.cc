// Shared subcommand plumbing (see cli.h).
#include "tools/cli.h"

#include <charconv>
#include <iostream>
#include <typeinfo>
#include <utility>

#include "tools/io/npy_file.h"
#include "tools/io/regular_file.h"
#include "tools/io/vector_file.h"
#include "tools/progress.h"
#include "tools/training_progress.h"

namespace semhash::cli {

namespace {

template <typename... Numbers>
bool IsNumberOrListOfThem(const std::type_info& type) {
  return ((type == typeid(Numbers) || type == typeid(std::vector<Numbers>)) ||
          ...);
}

// A numeric option declared without a range (number_flags.h): its name, or
// "" if every one has a range. Boost's own parsing of numbers wraps "-3".
std::string UncheckedNumber(const po::options_description& options) {
  for (const auto& option : options.options()) {
    const auto* typed =
        dynamic_cast<const po::typed_value_base*>(option->semantic().get());
    if (typed == nullptr ||
        dynamic_cast<const CheckedNumber*>(option->semantic().get())) {
      continue;
    }
    if (IsNumberOrListOfThem<short, unsigned short, int, unsigned, long,
                             unsigned long, long long, unsigned long long,
                             float, double, long double>(typed->value_type())) {
      return option->long_name();
    }
  }
  return "";
}

}  // namespace

bool ParseOptions(const std::string& command, const std::string& usage,
                  const po::options_description& options, int argc, char** argv,
                  po::variables_map* vm, int* exit_code) {
  const std::string unchecked = UncheckedNumber(options);
  if (!unchecked.empty()) {
    std::cerr << "semhash " << command << ": internal error: --" << unchecked
              << " is a number without a range (tools/number_flags.h)\n";
    *exit_code = kExitFailure;
    return false;
  }
  // Every command takes --help, listed first.
  po::options_description all("options");
  all.add_options()("help,h", "show this help");
  for (const auto& option : options.options()) all.add(option);
  try {
    const po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).run();
    po::store(parsed, *vm);
    if (vm->count("help")) {
      std::cout << "usage: semhash " << command << " " << usage << "\n\n"
                << all << "\n";
      *exit_code = kExitOk;
      return false;
    }
    // Without a positional description Boost keeps stray words aside, and
    // store() drops them: a mistyped "--k 5 10" would run with k 5.
    const std::vector<std::string> stray =
        po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) {
      std::string words;
      for (const std::string& word : stray) words += " '" + word + "'";
      *exit_code =
          UsageError(command, std::string("unexpected argument") +
                                  (stray.size() > 1 ? "s" : "") + words +
                                  ": every value follows its --flag");
      return false;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    *exit_code = UsageError(command, e.what());
    return false;
  }
  return true;
}

int Fail(const std::string& command, const Status& status) {
  std::cerr << "semhash " << command << ": error: " << status.ToString()
            << "\n";
  return kExitFailure;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "semhash " << command << ": " << message << "\n(see semhash "
            << command << " --help)\n";
  return kExitUsage;
}

namespace {

Status SliceRows(const std::string& path, size_t total, size_t first,
                 size_t count, size_t* begin, size_t* end) {
  if (first >= total) {
    return Status::InvalidArgument(path + ": first row " +
                                   std::to_string(first) + " is past its " +
                                   std::to_string(total) + " rows");
  }
  *begin = first;
  *end = count == 0 ? total : std::min(total, first + count);
  return Status::OK();
}

// `value` as an encoder's params write it: the shortest decimal that reads
// back as it, 0 for -0.
std::string ParamsDecimal(float value) {
  char text[32];
  const auto result =
      std::to_chars(text, text + sizeof text, value == 0 ? 0.0f : value);
  return std::string(text, result.ptr);
}

Status CheckAddresses(const std::string& path,
                      const std::vector<Address>& addresses,
                      uint32_t address_bits) {
  if (address_bits >= 32) return Status::OK();
  for (size_t i = 0; i < addresses.size(); ++i) {
    if ((addresses[i] >> address_bits) != 0) {
      return Status::InvalidArgument(
          path + ": row " + std::to_string(i) + " has address " +
          std::to_string(addresses[i]) + ", wider than the database's " +
          std::to_string(address_bits) + " bits");
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckCodeColumns(const std::string& codes_path, size_t cols,
                        uint32_t code_bits) {
  if (cols * 8 == code_bits) return Status::OK();
  return Status::InvalidArgument(
      codes_path + ": codes of " + std::to_string(cols) + " bytes (" +
      std::to_string(cols * 8) + " bits); the database uses " +
      std::to_string(code_bits) + "-bit codes (" +
      std::to_string(code_bits / 8) + " columns)");
}

Status ReadCodeRows(const std::string& codes_path,
                    const std::string& addresses_path, uint32_t code_bits,
                    uint32_t address_bits, size_t first, size_t count,
                    CodeRows* out) {
  size_t rows = 0, cols = 0;
  std::vector<uint8_t> codes;
  Status s = io::ReadNpyMatrixU8(codes_path, &rows, &cols, &codes);
  if (!s.ok()) return s;
  s = CheckCodeColumns(codes_path, cols, code_bits);
  if (!s.ok()) return s;
  std::vector<Address> addresses;
  if (!addresses_path.empty()) {
    s = io::ReadNpyVectorU32(addresses_path, &addresses);
    if (!s.ok()) return s;
    if (addresses.size() != rows) {
      return Status::InvalidArgument(
          addresses_path + ": " + std::to_string(addresses.size()) +
          " addresses for " + std::to_string(rows) + " codes in " + codes_path);
    }
    s = CheckAddresses(addresses_path, addresses, address_bits);
    if (!s.ok()) return s;
  }
  size_t begin = 0, end = 0;
  s = SliceRows(codes_path, rows, first, count, &begin, &end);
  if (!s.ok()) return s;
  out->file_rows = rows;
  out->rows = end - begin;
  out->code_bytes = cols;
  out->codes.assign(codes.begin() + begin * cols, codes.begin() + end * cols);
  out->addresses.resize(out->rows);
  for (size_t i = 0; i < out->rows; ++i) {
    out->addresses[i] =
        addresses.empty()
            ? AddressFromCode(CodeView(&out->codes[i * cols], cols),
                              address_bits)
            : addresses[begin + i];
  }
  return Status::OK();
}

Status ReadFeatureVectors(const std::string& path, size_t first, size_t count,
                          size_t* rows, size_t* dim,
                          std::vector<float>* vectors) {
  io::Vectors read;
  Status s = io::ReadVectors(path, first, count, &read);
  if (!s.ok()) return s;
  *rows = read.rows;
  *dim = read.dim;
  *vectors = std::move(read.values);
  return Status::OK();
}

void EncoderFlags::AddTo(po::options_description* options) {
  // clang-format off
  options->add_options()
      ("encoder", po::value<std::string>(), "encoder of a new database: lsh, pcah, itq, sh, autoencoder, ssdh, or torchscript (with --model FILE.pt) (default lsh)")
      ("address-bits", WholeNumber<uint32_t>(nullptr, kMinAddressBits, kMaxAddressBits), "address width (default 30)")
      ("code-bits", WholeNumber<uint32_t>(nullptr, kMinCodeBits, kMaxCodeBits), "code width, a multiple of 64 (default 256)")
      ("seed", WholeNumber<uint64_t>(nullptr, 0), "training seed (default 42)")
      ("sample", WholeNumber<size_t>(nullptr, 1), "train on this many vectors drawn at random (default all)")
      ("iterations", WholeNumber<uint32_t>(nullptr, 0), "itq: training iterations (default 50)")
      ("threshold", RealNumber<float>(nullptr, RealRange()), "torchscript: bit j is 1 iff the module's output j >= this (default 0)");
  // clang-format on
  deep.AddTo(options);
}

void EncoderFlags::Read(const po::variables_map& vm) {
  const auto get = [&vm](const char* name, auto* field) {
    using T = typename std::remove_reference_t<decltype(*field)>::value_type;
    if (vm.count(name)) *field = vm[name].as<T>();
  };
  get("encoder", &kind);
  get("address-bits", &address_bits);
  get("code-bits", &code_bits);
  get("iterations", &iterations);
  get("seed", &seed);
  get("sample", &sample);
  get("threshold", &threshold);
  deep.Read(vm);
}

std::string EncoderFlags::TorchScriptUsage() const {
  if (!torchscript()) {
    return threshold ? "--threshold goes with --encoder torchscript" : "";
  }
  if (any_training_option()) {
    return "--encoder torchscript trains nothing: no --seed, --sample, "
           "--iterations or deep training options";
  }
  return "";
}

Status OpenToRead(const std::string& path, std::unique_ptr<DB>* db) {
  Options options;
  options.read_only = true;
  options.memory_index = Options::MemoryIndex::kOff;
  return DB::Open(options, path, db);
}

Status LoadModelFile(const std::string& path,
                     std::unique_ptr<Encoder>* encoder) {
  const Status s = io::CheckRegularFile(path);
  return s.ok() ? LoadEncoderFile(path, encoder) : s.WithContext(path);
}

Status EncoderFlags::ToOptions(const io::Vectors& input,
                               EncoderOptions* options) const {
  if (!torchscript_path.empty()) {
    const Status s = io::CheckRegularFile(torchscript_path);
    if (!s.ok()) return s.WithContext(torchscript_path);
  }
  *options = EncoderOptions();
  options->kind = kind.value_or(options->kind);
  options->address_bits = address_bits.value_or(options->address_bits);
  options->code_bits = code_bits.value_or(options->code_bits);
  options->itq_iterations = iterations.value_or(options->itq_iterations);
  options->seed = seed.value_or(options->seed);
  options->training_sample = sample.value_or(options->training_sample);
  options->torchscript_path = torchscript_path;
  options->torchscript_threshold =
      threshold.value_or(options->torchscript_threshold);
  return deep.ApplyTo(input, options);
}

Status EncoderFlags::CheckMatches(const Encoder& stored) const {
  const auto differs = [&stored](const std::string& flag,
                                 const std::string& given,
                                 const std::string& has) {
    return Status::InvalidArgument("--" + flag + " " + given +
                                   ", but the stored encoder " + stored.kind() +
                                   "(" + stored.params() + ") has " + has);
  };
  if (kind && *kind != stored.kind())
    return differs("encoder", *kind, stored.kind());
  if (deep.any_training_option()) {
    return Status::InvalidArgument(
        "the stored encoder " + stored.kind() + "(" + stored.params() +
        ") is trained already: the deep training options apply to a new "
        "database");
  }
  if (address_bits && *address_bits != stored.address_bits()) {
    return differs("address-bits", std::to_string(*address_bits),
                   std::to_string(stored.address_bits()));
  }
  if (code_bits && *code_bits != stored.code_bits()) {
    return differs("code-bits", std::to_string(*code_bits),
                   std::to_string(stored.code_bits()));
  }
  // Params are "key=value,..."; each given training flag must appear as is.
  const std::string params = "," + stored.params() + ",";
  const std::pair<const char*, std::optional<uint64_t>> keyed[] = {
      {"seed", seed}, {"sample", sample}, {"iterations", iterations}};
  for (const auto& [key, value] : keyed) {
    if (!value) continue;
    const std::string wanted = std::string(key) + "=" + std::to_string(*value);
    if (params.find("," + wanted + ",") == std::string::npos) {
      return differs(key, std::to_string(*value), stored.params());
    }
  }
  if (threshold && params.find(",threshold=" + ParamsDecimal(*threshold) +
                               ",") == std::string::npos) {
    return differs("threshold", ParamsDecimal(*threshold), stored.params());
  }
  return Status::OK();
}

Status TrainShowingProgress(const EncoderFlags& flags, const io::Vectors& input,
                            bool quiet, std::unique_ptr<Encoder>* encoder) {
  EncoderOptions options;
  std::vector<uint32_t> labels;
  Status s = flags.ToOptions(input, &options);
  if (s.ok()) s = flags.deep.ReadLabels(options.kind, input.rows, &labels);
  if (!s.ok()) return s;
  const uint32_t* label_data = labels.empty() ? nullptr : labels.data();
  if (options.kind == kAutoencoderEncoder || options.kind == kSsdhEncoder) {
    TrainingProgressPrinter printer(quiet);
    options.deep.progress = printer.Callback();
    return TrainEncoder(options, input.rows, input.values.data(), input.dim,
                        label_data, encoder);
  }
  // itq counts its iterations; the others report no steps: one of one.
  const bool itq = options.kind == kItqEncoder;
  const uint64_t steps = itq ? 2 * uint64_t{options.itq_iterations} : 1;
  ProgressBar bar(itq ? "train itq iterations" : "train", steps,
                  ProgressBar::ShouldShow(quiet));
  bar.Update(0);
  if (itq) {
    options.itq_progress = [&bar](uint64_t done, uint64_t) {
      bar.Update(done);
    };
  }
  s = TrainEncoder(options, input.rows, input.values.data(), input.dim,
                   label_data, encoder);
  if (!s.ok()) return s;
  bar.Update(steps);
  bar.Finish();
  return s;
}

}  // namespace semhash::cli

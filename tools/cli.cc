// Shared subcommand plumbing (see cli.h).
#include "tools/cli.h"

#include <charconv>
#include <iostream>
#include <utility>

#include "tools/io/npy_file.h"
#include "tools/io/vector_file.h"
#include "tools/progress.h"
#include "tools/training_progress.h"

namespace semhash::cli {

bool ParseOptions(const std::string& command, const std::string& usage,
                  const po::options_description& options, int argc, char** argv,
                  po::variables_map* vm, int* exit_code) {
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), *vm);
    if (vm->count("help")) {
      std::cout << "usage: semhash " << command << " " << usage << "\n\n"
                << options << "\n";
      *exit_code = kExitOk;
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
      ("address-bits", po::value<uint32_t>(), "address width, 8..32 (default 30)")
      ("code-bits", po::value<uint32_t>(), "code width, a multiple of 64 in 64..1024 (default 256)")
      ("seed", po::value<uint64_t>(), "training seed (default 42)")
      ("sample", po::value<size_t>(), "train on this many vectors drawn at random (default: all)")
      ("iterations", po::value<uint32_t>(), "itq: training iterations (default 50)")
      ("threshold", po::value<float>(), "torchscript: bit j is 1 iff the module's output j >= this (default 0)");
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

Status EncoderFlags::ToOptions(const io::Vectors& input,
                               EncoderOptions* options) const {
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
  ProgressBar bar("train", 1, ProgressBar::ShouldShow(quiet));
  bar.Update(0);
  s = TrainEncoder(options, input.rows, input.values.data(), input.dim,
                   label_data, encoder);
  if (!s.ok()) return s;
  bar.Update(1);
  bar.Finish();
  return s;
}

}  // namespace semhash::cli

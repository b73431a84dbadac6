// Plumbing shared by the semhash subcommands: option parsing that turns
// Boost.Program_options exceptions into usage errors, error reporting with
// exit codes, and reading the inputs every subcommand accepts.
#ifndef SEMHASH_TOOLS_CLI_H_
#define SEMHASH_TOOLS_CLI_H_

#include <boost/program_options.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "semhash/codes.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "semhash/status.h"
#include "tools/deep_training_flags.h"
#include "tools/io/vector_file.h"
#include "tools/number_flags.h"

namespace semhash::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

namespace po = boost::program_options;

// Parses argv into *vm against `options` and --help, which every command
// takes and this adds (first in the listing; the caption is "options").
// Returns false when the command must stop: after --help (*exit_code 0) or on a
// usage error (*exit_code 2, message printed): an unknown flag, a missing
// value, a numeric flag out of its range (number_flags.h) or a stray word that
// belongs to no flag. A numeric option declared without a range is refused as
// an internal error (exit 1), whatever the arguments.
bool ParseOptions(const std::string& command, const std::string& usage,
                  const po::options_description& options, int argc, char** argv,
                  po::variables_map* vm, int* exit_code);

// Prints "semhash COMMAND: error: STATUS" to stderr; returns kExitFailure.
int Fail(const std::string& command, const Status& status);
// Prints a usage error; returns kExitUsage.
int UsageError(const std::string& command, const std::string& message);

// Rows of packed codes with their addresses, as `build --codes` and
// `query --codes` read them.
struct CodeRows {
  size_t file_rows = 0;  // Rows in the file, before slicing.
  size_t rows = 0;
  size_t code_bytes = 0;
  std::vector<uint8_t> codes;
  std::vector<Address> addresses;
};

// InvalidArgument naming `codes_path` unless a row of `cols` bytes is a
// code_bits-bit code.
Status CheckCodeColumns(const std::string& codes_path, size_t cols,
                        uint32_t code_bits);

// Reads CODES.npy (2-D uint8, code_bits/8 columns) and, if `addresses_path`
// is not empty, ADDR.npy (1-D uint32, one per row); otherwise each address
// is the code's first address_bits bits. Keeps rows [first, first + count)
// (count 0: to the end). InvalidArgument naming the file and the problem on
// a wrong width, a length mismatch or an address wider than address_bits.
Status ReadCodeRows(const std::string& codes_path,
                    const std::string& addresses_path, uint32_t code_bits,
                    uint32_t address_bits, size_t first, size_t count,
                    CodeRows* out);

// Feature vectors of an IDX, .npy, .fvecs or .bvecs file as floats: rows
// [first, first + count), count 0 to the end (io/vector_file.h).
Status ReadFeatureVectors(const std::string& path, size_t first, size_t count,
                          size_t* rows, size_t* dim,
                          std::vector<float>* vectors);

// Opens the database at `path` read-only, without the in-memory index: the
// administrator's commands (get, export, inspect, verify, backup) read
// RocksDB directly and would only wait for the index to load.
Status OpenToRead(const std::string& path, std::unique_ptr<DB>* db);

// LoadEncoderFile of a model file the user names (--model), refused before
// it is opened unless it is a regular file (io/regular_file.h).
Status LoadModelFile(const std::string& path,
                     std::unique_ptr<Encoder>* encoder);

// The training flags shared by `train` and `build`. Each is unset unless
// given, so a command can tell "not given" from "given the default".
struct EncoderFlags {
  std::optional<std::string> kind;
  std::optional<uint32_t> address_bits, code_bits, iterations;
  std::optional<uint64_t> seed;
  std::optional<size_t> sample;
  DeepTrainingFlags deep;
  std::optional<float> threshold;
  // --encoder torchscript: the TorchScript file, which the commands take
  // as --model.
  std::string torchscript_path;

  // --encoder, --address-bits, --code-bits, --seed, --sample, --iterations,
  // --threshold and the deep encoders' flags.
  void AddTo(po::options_description* options);
  // Reads the flags given in `vm`.
  void Read(const po::variables_map& vm);
  bool any() const {
    return kind || address_bits || code_bits || iterations || seed || sample ||
           threshold || deep.any_training_option();
  }
  // Training options that only a new encoder can take: --seed, --sample,
  // --iterations and the deep encoders' (not --labels, --threads).
  bool any_training_option() const {
    return seed || sample || iterations || deep.any_training_option();
  }
  bool torchscript() const { return kind == kTorchScriptEncoder; }
  // The usage error of the torchscript flags, or "": --threshold needs
  // --encoder torchscript, which trains nothing (no --seed, --sample,
  // --iterations or deep training options).
  std::string TorchScriptUsage() const;
  // The given flags over EncoderOptions' defaults, for training on `input`
  // (whose image shape ssdh may take): InvalidArgument on a malformed flag.
  Status ToOptions(const io::Vectors& input, EncoderOptions* options) const;
  // InvalidArgument naming the first given flag that `stored` disagrees with.
  // The deep encoders' training flags are refused with an existing encoder.
  Status CheckMatches(const Encoder& stored) const;
};

// Trains the encoder the flags ask for on `input` (with --labels for ssdh)
// and shows it on stderr unless quiet: the deep encoders' epochs
// (training_progress.h), itq's iterations on a bar, or a "train" line with
// the elapsed time for the others, which report no steps.
Status TrainShowingProgress(const EncoderFlags& flags, const io::Vectors& input,
                            bool quiet, std::unique_ptr<Encoder>* encoder);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_CLI_H_

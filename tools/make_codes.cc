// semhash_make_codes: writes seeded synthetic hash codes as .npy, for
// benchmarks and scale tests that must not download anything.
//
//   semhash_make_codes --out codes.npy --n 10000000 [--bits 256]
//                      [--clusters 10000 --flip-log2 3] [--seed 1]
//
// Without --clusters every bit is a fair coin; with it, codes are noisy
// copies of random centres (tools/synthetic_codes.h).
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"
#include "tools/io/npy_file.h"
#include "tools/synthetic_codes.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "make_codes";

struct MakeCodesArgs {
  std::string out;
  size_t n = 0;
  uint32_t bits = 256;
  size_t clusters = 0;
  uint32_t flip_log2 = 3;
  uint64_t seed = 1;
};

int Run(int argc, char** argv) {
  MakeCodesArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("out", po::value(&args.out)->required(), "output .npy (2-D uint8, bits/8 columns)")
      ("n", WholeNumber(&args.n, size_t{1})->required(), "number of codes")
      ("bits", WholeNumber(&args.bits, kMinCodeBits, kMaxCodeBits), "code length, a multiple of 64 (default 256)")
      ("clusters", WholeNumber(&args.clusters, size_t{0}), "noisy copies of this many random centres, 0 for uniform random codes (default 0)")
      ("flip-log2", WholeNumber(&args.flip_log2, 1u, 64u), "with --clusters: each bit flips with probability 2^-K (default 3)")
      ("seed", WholeNumber(&args.seed, uint64_t{0}), "random seed (default 1)");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand, "--out FILE --n N [options]", options, argc, argv,
                    &vm, &exit_code)) {
    return exit_code;
  }
  if (args.bits == 0 || args.bits % 64 != 0 || args.bits > 1024) {
    return UsageError(kCommand, "--bits must be a multiple of 64 up to 1024");
  }
  if (args.n == 0) return UsageError(kCommand, "--n must be positive");
  const std::vector<uint8_t> codes =
      SyntheticCodes(args.bits, args.clusters, args.flip_log2, args.seed)
          .Make(args.n);
  const Status s = io::WriteNpy(args.out, io::NpyType::kUint8,
                                {args.n, size_t(args.bits / 8)}, codes.data());
  if (!s.ok()) return Fail(kCommand, s);
  std::cout << "wrote " << args.n << " codes of " << args.bits << " bits to "
            << args.out << "\n";
  return kExitOk;
}

}  // namespace
}  // namespace semhash::cli

int main(int argc, char** argv) {
  try {
    return semhash::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "make_codes: error: " << e.what() << "\n";
    return semhash::cli::kExitFailure;
  }
}

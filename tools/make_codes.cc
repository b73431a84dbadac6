// semhash_make_codes: writes seeded synthetic hash codes as .npy, for
// benchmarks and scale tests that must not download anything.
//
//   semhash_make_codes --out codes.npy --n 10000000 [--bits 256]
//                      [--clusters 10000 --flip-log2 3] [--seed 1]
//
// Without --clusters every bit is a fair coin. With it, each code is a copy
// of one of the cluster centres (chosen uniformly) with each bit flipped
// with probability 2^-flip-log2 (the AND of that many random words), the
// noisy-copies model of near-duplicate images.
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "tools/cli.h"
#include "tools/io/npy_file.h"

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

// One random word whose bits are each set with probability 2^-k.
uint64_t SparseWord(std::mt19937_64* rng, uint32_t k) {
  uint64_t word = ~uint64_t{0};
  for (uint32_t i = 0; i < k; ++i) word &= (*rng)();
  return word;
}

std::vector<uint8_t> MakeCodes(const MakeCodesArgs& args) {
  const size_t words = args.bits / 64;
  std::mt19937_64 rng(args.seed);
  std::vector<uint64_t> centres(args.clusters * words);
  for (auto& word : centres) word = rng();
  std::vector<uint64_t> codes(args.n * words);
  for (size_t i = 0; i < args.n; ++i) {
    uint64_t* code = &codes[i * words];
    if (args.clusters == 0) {
      for (size_t w = 0; w < words; ++w) code[w] = rng();
      continue;
    }
    const uint64_t* centre = &centres[(rng() % args.clusters) * words];
    for (size_t w = 0; w < words; ++w) {
      code[w] = centre[w] ^ SparseWord(&rng, args.flip_log2);
    }
  }
  // Little-endian words are the packed bytes in order.
  const auto* bytes = reinterpret_cast<const uint8_t*>(codes.data());
  return std::vector<uint8_t>(bytes, bytes + codes.size() * 8);
}

int Run(int argc, char** argv) {
  MakeCodesArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("help,h", "show this help")
      ("out", po::value(&args.out)->required(), "output .npy (2-D uint8, bits/8 columns)")
      ("n", po::value(&args.n)->required(), "number of codes")
      ("bits", po::value(&args.bits), "code length, a multiple of 64 (default 256)")
      ("clusters", po::value(&args.clusters), "noisy copies of this many random centres (default 0: uniform random codes)")
      ("flip-log2", po::value(&args.flip_log2), "with --clusters: each bit flips with probability 2^-K (default 3)")
      ("seed", po::value(&args.seed), "random seed (default 1)");
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
  const std::vector<uint8_t> codes = MakeCodes(args);
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

// `semhash train`: trains an encoder on feature vectors and writes it to a
// model file, so it can be trained once on a sample and reused by
// `build --model`. With --encoder torchscript it trains nothing: it stores
// the TorchScript file given as --model, once it has run on the input.
#include <chrono>
#include <iostream>

#include "semhash/encoder.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/image_input.h"
#include "tools/number_flags.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "train";

// The training vectors of --input: feature rows, or image files decoded
// into the built-in features (--sample of them, drawn with --seed, which
// *flags records).
Status ReadInput(const std::string& input, size_t limit, EncoderFlags* flags,
                 ImageFlags image, bool quiet, io::Vectors* vectors) {
  if (!images::IsImageInput(input)) {
    return io::ReadVectors(input, 0, limit, vectors);
  }
  if (limit != 0) {
    return Status::InvalidArgument(
        "--limit goes with feature files; choose images with --sample");
  }
  images::ImageList list;
  images::FeatureShape shape;
  Status s = images::ListImages(input, &list);
  if (s.ok() && list.size() == 0) {
    s = Status::InvalidArgument(input + ": no .png, .jpg or .jpeg file");
  }
  if (s.ok()) s = image.ShapeFor(nullptr, &shape);
  if (!s.ok()) return s;
  image.threads = flags->deep.threads.value_or(0);
  flags->sample = ImageTrainingSample(list, flags->sample);
  std::vector<size_t> kept;
  return ReadImageVectors(
      list,
      SampleIndexes(list, flags->sample,
                    flags->seed.value_or(EncoderOptions().seed)),
      shape, image, quiet, vectors, &kept);
}

}  // namespace

int RunTrain(int argc, char** argv) {
  std::string input, out, model;
  size_t limit = 0;
  bool quiet = false;
  EncoderFlags flags;
  ImageFlags image;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("input", po::value(&input)->required(), "image files (a directory, a .png/.jpg/.jpeg file or a .txt list of paths) or feature vectors: IDX images, .npy, .fvecs or .bvecs")
      ("limit", WholeNumber(&limit, size_t{1}), "use only the first N rows (default all)")
      ("out", po::value(&out)->required(), "model file to write")
      ("model", po::value(&model), "with --encoder torchscript: the TorchScript module (torch.jit.save) to store")
      ("quiet,q", po::bool_switch(&quiet), "no progress line");
  // clang-format on
  flags.AddTo(&options);
  image.AddTo(&options, /*with_skip_bad=*/true);
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--input FILE --out MODEL [--encoder KIND] [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  flags.Read(vm);
  image.Read(vm);
  std::string usage = flags.TorchScriptUsage();
  if (usage.empty()) usage = image.UsageProblem();
  if (usage.empty() && flags.torchscript() && model.empty()) {
    usage =
        "--encoder torchscript needs --model FILE.pt, the TorchScript "
        "module (torch.jit.save)";
  }
  if (usage.empty() && !model.empty() && !flags.torchscript()) {
    usage = "--model goes with --encoder torchscript";
  }
  if (!usage.empty()) return UsageError(kCommand, usage);
  flags.torchscript_path = model;
  const auto start = std::chrono::steady_clock::now();
  io::Vectors vectors;
  Status s = ReadInput(input, limit, &flags, image, quiet, &vectors);
  std::unique_ptr<Encoder> encoder;
  if (s.ok()) s = TrainShowingProgress(flags, vectors, quiet, &encoder);
  if (s.ok()) s = SaveEncoder(*encoder, out);
  if (!s.ok()) return Fail(kCommand, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::cout << "trained " << encoder->kind() << "(" << encoder->params()
            << ") on " << vectors.rows << " vectors of " << vectors.dim
            << " values in " << seconds << " s: " << encoder->address_bits()
            << "-bit addresses, " << encoder->code_bits() << "-bit codes -> "
            << out << "\n";
  return kExitOk;
}

}  // namespace semhash::cli

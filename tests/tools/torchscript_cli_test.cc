// `semhash train` and `semhash build` with --encoder torchscript, end to
// end (built only with LibTorch, which makes the test's modules): the
// database stores the module --model names and encodes with it, a model
// file from `train` carries it too, and misuse is refused with a message.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "../engine/test_util.h"
#include "../engine/torchscript_modules.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tests/tools/cli_runner.h"
#include "tests/tools/image_writer.h"
#include "tools/images/image_list.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Lines;
using testing::Outcome;
using testing::Semhash;
using testing::TempDir;

constexpr size_t kRows = 200;
constexpr size_t kDim = 16;
constexpr size_t kWidth = 16 + 64;  // --address-bits 16, --code-bits 64.

class TorchScriptCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(5);
    std::normal_distribution<float> normal;
    vectors_.resize(kRows * kDim);
    for (float& v : vectors_) v = normal(rng);
    ASSERT_TRUE(io::WriteNpy(Path("vectors.npy"), io::NpyType::kFloat32,
                             {kRows, kDim}, vectors_.data())
                    .ok());
    SaveLinearModule(Path("linear.pt"), 1);
    SaveLinearModule(Path("other.pt"), 2);
  }

  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // A module x W, W a seeded kDim x kWidth Gaussian matrix.
  static void SaveLinearModule(const std::string& path, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    std::vector<float> weights(kDim * kWidth);
    for (float& w : weights) w = normal(rng);
    testing::SaveTorchScriptModule(
        path, {{"w", kDim, kWidth, weights}},
        "def forward(self, x):\n  return torch.mm(x, self.w)\n");
  }

  // The encoder the library makes of `module` for the test's vectors.
  std::unique_ptr<Encoder> LibraryEncoder(const std::string& module,
                                          float threshold) const {
    EncoderOptions options;
    options.kind = kTorchScriptEncoder;
    options.address_bits = 16;
    options.code_bits = 64;
    options.torchscript_path = module;
    options.torchscript_threshold = threshold;
    std::unique_ptr<Encoder> encoder;
    const Status s =
        TrainEncoder(options, kRows, vectors_.data(), kDim, &encoder);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return encoder;
  }

  TempDir dir_;
  std::vector<float> vectors_;
};

TEST_F(TorchScriptCliTest, BuildStoresTheModuleAndQueriesWithIt) {
  Outcome run =
      Semhash("build --db " + Path("db") + " --images " + Path("vectors.npy") +
              " --encoder torchscript" + " --model " + Path("linear.pt") +
              " --threshold 0.5 --address-bits 16 --code-bits 64");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("encoder torchscript(threshold=0.5), 16-bit "
                            "addresses, 64-bit codes"),
            std::string::npos)
      << run.output;
  {
    Options read_only;
    read_only.read_only = true;
    auto db = testing::OpenOrDie(Path("db"), read_only);
    ASSERT_NE(db, nullptr);
    ASSERT_NE(db->encoder(), nullptr);
    EXPECT_EQ(db->encoder()->Serialize(),
              LibraryEncoder(Path("linear.pt"), 0.5f)->Serialize());
  }
  // Each vector finds itself at distance 0 through the stored module.
  run = Semhash("query --db " + Path("db") + " --images " +
                Path("vectors.npy") + " --count 10 --k 1 --exact --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  size_t found = 0;
  const std::regex self(
      R"(^\{"query": (\d+), "results": \[\{"id": (\d+), "distance": 0\})");
  for (const std::string& line : Lines(run.output)) {
    std::smatch match;
    if (std::regex_search(line, match, self)) found += match[1] == match[2];
  }
  EXPECT_EQ(found, 10u) << run.output;

  // Adding to it: the same module and flags are accepted (or none: the
  // stored module encodes), others refused.
  const std::string add = "build --db " + Path("db") + " --images " +
                          Path("vectors.npy") + " --id-offset 1000";
  run = Semhash(add + " --encoder torchscript --model " + Path("linear.pt"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  run = Semhash(add + " --encoder torchscript --threshold 0.5");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  ExpectRefused(
      {
          {add + " --encoder torchscript --model " + Path("other.pt"), 1,
           "is not the model"},
          {add + " --encoder torchscript --model " + Path("linear.pt") +
               " --threshold 0.25",
           1, "--threshold 0.25, but the stored encoder torchscript"},
      },
      Path("db"));
}

TEST_F(TorchScriptCliTest, TrainWritesAModelThatBuildReads) {
  Outcome run =
      Semhash("train --input " + Path("vectors.npy") +
              " --encoder torchscript --model " + Path("linear.pt") +
              " --address-bits 16 --code-bits 64 --out " + Path("m.model"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("trained torchscript(threshold=0)"),
            std::string::npos)
      << run.output;
  std::unique_ptr<Encoder> saved;
  ASSERT_TRUE(LoadEncoderFile(Path("m.model"), &saved).ok());
  EXPECT_EQ(saved->Serialize(),
            LibraryEncoder(Path("linear.pt"), 0)->Serialize());
  run = Semhash("build --db " + Path("db") + " --images " +
                Path("vectors.npy") + " --model " + Path("m.model"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("encoder torchscript(threshold=0)"),
            std::string::npos)
      << run.output;
}

TEST_F(TorchScriptCliTest, MisuseIsRefused) {
  const std::string build =
      "build --db " + Path("db") + " --images " + Path("vectors.npy");
  const std::string train =
      "train --input " + Path("vectors.npy") + " --out " + Path("m.model");
  ExpectRefused(
      {
          {build + " --encoder torchscript", 1,
           "a new database with --encoder torchscript needs --model FILE.pt"},
          {build + " --encoder torchscript --model " + Path("linear.pt") +
               " --seed 3",
           2, "--encoder torchscript trains nothing"},
          {build + " --threshold 0.5", 2,
           "--threshold goes with --encoder torchscript"},
          {build + " --encoder torchscript --model " + Path("absent.pt"), 1,
           Path("absent.pt") + ": No such file"},
          {build + " --encoder torchscript --model " + Path("vectors.npy"), 1,
           Path("vectors.npy") + ": not a TorchScript module"},
          {build + " --encoder torchscript --model " + Path("linear.pt") +
               " --code-bits 128",
           1, "expected a float tensor [16, 158]"},
          {train + " --model " + Path("linear.pt"), 2,
           "--model goes with --encoder torchscript"},
          {train + " --encoder torchscript", 2,
           "--encoder torchscript needs --model FILE.pt"},
      },
      "");
  EXPECT_FALSE(std::filesystem::exists(Path("db")));
  EXPECT_FALSE(std::filesystem::exists(Path("m.model")));
}

TEST_F(TorchScriptCliTest, ImageFilesReachTheModuleAsTheirPixels) {
  // The module views its input as [n, 1, 8, 8] images: a build from 8x8
  // grey PNG files hands it each file's pixels, whose codes are the ones
  // the same module makes of the pixels directly.
  constexpr int kSide = 8;
  std::mt19937_64 rng(9);
  std::normal_distribution<float> normal;
  std::vector<float> weights(kSide * kSide * kWidth);
  for (float& w : weights) w = normal(rng);
  testing::SaveTorchScriptModule(
      Path("images.pt"), {{"w", kSide * kSide, kWidth, weights}},
      "def forward(self, x):\n"
      "  y = x.view(x.size(0), 1, 8, 8) - 128.0\n"
      "  return torch.mm(y.reshape(x.size(0), 64), self.w)\n");
  std::filesystem::create_directories(Path("photos"));
  std::vector<std::vector<uint8_t>> pictures;
  for (int i = 0; i < 6; ++i) {
    std::vector<uint8_t> pixels(kSide * kSide);
    for (auto& p : pixels) p = uint8_t(rng());
    ASSERT_TRUE(testing::WritePng8(Path("photos/" + std::to_string(i) + ".png"),
                                   kSide, kSide, 1, pixels));
    pictures.push_back(pixels);
  }
  const Outcome run =
      Semhash("build -q --db " + Path("db") + " --images " + Path("photos") +
              " --encoder torchscript --model " + Path("images.pt") +
              " --image-size 8 --colour grey --address-bits 16 --code-bits 64");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<float> floats(pictures.size() * kSide * kSide);
  for (size_t i = 0; i < floats.size(); ++i) {
    floats[i] = pictures[i / (kSide * kSide)][i % (kSide * kSide)];
  }
  EncoderOptions options;
  options.kind = kTorchScriptEncoder;
  options.address_bits = 16;
  options.code_bits = 64;
  options.torchscript_path = Path("images.pt");
  std::unique_ptr<Encoder> encoder;
  ASSERT_TRUE(TrainEncoder(options, pictures.size(), floats.data(),
                           kSide * kSide, &encoder)
                  .ok());
  std::vector<Address> addresses(pictures.size());
  std::vector<uint8_t> codes(pictures.size() * 8);
  ASSERT_TRUE(encoder
                  ->Encode(pictures.size(), floats.data(), kSide * kSide,
                           addresses.data(), codes.data())
                  .ok());
  Options read_only;
  read_only.read_only = true;
  auto db = testing::OpenOrDie(Path("db"), read_only);
  ASSERT_NE(db, nullptr);
  for (size_t i = 0; i < pictures.size(); ++i) {
    Record record;
    const std::string name = std::to_string(i) + ".png";
    ASSERT_TRUE(db->Get(images::ImageId(name), &record).ok()) << name;
    EXPECT_EQ(record.address, addresses[i]) << name;
    EXPECT_EQ(record.code, std::vector<uint8_t>(codes.begin() + i * 8,
                                                codes.begin() + (i + 1) * 8))
        << name;
    EXPECT_EQ(record.payload, name);
  }
}

}  // namespace
}  // namespace semhash

// The deep encoders through the semhash tool (built with LibTorch only):
// `build --encoder ssdh` and `--encoder autoencoder` on a slice of real
// Fashion-MNIST, `query` printing ssdh's predicted class, `eval` its
// accuracy, and the flags' refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/engine/test_util.h"
#include "tests/tools/cli_runner.h"

namespace semhash {
namespace {

using testing::Outcome;
using testing::Semhash;

const std::string kData = "/usr/share/datasets/fashion-mnist/";
const std::string kTrainImages = kData + "train-images-idx3-ubyte.gz";
const std::string kTrainLabels = kData + "train-labels-idx1-ubyte.gz";
const std::string kTestImages = kData + "t10k-images-idx3-ubyte.gz";
const std::string kTestLabels = kData + "t10k-labels-idx1-ubyte.gz";

class DeepCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kTrainImages)) {
      GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
  }
  std::string Db(const std::string& name) const { return dir_.Sub(name); }

  testing::TempDir dir_;
};

TEST_F(DeepCliTest, SsdhBuildsQueriesWithItsClassifierAndEvaluates) {
  Outcome run =
      Semhash("build -q --db " + Db("ssdh") + " --images " + kTrainImages +
              " --limit 2000 --labels " + kTrainLabels +
              " --encoder ssdh --address-bits 12 --code-bits 64"
              " --epochs 3 --lr 0.003 --hidden 64 --seed 5");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("encoder ssdh(alpha=1,batch=128,"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("image=1x28x28"), std::string::npos) << run.output;

  run = Semhash("query --db " + Db("ssdh") + " --images " + kTestImages +
                " --count 200 --k 10 --show 2 --query-labels " + kTestLabels +
                " --db-labels " + kTrainLabels);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::regex predicted(
      R"(query 0 \(label \d\) predicted class \d \(probability 0\.\d{3}\))");
  EXPECT_TRUE(std::regex_search(run.output, predicted)) << run.output;
  std::smatch accuracy;
  ASSERT_TRUE(std::regex_search(
      run.output, accuracy,
      std::regex(R"(predicted class equals the label for (\d+) of 200)")))
      << run.output;
  // Three epochs on 2,000 images (42 steps; 58% in our runs): far better
  // than the 10% of chance.
  EXPECT_GT(std::stoi(accuracy[1]), 80) << run.output;

  run = Semhash("eval --db " + Db("ssdh") + " --json --queries " + kTestImages +
                " --count 200 --query-labels " + kTestLabels + " --db-labels " +
                kTrainLabels);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\"classifier\": {\"accuracy\": 0."),
            std::string::npos)
      << run.output;
}

TEST_F(DeepCliTest, AutoencoderBuildsAndAnswersQueries) {
  Outcome run =
      Semhash("build -q --db " + Db("ae") + " --images " + kTrainImages +
              " --limit 1000 --encoder autoencoder --address-bits 10"
              " --code-bits 64 --epochs 2 --hidden 64");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("encoder autoencoder(batch=128,epochs=2,hidden=64"),
            std::string::npos)
      << run.output;
  run = Semhash("query --db " + Db("ae") + " --images " + kTestImages +
                " --count 20 --k 5 --show 1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("20 queries"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("predicted class"), std::string::npos)
      << "an autoencoder has no classifier: " << run.output;
}

TEST_F(DeepCliTest, DeepFlagsAreChecked) {
  const std::string build = "build -q --images " + kTrainImages +
                            " --limit 300 --address-bits 10 --code-bits 64 ";
  // Failures of the training (exit 1), and flags out of their range, which
  // are usage errors (exit 2) caught before anything is read.
  const struct {
    std::string args;
    int exit_code;
    std::string says;
  } refused[] = {
      {"--encoder ssdh", 1, "give --labels FILE"},
      {"--encoder ssdh --labels " + kTrainLabels + " --image-shape 2x28x28", 1,
       "784"},
      {"--encoder ssdh --labels " + kTrainLabels + " --image-shape 28x28", 1,
       "--image-shape takes CxHxW"},
      {"--encoder autoencoder --hidden 64,,32", 1, "--hidden takes widths"},
      {"--encoder autoencoder --holdout 0.9", 2,
       "--holdout takes a number in 0..0.5, not '0.9'"},
      {"--encoder autoencoder --epochs 0", 2,
       "--epochs takes a whole number of at least 1, not '0'"},
  };
  for (const auto& call : refused) {
    const std::string db = Db("refused");
    const Outcome run = Semhash(build + "--db " + db + " " + call.args);
    EXPECT_EQ(run.exit_code, call.exit_code) << call.args << "\n" << run.output;
    EXPECT_NE(run.output.find(call.says), std::string::npos)
        << call.args << "\n"
        << run.output;
    EXPECT_FALSE(std::filesystem::exists(db)) << call.args;
  }
}

}  // namespace
}  // namespace semhash

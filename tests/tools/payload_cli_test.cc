// Payloads through the command line: build --codes --payloads stores them,
// query shows them, export writes them back; nothing is lost on the trip.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../engine/test_util.h"
#include "tests/tools/cli_runner.h"
#include "tools/io/npy_file.h"
#include "tools/io/payload_file.h"

namespace semhash {
namespace {

using testing::Semhash;
using testing::TempDir;

class PayloadCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(5);
    std::vector<uint8_t> codes(kRows * 32);
    for (auto& b : codes) b = uint8_t(rng());
    ASSERT_TRUE(io::WriteNpy(dir_.Sub("codes.npy"), io::NpyType::kUint8,
                             {kRows, 32}, codes.data())
                    .ok());
    for (size_t i = 0; i < kRows; ++i) {
      payloads_.push_back("photos/" + std::to_string(i) + ".jpg");
    }
    payloads_[3] = std::string("\xff\x00\x01", 3);  // Not text.
    payloads_[4] = "";
  }
  static constexpr size_t kRows = 40;
  TempDir dir_;
  std::vector<std::string> payloads_;
};

TEST_F(PayloadCli, ExportReturnsWhatBuildStored) {
  ASSERT_TRUE(io::WritePayloads(dir_.Sub("in.npy"),
                                io::PayloadFormatOf("in.npy"), payloads_)
                  .ok());
  const auto build =
      Semhash("build -q --db " + dir_.Sub("db") + " --codes " +
              dir_.Sub("codes.npy") + " --payloads " + dir_.Sub("in.npy"));
  ASSERT_EQ(build.exit_code, 0) << build.output;
  const auto exported =
      Semhash("export --db " + dir_.Sub("db") + " --out " +
              dir_.Sub("out.npy") + " --payloads " + dir_.Sub("out_p.npy"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  std::vector<std::string> back;
  ASSERT_TRUE(io::ReadPayloads(dir_.Sub("out_p.npy"), &back).ok());
  EXPECT_EQ(back, payloads_);
  // And a rebuild from the export stores them again.
  const auto rebuild =
      Semhash("build -q --db " + dir_.Sub("db2") + " --codes " +
              dir_.Sub("out.npy") + " --payloads " + dir_.Sub("out_p.npy"));
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.output;
  const auto get = Semhash("get --json --db " + dir_.Sub("db2") + " --id 3");
  EXPECT_NE(get.output.find("\"payload\": \"ff0001\""), std::string::npos)
      << get.output;
}

TEST_F(PayloadCli, QueryShowsEachResultsPayload) {
  payloads_[3] = "photos/3.jpg";
  ASSERT_TRUE(io::WritePayloads(dir_.Sub("in.txt"),
                                io::PayloadFormatOf("in.txt"), payloads_)
                  .ok());
  ASSERT_EQ(Semhash("build -q --db " + dir_.Sub("db") + " --codes " +
                    dir_.Sub("codes.npy") + " --payloads " + dir_.Sub("in.txt"))
                .exit_code,
            0);
  const std::string query = "query --db " + dir_.Sub("db") + " --codes " +
                            dir_.Sub("codes.npy") +
                            " --exact --k 1 --first 7 --count 1";
  const auto json = Semhash(query + " --json");
  EXPECT_NE(json.output.find("{\"id\": 7, \"distance\": 0, \"payload\": "
                             "\"photos/7.jpg\", \"payload_encoding\": "
                             "\"utf-8\"}"),
            std::string::npos)
      << json.output;
  const auto text = Semhash(query);
  EXPECT_NE(text.output.find("distance  payload\n"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("7         0  photos/7.jpg\n"), std::string::npos)
      << text.output;
}

TEST_F(PayloadCli, RefusesAPayloadCountThatDoesNotMatch) {
  payloads_.pop_back();
  ASSERT_TRUE(io::WritePayloads(dir_.Sub("in.npy"),
                                io::PayloadFormatOf("in.npy"), payloads_)
                  .ok());
  const auto build =
      Semhash("build -q --db " + dir_.Sub("db") + " --codes " +
              dir_.Sub("codes.npy") + " --payloads " + dir_.Sub("in.npy"));
  EXPECT_EQ(build.exit_code, 1);
  EXPECT_NE(build.output.find("39 payloads for 40 codes"), std::string::npos)
      << build.output;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("db")));
}

}  // namespace
}  // namespace semhash

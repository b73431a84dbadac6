// One command-line convention across the semhash subcommands (issue 16):
// the same short flags, size units, query inputs, number formats and
// ranges everywhere; output that agrees with its counts and says when a
// query came back short; and inputs refused that would silently return
// nothing (codes without their addresses) or block forever (a FIFO).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../engine/test_util.h"
#include "tests/tools/cli_runner.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::ExpectRefused;
using testing::Lines;
using testing::Outcome;
using testing::Semhash;
using testing::TempDir;

constexpr size_t kCodeRows = 300;
constexpr size_t kCodeBytes = 16;  // 128-bit codes, 10-bit addresses.
constexpr size_t kVectorRows = 400;
constexpr size_t kDim = 32;
constexpr size_t kClasses = 4;

const char* const kSubcommands[] = {
    "train",  "build", "query", "eval",   "inspect", "verify", "compact",
    "export", "bench", "get",   "delete", "backup",  "dedup"};

// A database of external codes ("codes") and one an lsh encoder made from
// vectors ("lsh", 64-bit codes, 30-bit addresses), with the vectors'
// labels and their codes and addresses as exported.
class CliConvention : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::mt19937_64 rng(16);
    std::vector<uint8_t> codes(kCodeRows * kCodeBytes);
    for (auto& b : codes) b = uint8_t(rng());
    ASSERT_TRUE(io::WriteNpy(Path("codes.npy"), io::NpyType::kUint8,
                             {kCodeRows, kCodeBytes}, codes.data())
                    .ok());
    std::normal_distribution<float> normal;
    std::vector<float> vectors(kVectorRows * kDim);
    std::vector<int64_t> labels(kVectorRows);
    for (size_t i = 0; i < kVectorRows; ++i) {
      labels[i] = int64_t(i % kClasses);
      // Each class around its own centre, so the ranking has something to
      // find.
      for (size_t d = 0; d < kDim; ++d) {
        vectors[i * kDim + d] =
            normal(rng) + (d % kClasses == i % kClasses ? 3.0f : 0.0f);
      }
    }
    ASSERT_TRUE(io::WriteNpy(Path("vectors.npy"), io::NpyType::kFloat32,
                             {kVectorRows, kDim}, vectors.data())
                    .ok());
    ASSERT_TRUE(io::WriteNpy(Path("labels.npy"), io::NpyType::kInt64,
                             {kVectorRows}, labels.data())
                    .ok());
    for (const std::string& build :
         {"build -q --db " + Path("codes") + " --codes " + Path("codes.npy") +
              " --address-bits 10 --code-bits 128",
          "build -q --db " + Path("lsh") + " --images " + Path("vectors.npy") +
              " --code-bits 64",
          "export --db " + Path("lsh") + " --out " + Path("lsh_codes.npy") +
              " --addresses " + Path("lsh_addresses.npy")}) {
      const Outcome run = Semhash(build);
      ASSERT_EQ(run.exit_code, 0) << build << "\n" << run.output;
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string Path(const std::string& name) { return dir_->Sub(name); }

  static TempDir* dir_;
};

TempDir* CliConvention::dir_ = nullptr;

// `-q` was `--quiet` for build and train but an unknown option for verify
// and compact.
TEST_F(CliConvention, QuietIsDashQEverywhere) {
  for (const char* command : kSubcommands) {
    const Outcome help = Semhash(std::string(command) + " --help");
    if (help.output.find("--quiet") == std::string::npos) continue;
    EXPECT_NE(help.output.find("-q [ --quiet ]"), std::string::npos)
        << command << "\n"
        << help.output;
  }
  for (const std::string& run : {"verify -q --db " + Path("codes"),
                                 "compact -q --db " + Path("codes")}) {
    const Outcome outcome = Semhash(run);
    EXPECT_EQ(outcome.exit_code, 0) << run << "\n" << outcome.output;
  }
}

// `verify --memory` took raw bytes only, and "1GB" was refused everywhere.
TEST_F(CliConvention, SizesTakeTheSameUnitsEverywhere) {
  for (const char* size : {"1G", "1GB", "1GiB", "1gib", "512M", "268435456"}) {
    const std::string build = "build -q --db " + Path("codes") + " --codes " +
                              Path("codes.npy") + " --memory " + size;
    const Outcome run = Semhash(build);
    EXPECT_EQ(run.exit_code, 0) << build << "\n" << run.output;
  }
}

// Defaults printed as "(=10)" in some help texts and "(default 30)" in
// others.
TEST_F(CliConvention, DefaultsPrintOneWay) {
  for (const char* command : kSubcommands) {
    const Outcome help = Semhash(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_EQ(help.output.find("(="), std::string::npos) << help.output;
    EXPECT_EQ(help.output.find("(default:"), std::string::npos) << help.output;
  }
}

// Address widths were "8..32" in build and "1..32" in train, which trained
// encoders no database could store.
TEST_F(CliConvention, AddressWidthsAgree) {
  ExpectRefused({{"train --input " + Path("vectors.npy") + " --out " +
                      Path("model") + " --address-bits 4",
                  2, "--address-bits takes a whole number in 8..32, not '4'"},
                 {"build --db " + Path("new") + " --images " +
                      Path("vectors.npy") + " --address-bits 4",
                  2, "--address-bits takes a whole number in 8..32, not '4'"}},
                Path("codes"));
  EXPECT_FALSE(std::filesystem::exists(Path("model")));
}

// `inspect --address` refused hex.
TEST_F(CliConvention, InspectTakesHexAddresses) {
  const Outcome decimal =
      Semhash("inspect --db " + Path("codes") + " --address 682 --json");
  const Outcome hex =
      Semhash("inspect --db " + Path("codes") + " --address 0x2aA --json");
  ASSERT_EQ(decimal.exit_code, 0) << decimal.output;
  ASSERT_EQ(hex.exit_code, 0) << hex.output;
  EXPECT_EQ(hex.output, decimal.output);
  EXPECT_NE(hex.output.find("\"address\": 682"), std::string::npos);
}

// "1 queries".
TEST_F(CliConvention, CountsAgreeWithTheirNouns) {
  const std::string query =
      "query --db " + Path("codes") + " --codes " + Path("codes.npy");
  Outcome run = Semhash(query + " --count 1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\n1 query in "), std::string::npos) << run.output;
  run = Semhash(query + " --count 2");
  EXPECT_NE(run.output.find("\n2 queries in "), std::string::npos)
      << run.output;
}

// A query that returned fewer than k results said nothing about it.
TEST_F(CliConvention, QueryShortOfKSaysSo) {
  const std::string query = "query --db " + Path("codes") + " --codes " +
                            Path("codes.npy") + " --count 1 --exact";
  Outcome run = Semhash(query + " --k 500");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("only 300 of the k=500 results: the database "
                            "holds 300 images"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("1 of 1 query returned fewer than k=500"),
            std::string::npos)
      << run.output;
  run = Semhash(query + " --k 5");
  EXPECT_EQ(run.output.find("only "), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("fewer than k"), std::string::npos) << run.output;
  // A probe with nothing near: the two-stage search at radius 0.
  run = Semhash("query --db " + Path("codes") + " --codes " +
                Path("codes.npy") + " --count 1 --k 50 --max-radius 0");
  EXPECT_NE(run.output.find("the probe found no more candidates by radius 0"),
            std::string::npos)
      << run.output;
  // JSON keeps one line per query and says it in a field.
  run = Semhash(query + " --k 500 --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(", \"k\": 500, \"fewer_than_k\": true}\n"),
            std::string::npos)
      << run.output;
  run = Semhash(query + " --k 5 --json");
  EXPECT_NE(run.output.find(", \"k\": 5, \"fewer_than_k\": false}\n"),
            std::string::npos)
      << run.output;
}

// `query --k 10000000000` aborted (the search reserved k results up front):
// a k larger than the database means all of it.
TEST_F(CliConvention, HugeKMeansEveryImage) {
  for (const char* search : {" --exact", ""}) {
    const Outcome run = Semhash("query --db " + Path("codes") + " --codes " +
                                Path("codes.npy") +
                                " --count 1 --json --k 10000000000" + search);
    ASSERT_EQ(run.exit_code, 0) << search << "\n" << run.output;
    const std::string& out = run.output;
    EXPECT_NE(out.find("\"fewer_than_k\": true"), std::string::npos) << out;
    if (std::string(search) == " --exact") {
      size_t results = 0;
      for (size_t at = out.find("{\"id\": "); at != std::string::npos;
           at = out.find("{\"id\": ", at + 1)) {
        ++results;
      }
      EXPECT_EQ(results, kCodeRows) << out;
    }
  }
}

// `--codes` without `--addresses` on a database whose encoder makes the
// addresses probed around each code's first bits, which are not its
// address there: it silently returned nothing.
TEST_F(CliConvention, CodesWithoutAddressesNeedAnExternalDatabase) {
  const std::string query = "query --db " + Path("lsh") + " --codes " +
                            Path("lsh_codes.npy") + " --count 3";
  ExpectRefused({{query, 1, "give the queries' addresses with --addresses"},
                 {"eval --db " + Path("lsh") + " --codes " +
                      Path("lsh_codes.npy") + " --query-labels " +
                      Path("labels.npy") + " --db-labels " + Path("labels.npy"),
                  1, "--addresses"}},
                Path("lsh"));
  for (const std::string& fine :
       {query + " --addresses " + Path("lsh_addresses.npy"),
        query + " --exact"}) {
    const Outcome run = Semhash(fine + " --json");
    ASSERT_EQ(run.exit_code, 0) << fine << "\n" << run.output;
    // Each stored code finds itself.
    for (int i = 0; i < 3; ++i) {
      EXPECT_NE(run.output.find("{\"query\": " + std::to_string(i) +
                                ", \"results\": [{\"id\": " +
                                std::to_string(i) + ", \"distance\": 0}"),
                std::string::npos)
          << fine << "\n"
          << run.output;
    }
  }
}

// `eval` called its query input --queries where `query` says --images, and
// could not take --codes.
TEST_F(CliConvention, EvalTakesQueriesAsQueryDoes) {
  const std::string eval = "eval --db " + Path("lsh") + " --query-labels " +
                           Path("labels.npy") + " --db-labels " +
                           Path("labels.npy") + " --count 40 --json ";
  const Outcome images = Semhash(eval + "--images " + Path("vectors.npy"));
  const Outcome queries = Semhash(eval + "--queries " + Path("vectors.npy"));
  const Outcome codes = Semhash(eval + "--codes " + Path("lsh_codes.npy") +
                                " --addresses " + Path("lsh_addresses.npy"));
  for (const Outcome* run : {&images, &queries, &codes}) {
    ASSERT_EQ(run->exit_code, 0) << run->output;
  }
  // The same rankings: everything but the timing agrees.
  const auto without_time = [](const std::string& json) {
    return json.substr(0, json.find("\"seconds\""));
  };
  EXPECT_EQ(without_time(queries.output), without_time(images.output));
  EXPECT_EQ(without_time(codes.output), without_time(images.output));
  EXPECT_NE(images.output.find("\"queries\": 40"), std::string::npos)
      << images.output;
  ExpectRefused({{eval + "--images " + Path("vectors.npy") + " --queries " +
                      Path("vectors.npy"),
                  2, "--queries is another name for --images"},
                 {eval + "--codes " + Path("lsh_codes.npy") +
                      " --euclidean --db-vectors " + Path("vectors.npy"),
                  2, "--euclidean"}},
                Path("lsh"));
}

// A FIFO with no writer as an input blocked forever in open(). A thread
// here stands ready to be that writer: it opens the FIFO (without blocking)
// whenever a reader waits on it, so the old behaviour fails the test
// instead of hanging it; the fixed tools must never have opened it.
TEST_F(CliConvention, FifoInputsAreRefusedUnopened) {
  const std::string fifo = Path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> stop{false};
  std::atomic<int> readers{0};
  std::thread writer([&] {
    while (!stop) {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) {
        ++readers;
        ::close(fd);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::string lsh = "--db " + Path("lsh");
  const std::string says = fifo + ": not a regular file but a FIFO";
  ExpectRefused(
      {{"query --db " + Path("codes") + " --codes " + fifo, 1, says},
       {"query " + lsh + " --images " + fifo, 1, says},
       {"query --db " + Path("codes") + " --codes " + Path("codes.npy") +
            " --addresses " + fifo,
        1, says},
       {"query " + lsh + " --images " + Path("vectors.npy") +
            " --query-labels " + fifo + " --db-labels " + Path("labels.npy"),
        1, says},
       {"build -q --db " + Path("new") + " --images " + fifo, 1, says},
       {"build -q --db " + Path("new") + " --codes " + fifo, 1, says},
       {"build -q --db " + Path("new") + " --images " + Path("vectors.npy") +
            " --model " + fifo,
        1, says},
       {"train -q --input " + fifo + " --out " + Path("model"), 1, says},
       {"eval " + lsh + " --images " + fifo + " --query-labels " +
            Path("labels.npy") + " --db-labels " + Path("labels.npy"),
        1, says}},
      Path("lsh"));
  stop = true;
  writer.join();
  EXPECT_EQ(readers, 0) << "a tool opened the FIFO for reading";
  EXPECT_FALSE(std::filesystem::exists(Path("new")));
}

}  // namespace
}  // namespace semhash

// `semhash bench` end to end on a small synthetic set: the table's columns,
// its semhash rows with recall in [0, 1] (exactly 1 for the exact scans),
// the temporary database removed afterwards, and bad flags refused. Passes
// with or without FAISS built in.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../engine/test_util.h"
#include "tests/tools/cli_runner.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Lines;
using testing::Outcome;
using testing::Semhash;
using testing::TempDir;

constexpr char kHeader[] =
    "| method | setting | queries | queries/s | queries/CPU s | recall@10 "
    "| candidates/query | memory B/image | disk B/image | build s |";

// The cells of a Markdown table line, trimmed: "| a | b |" is {"a", "b"}.
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t begin = line.find('|');
  for (size_t end; (end = line.find('|', begin + 1)) != std::string::npos;
       begin = end) {
    std::string cell = line.substr(begin + 1, end - begin - 1);
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
  }
  return cells;
}

TEST(BenchCli, PrintsTheTableWithRecallInRange) {
  TempDir tmp;
  const Outcome run = Semhash(
      "bench --n 2000 --num-queries 20 --clusters 50 --budget 2 --tmp " +
      tmp.path());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<std::string> lines = Lines(run.output);
  size_t header = 0;
  while (header < lines.size() && lines[header].rfind(kHeader, 0) != 0) {
    ++header;
  }
  ASSERT_LT(header, lines.size()) << run.output;
  const size_t columns = Cells(lines[header]).size();
  const bool with_faiss =
      run.output.find("FAISS: not built in") == std::string::npos;
  if (with_faiss) {
    EXPECT_NE(lines[header].find("| semhash/FAISS IndexBinaryFlat queries/s |"),
              std::string::npos);
    EXPECT_NE(lines[header].find("| semhash/FAISS IndexBinaryHash queries/s |"),
              std::string::npos);
    EXPECT_NE(
        lines[header].find("| semhash/FAISS IndexBinaryMultiHash queries/s |"),
        std::string::npos);
  }
  size_t semhash_rows = 0, faiss_rows = 0;
  for (size_t i = header + 2; i < lines.size(); ++i) {
    const std::vector<std::string> cells = Cells(lines[i]);
    ASSERT_EQ(cells.size(), columns) << lines[i];
    const double recall = std::stod(cells[5]);
    EXPECT_GE(recall, 0) << lines[i];
    EXPECT_LE(recall, 1) << lines[i];
    EXPECT_GE(std::stoul(cells[2]), 1u) << lines[i];
    if (cells[0].starts_with("semhash SearchExact") ||
        cells[0] == "FAISS IndexBinaryFlat") {
      EXPECT_EQ(cells[5], "1.000") << lines[i];
    }
    semhash_rows += cells[0].starts_with("semhash ");
    faiss_rows += cells[0].starts_with("FAISS ");
  }
  EXPECT_GE(semhash_rows, 1u);
  EXPECT_EQ(faiss_rows > 0, with_faiss);
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()))
      << "the temporary database was left behind";
}

TEST(BenchCli, RefusesBadFlags) {
  TempDir tmp;
  const std::string missing = tmp.Sub("missing.npy");
  ExpectRefused(
      {
          {"bench --n 0", 2, "--n takes a whole number of at least 10"},
          {"bench --num-queries 0", 2,
           "--num-queries takes a whole number of at least 1"},
          {"bench --codes " + missing + " --queries " + missing, 1, missing},
          {"bench --codes " + missing, 2, "--codes and --queries go together"},
          {"bench --frobnicate 3", 2, "frobnicate"},
          {"bench --multi-hash 12y21", 2, "--multi-hash"},
          {"bench --n 100 --num-queries 1 --tmp " + tmp.Sub("absent"), 1,
           tmp.Sub("absent")},
      },
      "");
}

// --mih-reference runs the program it names, in builds with HDF5 (its
// format); a program that fails is named with exit 1. Other builds refuse
// the flag with exit 2.
TEST(BenchCli, MihReferenceFailureIsNamed) {
  TempDir tmp;
  const std::string missing = tmp.Sub("no-such-mih");
  const Outcome run = Semhash(
      "bench --n 200 --num-queries 2 --clusters 5 --budget 0.1 --tables 8 "
      "--tmp " +
      tmp.path() + " --mih-reference " + missing);
  if (run.exit_code == 2) {
    EXPECT_NE(run.output.find("--mih-reference needs a build with HDF5"),
              std::string::npos)
        << run.output;
  } else {
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("the MIH reference failed: '" + missing),
              std::string::npos)
        << run.output;
  }
}

TEST(BenchCli, IsListedAndHasHelp) {
  const Outcome list = Semhash("--help");
  EXPECT_NE(list.output.find("  bench\t"), std::string::npos) << list.output;
  const Outcome help = Semhash("bench --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("usage: semhash bench"), std::string::npos)
      << help.output;
}

}  // namespace
}  // namespace semhash

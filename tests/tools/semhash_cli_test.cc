// The semhash tool end to end: real files in, real database on disk, output
// and exit codes checked, and bad inputs shown to leave a database unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "../engine/test_util.h"
#include "semhash/db.h"
#include "tests/tools/cli_runner.h"
#include "tests/tools/png_reader.h"
#include "tools/io/idx_file.h"
#include "tools/io/npy_file.h"
#include "tools/pictures/contact_sheet.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Lines;
using testing::Outcome;
using testing::Semhash;
using testing::Snapshot;
using testing::TempDir;

void WriteIdx(const std::string& path, size_t count, size_t side,
              std::mt19937_64* rng) {
  std::string bytes("\x00\x00\x08\x03", 4);
  for (uint32_t v : {uint32_t(count), uint32_t(side), uint32_t(side)}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(char(v >> shift));
  }
  for (size_t i = 0; i < count * side * side; ++i)
    bytes.push_back(char((*rng)()));
  std::ofstream(path, std::ios::binary) << bytes;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    codes_.resize(kRows * kCodeBytes);
    for (auto& b : codes_) b = uint8_t(rng_());
    ASSERT_TRUE(io::WriteNpy(Path("codes.npy"), io::NpyType::kUint8,
                             {kRows, kCodeBytes}, codes_.data())
                    .ok());
  }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }
  std::string Db() const { return Path("db"); }

  static constexpr size_t kRows = 200;
  static constexpr size_t kCodeBytes = 16;
  TempDir dir_;
  std::mt19937_64 rng_{23};
  std::vector<uint8_t> codes_;
};

TEST_F(CliTest, CodesBuildThenJsonQueryMatchesTheLibrary) {
  Outcome run = Semhash("build --db " + Db() + " --codes " + Path("codes.npy") +
                        " --address-bits 10 --code-bits 128");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("200 images"), std::string::npos) << run.output;

  run = Semhash("query --db " + Db() + " --codes " + Path("codes.npy") +
                " --first 3 --count 4 --k 5 --json --max-radius 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::regex line_format(
      R"(\{"query": (\d+), "results": \[(\{"id": \d+, "distance": \d+\}(, )?)*\], )"
      R"("stats": \{"path": "memory-probe", "radius_reached": \d+, )"
      R"("addresses_probed": \d+, "addresses_occupied": \d+, )"
      R"("range_bits": \d+, "lookups": \d+, "lookups_empty": \d+, )"
      R"("candidates_reranked": \d+\}, "k": 5, "fewer_than_k": (true|false)\})");
  std::vector<std::string> json;
  for (const auto& line : Lines(run.output)) {
    if (!line.empty() && line[0] == '{') json.push_back(line);
  }
  ASSERT_EQ(json.size(), 4u) << run.output;

  Options read_only;
  read_only.read_only = true;
  auto db = testing::OpenOrDie(Db(), read_only);
  for (size_t i = 0; i < json.size(); ++i) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(json[i], match, line_format)) << json[i];
    EXPECT_EQ(match[1], std::to_string(3 + i));
    const CodeView code(&codes_[(3 + i) * kCodeBytes], kCodeBytes);
    SearchOptions options;
    options.max_radius = 2;
    SearchResult result;
    ASSERT_TRUE(
        db->Search(options, AddressFromCode(code, 10), code, 5, &result).ok());
    std::string expected = "\"results\": [";
    for (size_t j = 0; j < result.neighbors.size(); ++j) {
      expected += (j ? ", " : "") + std::string("{\"id\": ") +
                  std::to_string(result.neighbors[j].id) + ", \"distance\": " +
                  std::to_string(result.neighbors[j].distance) + "}";
    }
    EXPECT_NE(json[i].find(expected + "]"), std::string::npos) << json[i];
    // The query's own code is stored under its row index at distance 0.
    EXPECT_NE(json[i].find("{\"id\": " + std::to_string(3 + i) +
                           ", \"distance\": 0}"),
              std::string::npos);
  }
}

TEST_F(CliTest, ImagesAreEncodedByTheStoredModel) {
  WriteIdx(Path("images.idx"), 120, 8, &rng_);
  Outcome run =
      Semhash("build --db " + Db() + " --images " + Path("images.idx") +
              " --address-bits 12 --code-bits 64 --seed 5");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("lsh(sample=0,seed=5)"), std::string::npos)
      << run.output;
  // No encoder options at query time: the database's own model encodes.
  run = Semhash("query --db " + Db() + " --images " + Path("images.idx") +
                " --count 10 --k 1 --exact --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  size_t checked = 0;
  for (const auto& line : Lines(run.output)) {
    std::smatch m;
    if (!std::regex_search(
            line, m,
            std::regex(
                R"(^\{"query": (\d+), "results": \[\{"id": (\d+), "distance": 0\})")))
      continue;
    EXPECT_EQ(m[1], m[2]) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 10u) << run.output;
  // Adding the same images again replaces them: still 120 distinct ids;
  // with --id-offset they are added beside them.
  run = Semhash("build --db " + Db() + " --images " + Path("images.idx"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  run = Semhash("build --db " + Db() + " --images " + Path("images.idx") +
                " --limit 30 --id-offset 1000");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto db = testing::OpenOrDie(Db());
  SearchResult all;
  ASSERT_TRUE(db->SearchExact(std::vector<uint8_t>(8, 0), 1000, &all).ok());
  EXPECT_EQ(all.neighbors.size(), 150u);
  Record first, copy;
  ASSERT_TRUE(db->Get(0, &first).ok());
  ASSERT_TRUE(db->Get(1000, &copy).ok());
  EXPECT_EQ(first.code, copy.code);
}

TEST_F(CliTest, BadInputsFailClearlyAndLeaveTheDatabaseUnchanged) {
  ASSERT_EQ(Semhash("build --db " + Db() + " --codes " + Path("codes.npy") +
                    " --address-bits 10 --code-bits 128")
                .exit_code,
            0);
  // Fixtures: a 64-bit code file, truncated files, mismatched arrays.
  std::vector<uint8_t> narrow(kRows * 8, 1);
  ASSERT_TRUE(io::WriteNpy(Path("narrow.npy"), io::NpyType::kUint8, {kRows, 8},
                           narrow.data())
                  .ok());
  std::string whole;
  {
    std::ifstream in(Path("codes.npy"), std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(Path("cut.npy"), std::ios::binary)
      << whole.substr(0, whole.size() - 7);
  std::vector<uint32_t> few(kRows - 1, 0), wide(kRows, 1u << 10);
  ASSERT_TRUE(io::WriteNpy(Path("few.npy"), io::NpyType::kUint32, {kRows - 1},
                           few.data())
                  .ok());
  ASSERT_TRUE(
      io::WriteNpy(Path("wide.npy"), io::NpyType::kUint32, {kRows}, wide.data())
          .ok());
  std::vector<uint64_t> ids(kRows - 5, 0);
  ASSERT_TRUE(io::WriteNpy(Path("ids.npy"), io::NpyType::kUint64, {kRows - 5},
                           ids.data())
                  .ok());
  WriteIdx(Path("images.idx"), 5, 8, &rng_);
  std::ofstream(Path("file")) << "x";
  const std::string build = "build --db " + Db() + " ";
  const std::string query = "query --db " + Db() + " ";
  const std::vector<BadCall> calls = {
      {build + "--codes " + Path("narrow.npy"), 1, "64 bits"},
      {build + "--codes " + Path("cut.npy"), 1, "cut.npy"},
      {build + "--codes " + Path("absent.npy"), 1, "absent.npy"},
      {build + "--codes " + Path("codes.npy") + " --addresses " +
           Path("few.npy"),
       1, "199 addresses for 200 codes"},
      {build + "--codes " + Path("codes.npy") + " --addresses " +
           Path("wide.npy"),
       1, "wider than the database's 10 bits"},
      {build + "--codes " + Path("codes.npy") + " --ids " + Path("ids.npy"), 1,
       "195 ids for 200 codes"},
      {build + "--codes " + Path("codes.npy") + " --address-bits 12", 1,
       "address_bits"},
      {build + "--codes " + Path("codes.npy") + " --code-bits 256", 1,
       "code_bits"},
      {build + "--images " + Path("images.idx"), 1,
       "codes brought by the user"},
      {build + "--codes " + Path("codes.npy") + " --bogus 1", 2, "bogus"},
      {build + "--codes " + Path("codes.npy") + " --images " +
           Path("images.idx"),
       2, "exactly one"},
      {build + "--codes " + Path("codes.npy") + " --encoder pca", 2,
       "--encoder"},
      {"build --db " + Path("file") + " --codes " + Path("codes.npy"), 1,
       "is a file"},
      {query + "--codes " + Path("narrow.npy"), 1, "128-bit codes"},
      {query + "--codes " + Path("codes.npy") + " --first 500", 1,
       "past its 200 rows"},
      {query + "--images " + Path("images.idx"), 1, "no encoder"},
      {query + "--codes " + Path("codes.npy") + " --k 0", 2, "--k"},
      {query + "--codes " + Path("codes.npy") + " --radius 5 --exact", 2,
       "--radius goes without"},
      {query + "--codes " + Path("codes.npy") + " --memory-index later", 2,
       "--memory-index takes"},
      {"build --db " + Path("db2") + " --codes " + Path("codes.npy") +
           " --tables many",
       2, "--tables takes"},
      {"build --db " + Path("db2") + " --codes " + Path("codes.npy") +
           " --code-bits 128 --tables 3",
       1, "must be 0 or 4..32"},
      {"frobnicate", 2, "unknown command"},
  };
  ExpectRefused(calls, Db());
}

// build --tables makes multi-index tables; query --radius returns exactly
// the library's SearchRadius; query --exact and --memory-index say which
// path answered.
TEST_F(CliTest, TablesAndRadiusQueries) {
  Outcome run = Semhash("build --db " + Db() + " --codes " + Path("codes.npy") +
                        " --address-bits 10 --code-bits 128 --tables auto");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  {
    Options read_only;
    read_only.read_only = true;
    auto db = testing::OpenOrDie(Db(), read_only);
    // MIH's rule for 200 images: substrings of about log2(200) = 7.6 bits.
    EXPECT_EQ(db->info().mih_tables, AdviseMultiIndexTables(128, kRows));
    EXPECT_EQ(db->info().mih_tables, 17u);
    for (size_t i = 0; i < 3; ++i) {
      SearchResult expected;
      ASSERT_TRUE(
          db->SearchRadius(CodeView(&codes_[i * kCodeBytes], kCodeBytes), 52,
                           &expected)
              .ok());
      run = Semhash("query --db " + Db() + " --codes " + Path("codes.npy") +
                    " --first " + std::to_string(i) +
                    " --count 1 --radius 52 --json");
      ASSERT_EQ(run.exit_code, 0) << run.output;
      std::string results;
      for (const Neighbor& n : expected.neighbors) {
        results += (results.empty() ? "" : ", ") + std::string("{\"id\": ") +
                   std::to_string(n.id) +
                   ", \"distance\": " + std::to_string(n.distance) + "}";
      }
      EXPECT_NE(run.output.find("\"results\": [" + results + "]"),
                std::string::npos)
          << run.output;
      EXPECT_GT(expected.neighbors.size(), 0u);  // The image itself.
    }
  }
  run = Semhash("query --db " + Db() + " --codes " + Path("codes.npy") +
                " --exact --memory-index off --show 0");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Ignored since format version 3: the mapped index answers.
  EXPECT_NE(run.output.find("paths: memory-scan 200"), std::string::npos)
      << run.output;
  run = Semhash("query --db " + Db() + " --codes " + Path("codes.npy") +
                " --show 0 --no-tables");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("paths: memory-probe 200"), std::string::npos)
      << run.output;
  // A database's tables are fixed when it is created.
  std::vector<uint64_t> ids(kRows);
  for (size_t i = 0; i < kRows; ++i) ids[i] = 1000 + i;
  ASSERT_TRUE(
      io::WriteNpy(Path("ids.npy"), io::NpyType::kUint64, {kRows}, ids.data())
          .ok());
  ExpectRefused({{"build --db " + Db() + " --codes " + Path("codes.npy") +
                      " --ids " + Path("ids.npy") + " --tables 8",
                  1, "mih_tables: the database has 17, the options say 8"}},
                Db());
}

// Images of `classes` kinds: class c lights up row band c, plus noise.
// Writes the images and their IDX label file.
void WriteClassImages(const std::string& images, const std::string& labels,
                      size_t count, size_t side, size_t classes,
                      std::mt19937_64* rng) {
  std::string pixels("\x00\x00\x08\x03", 4), tags("\x00\x00\x08\x01", 4);
  const auto put32 = [](std::string* out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out->push_back(char(v >> shift));
  };
  for (uint32_t v : {uint32_t(count), uint32_t(side), uint32_t(side)})
    put32(&pixels, v);
  put32(&tags, uint32_t(count));
  for (size_t i = 0; i < count; ++i) {
    const size_t label = i % classes;
    tags.push_back(char(label));
    for (size_t p = 0; p < side * side; ++p) {
      const bool lit = p / side / (side / classes) == label;
      pixels.push_back(char((lit ? 160 : 0) + (*rng)() % 90));
    }
  }
  std::ofstream(images, std::ios::binary) << pixels;
  std::ofstream(labels, std::ios::binary) << tags;
}

TEST_F(CliTest, TrainOnceThenBuildWithTheModel) {
  WriteClassImages(Path("images.idx"), Path("labels.idx"), 300, 8, 4, &rng_);
  WriteIdx(Path("small.idx"), 10, 6, &rng_);
  const std::string train = "train --input " + Path("images.idx") +
                            " --encoder itq --address-bits 10 --code-bits 64";
  Outcome run = Semhash(train + " --out " + Path("itq.model"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("itq(iterations=50,sample=0,seed=42)"),
            std::string::npos)
      << run.output;
  ASSERT_EQ(Semhash(train + " --seed 7 --out " + Path("other.model")).exit_code,
            0);
  run = Semhash("build --db " + Db() + " --images " + Path("images.idx") +
                " --model " + Path("itq.model"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("10-bit addresses, 64-bit codes"),
            std::string::npos)
      << run.output;

  const std::string build = "build --db " + Db() + " --images ";
  const std::vector<BadCall> calls = {
      {build + Path("images.idx") + " --model " + Path("other.model"), 1,
       "is not the model"},
      {build + Path("images.idx") + " --encoder pcah", 1,
       "--encoder pcah, but the stored encoder itq"},
      {build + Path("images.idx") + " --seed 7", 1, "--seed 7"},
      {build + Path("small.idx"), 1, "the database's encoder takes 64"},
      {build + Path("images.idx") + " --model " + Path("itq.model") +
           " --seed 3",
       2, "no training options"},
      {"train --input " + Path("images.idx") +
           " --encoder itq --code-bits 128 --out " + Path("x.model"),
       1, "dim"},
      {"train --input " + Path("images.idx") + " --encoder nope --out " +
           Path("x.model"),
       1, "unknown encoder kind 'nope'"},
  };
  ExpectRefused(calls, Db());
  EXPECT_FALSE(std::filesystem::exists(Path("x.model")));
}

TEST_F(CliTest, EvalReportsQualityAsJson) {
  WriteClassImages(Path("images.idx"), Path("labels.idx"), 400, 8, 4, &rng_);
  ASSERT_EQ(Semhash("build --db " + Db() + " --images " + Path("images.idx") +
                    " --encoder itq --address-bits 8 --code-bits 64")
                .exit_code,
            0);
  const Outcome run = Semhash(
      "eval --json --db " + Db() + " --queries " + Path("images.idx") +
      " --query-labels " + Path("labels.idx") + " --db-labels " +
      Path("labels.idx") + " --count 40 --k 20 --euclidean --db-vectors " +
      Path("images.idx"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto number = [&](const std::string& section, const std::string& key) {
    std::smatch m;
    const std::regex re("\"" + section + "\": \\{[^}]*\"" + key +
                        "\": ([0-9.]+)");
    EXPECT_TRUE(std::regex_search(run.output, m, re)) << section << " " << key;
    return m.empty() ? -1.0 : std::stod(m[1]);
  };
  // Four well-separated classes: every ranking is far above chance (0.25).
  EXPECT_GT(number("hamming", "map"), 0.9) << run.output;
  EXPECT_GT(number("address", "map"), 0.6) << run.output;
  EXPECT_GT(number("euclidean", "map"), 0.9) << run.output;
  EXPECT_GT(number("two_stage", "p@10"), 0.9) << run.output;
  const double examined = number("two_stage", "fraction_examined");
  EXPECT_GT(examined, 0.0);
  EXPECT_LE(examined, 1.0);
  EXPECT_NE(run.output.find("\"queries\": 40"), std::string::npos);
  // A label file too short for the database is refused.
  std::ofstream(Path("few.idx"), std::ios::binary)
      << std::string("\x00\x00\x08\x01\x00\x00\x00\x02\x00\x01", 10);
  const Outcome bad =
      Semhash("eval --db " + Db() + " --queries " + Path("images.idx") +
              " --query-labels " + Path("labels.idx") + " --db-labels " +
              Path("few.idx"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("has no label for id 2"), std::string::npos)
      << bad.output;
}

// The first two queries, each with its 4 results, drawn from the same
// images the database was built from: the top result of a query is itself.
TEST_F(CliTest, QuerySheetDrawsQueriesAndTheirResults) {
  WriteClassImages(Path("images.idx"), Path("labels.idx"), 200, 8, 4, &rng_);
  WriteIdx(Path("few.idx"), 3, 8, &rng_);
  WriteIdx(Path("small.idx"), 200, 6, &rng_);
  ASSERT_EQ(Semhash("build --db " + Db() + " --images " + Path("images.idx") +
                    " --address-bits 10 --code-bits 64")
                .exit_code,
            0);
  const std::string query = "query --db " + Db() + " --k 4 --exact";
  const std::string images = " --images " + Path("images.idx");
  const std::string sheet = " --sheet " + Path("sheet.png");
  Outcome run = Semhash(query + images + " --first 5 --count 3" + sheet +
                        " --sheet-queries 2 --db-images " + Path("images.idx") +
                        " --query-labels " + Path("labels.idx") +
                        " --db-labels " + Path("labels.idx"));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  pictures::Image png(0, 0);
  std::string error;
  ASSERT_TRUE(testing::ReadPng(Path("sheet.png"), &png, &error)) << error;
  // 8x8 images are drawn at 3x; the expected size is that of a sheet of two
  // rows of a query and 4 results.
  const pictures::SheetGeometry g{8, 8, 3};
  const std::vector<uint8_t> blank(64);
  const pictures::SheetRow row{
      blank.data(), "query 5",
      std::vector<pictures::SheetResult>(4, {blank.data(), 0, true, ""}), ""};
  const pictures::Image expected = pictures::RenderContactSheet(g, {row, row});
  EXPECT_EQ(png.width(), expected.width());
  EXPECT_EQ(png.height(), expected.height());
  io::IdxImages stored;
  ASSERT_TRUE(io::ReadIdxImages(Path("images.idx"), 0, 0, &stored).ok());
  for (int r = 0; r < 2; ++r) {
    const pictures::TileRect query_tile = pictures::SheetTile(g, r, 0);
    const pictures::TileRect top_result = pictures::SheetTile(g, r, 1);
    EXPECT_EQ(png.At(query_tile.x, query_tile.y), pictures::kQueryFrame);
    EXPECT_EQ(png.At(top_result.x, top_result.y), pictures::kRelevantFrame);
    // The query's first pixel, in both tiles, inside the 3-pixel frames.
    const uint8_t gray = stored.pixels[(5 + r) * 64];
    EXPECT_EQ(png.At(query_tile.x + 3, query_tile.y + 3),
              (pictures::Rgb{gray, gray, gray}));
    EXPECT_EQ(png.At(top_result.x + 3, top_result.y + 3),
              (pictures::Rgb{gray, gray, gray}));
  }

  const std::string few = " --db-images " + Path("few.idx");
  const std::vector<BadCall> calls = {
      {query + " --codes " + Path("codes.npy") + sheet + few, 2,
       "--sheet draws the query images"},
      {query + images + sheet, 2,
       "--sheet with IDX --images needs --db-images"},
      {query + images + few, 2, "--db-images goes with --sheet"},
      {query + images + sheet + few + " --sheet-queries 0", 2,
       "--sheet-queries takes a whole number of at least 1, not '0'"},
      {query + images + " --count 2" + sheet + few, 1,
       "few.idx holds 3 images; it has none for id"},
      {query + images + " --count 2" + sheet + " --db-images " +
           Path("small.idx"),
       1, "images of 6x6; the queries' are 8x8"},
      {query + images + " --count 2 --db-images " + Path("images.idx") +
           " --sheet " + Path("no/such/dir.png"),
       1, "dir.png: cannot create"},
  };
  ExpectRefused(calls, /*db_dir=*/"");
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* command : {"train", "build", "query", "eval"}) {
    const Outcome run = Semhash(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_NE(run.output.find("usage: semhash " + std::string(command)),
              std::string::npos)
        << run.output;
  }
  EXPECT_EQ(Semhash("--help").exit_code, 0);
  EXPECT_EQ(Semhash("").exit_code, 2);
}

}  // namespace
}  // namespace semhash

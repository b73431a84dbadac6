// The administrator's commands end to end (inspect, verify, compact,
// export): a database of known shape built by the tool, their output and
// exit codes checked, damage made through raw RocksDB detected, and the
// read-only commands shown to leave every byte of the database unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "../engine/test_util.h"
#include "engine/db/rocksdb_store.h"
#include "format/keys.h"
#include "semhash/db.h"
#include "tests/tools/cli_runner.h"
#include "tests/tools/png_reader.h"
#include "tools/io/npy_file.h"
#include "tools/pictures/charts.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Lines;
using testing::Outcome;
using testing::Semhash;
using testing::Snapshot;
using testing::TempDir;

// 200 images with 8-bit addresses spread so that every statistic is known:
// address 0x00 holds 128 images, 0xc0 64, 0x03 4, 0x30 2, 0x08 and 0x81 one
// each. Ids are 1000 + 7 * row, in shuffled order; codes are random.
constexpr size_t kImages = 200;
constexpr size_t kCodeBytes = 8;
constexpr std::pair<Address, size_t> kLists[] = {
    {0x00, 128}, {0xc0, 64}, {0x03, 4}, {0x30, 2}, {0x08, 1}, {0x81, 1}};

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(11);
    for (const auto& [address, length] : kLists) {
      addresses_.insert(addresses_.end(), length, address);
    }
    ids_.resize(kImages);
    for (size_t row = 0; row < kImages; ++row) ids_[row] = 1000 + 7 * row;
    std::shuffle(ids_.begin(), ids_.end(), rng);
    codes_ = testing::RandomCode(&rng, kImages * kCodeBytes);
    ASSERT_TRUE(io::WriteNpy(Path("codes.npy"), io::NpyType::kUint8,
                             {kImages, kCodeBytes}, codes_.data())
                    .ok());
    ASSERT_TRUE(io::WriteNpy(Path("addresses.npy"), io::NpyType::kUint32,
                             {kImages}, addresses_.data())
                    .ok());
    ASSERT_TRUE(io::WriteNpy(Path("ids.npy"), io::NpyType::kUint64, {kImages},
                             ids_.data())
                    .ok());
    const Outcome run =
        Semhash(BuildArgs(Db(), "codes.npy", "addresses.npy", "ids.npy"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }

  std::string Path(const std::string& name) const { return dir_.Sub(name); }
  std::string Db() const { return Path("db"); }
  std::string BuildArgs(const std::string& db, const std::string& codes,
                        const std::string& addresses,
                        const std::string& ids) const {
    return "build --db " + db + " --codes " + Path(codes) + " --addresses " +
           Path(addresses) + " --ids " + Path(ids) +
           " --address-bits 8 --code-bits 64";
  }
  // The JSON lines `query --json` prints for every stored code.
  std::vector<std::string> QueryAnswers(const std::string& db) const {
    const Outcome run =
        Semhash("query --json --k 5 --max-radius 1 --db " + db + " --codes " +
                Path("codes.npy") + " --addresses " + Path("addresses.npy"));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    std::vector<std::string> json;
    for (const std::string& line : Lines(run.output)) {
      // The results; not the stats, whose lookups_empty counts addresses
      // that hold only deleted rows until a compaction drops them.
      if (!line.empty() && line[0] == '{') {
        json.push_back(line.substr(0, line.find("\"stats\"")));
      }
    }
    EXPECT_EQ(json.size(), kImages);
    return json;
  }
  // Runs `change` on the raw RocksDB database under the semhash one.
  template <typename Change>
  void Tamper(Change change) {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, Db(), &store).ok());
    change(store.get());
  }
  // Flips one byte of the value under `key` in `family`.
  void FlipByte(rocksdb::ColumnFamilyHandle* (RocksDBStore::*family)() const,
                const std::string& key, size_t offset) {
    Tamper([&](RocksDBStore* store) {
      std::string value;
      ASSERT_TRUE(
          store->db()
              ->Get(rocksdb::ReadOptions(), (store->*family)(), key, &value)
              .ok());
      value[offset] ^= 0x04;
      ASSERT_TRUE(
          store->db()
              ->Put(rocksdb::WriteOptions(), (store->*family)(), key, value)
              .ok());
    });
  }

  TempDir dir_;
  std::vector<Address> addresses_;
  std::vector<uint64_t> ids_;
  std::vector<uint8_t> codes_;
};

bool Has(const Outcome& run, const std::string& text) {
  return run.output.find(text) != std::string::npos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(AdminCliTest, InspectReportsTheKnownShape) {
  const auto before = Snapshot(Db());
  const Outcome run = Semhash("inspect --json --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);
  const std::vector<std::string> expected = {
      "\"format_version\": 3, \"address_bits\": 8, \"code_bits\": 64, "
      "\"posting_chunk_capacity\": 1024, \"mih_tables\": 0, \"encoder\": "
      "{\"kind\": "
      "\"external\", \"params\": \"\"}",
      "\"images\": 200, \"occupied_addresses\": 6",
      "\"posting_list_lengths\": ["
      "{\"min_length\": 1, \"max_length\": 1, \"addresses\": 2}, "
      "{\"min_length\": 2, \"max_length\": 3, \"addresses\": 1}, "
      "{\"min_length\": 4, \"max_length\": 7, \"addresses\": 1}, "
      "{\"min_length\": 8, \"max_length\": 15, \"addresses\": 0}, "
      "{\"min_length\": 16, \"max_length\": 31, \"addresses\": 0}, "
      "{\"min_length\": 32, \"max_length\": 63, \"addresses\": 0}, "
      "{\"min_length\": 64, \"max_length\": 127, \"addresses\": 1}, "
      "{\"min_length\": 128, \"max_length\": 255, \"addresses\": 1}]",
      "\"largest_posting_lists\": [{\"address\": 0, \"length\": 128}, "
      "{\"address\": 192, \"length\": 64}, {\"address\": 3, \"length\": 4}, "
      "{\"address\": 48, \"length\": 2}, {\"address\": 8, \"length\": 1}, "
      "{\"address\": 129, \"length\": 1}]",
      "\"address_bit_ones\": [0.325, 0.32, 0.01, 0.01, 0.005, 0, 0.02, "
      "0.025]",
      // Bits 2 and 3 are set together (0x30); bit 5 is never set.
      "\"correlated_address_bits\": ["
      "{\"bits\": [2, 3], \"correlation\": 1}, "
      "{\"bits\": [0, 1], \"correlation\": 0.988623}, "
      "{\"bits\": [6, 7], \"correlation\": 0.892143}, "
      "{\"bits\": [1, 7], \"correlation\": -0.109847}, "
      "{\"bits\": [0, 6], \"correlation\": -0.099127}]",
      // Radius 0: (128^2 + 64^2 + 4^2 + 2^2 + 1 + 1) / 200; radius 1 adds
      // 0x00 and 0x08 to each other's, radius 2 0x00 and 0x03, 0x00 and
      // 0x30, 0xc0 and 0x81...
      "\"probe_cost\": {\"method\": \"exact\", \"images_averaged\": 200, "
      "\"radii\": ["
      "{\"radius\": 0, \"addresses_probed\": 1, \"expected_candidates\": "
      "102.51}, "
      "{\"radius\": 1, \"addresses_probed\": 9, \"expected_candidates\": "
      "103.79}, "
      "{\"radius\": 2, \"addresses_probed\": 37, \"expected_candidates\": "
      "195.35}, "
      "{\"radius\": 3, \"addresses_probed\": 93, \"expected_candidates\": "
      "196.06}]}",
      "{\"name\": \"changes\", \"table_bytes\": ",
      "{\"name\": \"payloads\", \"table_bytes\": ",
      "\"segment\": {\"number\": ",
      "\"bytes_per_image\": ",
  };
  for (const std::string& text : expected) {
    EXPECT_TRUE(Has(run, text)) << "missing " << text << "\nin " << run.output;
  }
  EXPECT_EQ(Lines(run.output).size(), 1u) << run.output;

  const Outcome text = Semhash("inspect --db " + Db());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(Has(text, "images: 200, occupied addresses: 6")) << text.output;
  EXPECT_TRUE(Has(text, "exact over all 200 images")) << text.output;
}

TEST_F(AdminCliTest, InspectShowsOneAddressAndOneId) {
  const auto before = Snapshot(Db());
  Outcome run = Semhash("inspect --json --address 48 --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Rows 196 and 197 are the two images at 0x30; listed by ascending id.
  std::vector<size_t> rows = {196, 197};
  std::sort(rows.begin(), rows.end(),
            [&](size_t a, size_t b) { return ids_[a] < ids_[b]; });
  const auto hex = [&](size_t row) {
    std::string text;
    char byte[3];
    for (size_t i = 0; i < kCodeBytes; ++i) {
      std::snprintf(byte, sizeof byte, "%02x", codes_[row * kCodeBytes + i]);
      text += byte;
    }
    return text;
  };
  std::string expected =
      "{\"address\": 48, \"address_binary\": \"00110000\", \"images\": 2, "
      "\"entries\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    expected += (i ? ", " : "") + std::string("{\"id\": ") +
                std::to_string(ids_[rows[i]]) + ", \"code\": \"" +
                hex(rows[i]) + "\"}";
  }
  EXPECT_EQ(Lines(run.output), std::vector<std::string>{expected + "]}"});

  run = Semhash("inspect --address 192 --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "address 192 (11000000): 64 images")) << run.output;
  EXPECT_EQ(Lines(run.output).size(), 65u);

  run = Semhash("inspect --json --id " + std::to_string(ids_[199]) + " --db " +
                Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "{\"id\": " + std::to_string(ids_[199]) +
                            ", \"address\": 129, \"address_binary\": "
                            "\"10000001\", \"code\": \"" +
                            hex(199) +
                            "\", \"payload_bytes\": 0, \"payload_encoding\": "
                            "\"utf-8\", \"payload\": \"\"}\n");
  run = Semhash("inspect --id " + std::to_string(ids_[0]) + " --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "address 0 (00000000)")) << run.output;
  EXPECT_TRUE(Has(run, "code " + hex(0))) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);
}

TEST_F(AdminCliTest, InspectPlotsTheHistogramAndTheBitBalance) {
  const auto before = Snapshot(Db());
  const std::string plots = Path("plots/new");  // Created by the command.
  const Outcome run = Semhash("inspect --db " + Db() + " --plot " + plots);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);
  // The same charts drawn from the known figures.
  const std::vector<pictures::HistogramBar> bars = {
      {"1", 2},     {"2-3", 1},   {"4-7", 1},    {"8-15", 0},
      {"16-31", 0}, {"32-63", 0}, {"64-127", 1}, {"128-255", 1}};
  ASSERT_TRUE(
      pictures::WriteHistogramChart(
          bars,
          {"Posting-list lengths", "images per address", "addresses", true},
          Path("lengths.png"))
          .ok());
  ASSERT_TRUE(pictures::WriteBitBalanceChart(
                  {65 / 200.0, 64 / 200.0, 2 / 200.0, 2 / 200.0, 1 / 200.0, 0,
                   4 / 200.0, 5 / 200.0},
                  Path("balance.png"))
                  .ok());
  for (const auto& [written, expected] :
       {std::pair{plots + "/posting_lengths.png", Path("lengths.png")},
        std::pair{plots + "/bit_balance.png", Path("balance.png")}}) {
    pictures::Image got(0, 0), want(0, 0);
    std::string error;
    ASSERT_TRUE(testing::ReadPng(written, &got, &error)) << written << error;
    ASSERT_TRUE(testing::ReadPng(expected, &want, &error)) << error;
    EXPECT_EQ(got.width(), want.width()) << written;
    EXPECT_EQ(got.height(), want.height()) << written;
    EXPECT_EQ(ReadFile(written), ReadFile(expected)) << written;
  }
}

TEST_F(AdminCliTest, VerifyPassesThenNamesADamagedSegmentBlock) {
  const auto before = Snapshot(Db());
  Outcome run = Semhash("verify --json --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run,
                  "\"sound\": true, \"images\": 200, "
                  "\"segment_rows\": 200, \"changes\": 0, "
                  "\"tombstones\": 0, \"payloads\": 0"))
      << run.output;
  EXPECT_TRUE(Has(run, "\"problem_count\": 0, \"problems\": []"));
  EXPECT_FALSE(Has(run, "\r")) << "a progress bar drawn into a pipe";
  run = Semhash("verify --quiet --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "sound: no problems found")) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);

  std::string segment;
  for (const auto& entry :
       std::filesystem::directory_iterator(Db() + "/segments")) {
    segment = entry.path().string();
  }
  ASSERT_FALSE(segment.empty());
  {
    // A byte of the codes section (offset 4096 on).
    std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4096 + 40);
    file.put('\x5a');
  }
  const auto damaged = Snapshot(Db());
  run = Semhash("verify --db " + Db());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(Has(run, segment + ": codes")) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == damaged);
  run = Semhash("verify --json --db " + Db());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(Has(run, "\"sound\": false")) << run.output;
}

TEST_F(AdminCliTest, DamagedManifestFailsToOpen) {
  FlipByte(&RocksDBStore::meta, format::kManifestKey, 8);
  for (const char* command : {"verify", "inspect", "export --out x.npy"}) {
    const Outcome run = Semhash(std::string(command) + " --db " + Db());
    EXPECT_EQ(run.exit_code, 1) << command << "\n" << run.output;
    EXPECT_TRUE(Has(run, "Corruption")) << command << "\n" << run.output;
  }
}

TEST_F(AdminCliTest, CompactKeepsEveryAnswer) {
  {
    auto db = testing::OpenOrDie(Db());
    for (size_t row = 0; row < kImages; row += 3) {
      ASSERT_TRUE(db->Delete(WriteOptions(), ids_[row]).ok());
    }
  }
  const std::vector<std::string> before = QueryAnswers(Db());
  const Outcome run = Semhash("compact --json --db " + Db());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "{\"db\": \"" + Db() + "\", \"bytes_before\": "))
      << run.output;
  for (const char* key : {"bytes_after", "changes_merged", "segment_rows"}) {
    EXPECT_TRUE(Has(run, "\"" + std::string(key) + "\": ")) << key;
  }
  // A third of the images was deleted: their tombstones are merged.
  EXPECT_TRUE(Has(
      run, "\"segment_rows\": " + std::to_string(kImages - (kImages + 2) / 3)))
      << run.output;
  EXPECT_EQ(QueryAnswers(Db()), before);
  EXPECT_EQ(Semhash("verify --db " + Db()).exit_code, 0);
  const Outcome text = Semhash("compact --quiet --db " + Db());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(Has(text, "compacted " + Db())) << text.output;
}

TEST_F(AdminCliTest, ExportThenBuildRoundTripsByteForByte) {
  const auto before = Snapshot(Db());
  const std::string files = " --out " + Path("c1.npy") + " --addresses " +
                            Path("a1.npy") + " --ids " + Path("i1.npy");
  Outcome run = Semhash("export --db " + Db() + files);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Snapshot(Db()) == before);
  // In id order: the input rows sorted by id.
  std::vector<size_t> order(kImages);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ids_[a] < ids_[b]; });
  std::vector<uint8_t> codes;
  std::vector<uint32_t> addresses;
  std::vector<uint64_t> ids;
  size_t rows = 0, cols = 0;
  ASSERT_TRUE(io::ReadNpyMatrixU8(Path("c1.npy"), &rows, &cols, &codes).ok());
  ASSERT_TRUE(io::ReadNpyVectorU32(Path("a1.npy"), &addresses).ok());
  ASSERT_TRUE(io::ReadNpyVectorU64(Path("i1.npy"), &ids).ok());
  ASSERT_EQ(rows, kImages);
  ASSERT_EQ(cols, kCodeBytes);
  for (size_t i = 0; i < kImages; ++i) {
    EXPECT_EQ(ids[i], ids_[order[i]]);
    EXPECT_EQ(addresses[i], addresses_[order[i]]);
    EXPECT_TRUE(std::equal(codes.begin() + i * kCodeBytes,
                           codes.begin() + (i + 1) * kCodeBytes,
                           codes_.begin() + order[i] * kCodeBytes));
  }

  run = Semhash(BuildArgs(Path("db2"), "c1.npy", "a1.npy", "i1.npy"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  run =
      Semhash("export --json --db " + Path("db2") + " --out " + Path("c2.npy") +
              " --addresses " + Path("a2.npy") + " --ids " + Path("i2.npy"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Has(run, "\"images\": 200, \"code_bits\": 64")) << run.output;
  for (const char* name : {"c", "a", "i"}) {
    const std::string first = Path(name + std::string("1.npy"));
    const std::string second = Path(name + std::string("2.npy"));
    EXPECT_EQ(ReadFile(first), ReadFile(second)) << first;
  }
  EXPECT_EQ(QueryAnswers(Path("db2")), QueryAnswers(Db()));
  // Exporting again overwrites, leaving no temporary file.
  ASSERT_EQ(Semhash("export --db " + Db() + files).exit_code, 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST_F(AdminCliTest, BadInputsFailClearlyAndChangeNothing) {
  const std::string db = " --db " + Db();
  const std::string absent = " --db " + Path("absent");
  const std::vector<BadCall> calls = {
      {"inspect", 2, "'--db' is required"},
      {"verify", 2, "'--db' is required"},
      {"compact", 2, "'--db' is required"},
      {"export --out " + Path("x.npy"), 2, "'--db' is required"},
      {"export" + db, 2, "'--out' is required"},
      {"inspect --bogus" + db, 2, "bogus"},
      {"verify --memory 0" + db, 2, "--memory"},
      {"inspect --id 1 --address 2" + db, 2, "alternatives"},
      {"export --out " + Path("x.npy") + " --ids " + Path("x.npy") + db, 2,
       "different files"},
      {"inspect" + absent, 1, "no database there"},
      {"verify" + absent, 1, "no database there"},
      {"compact" + absent, 1, "no database there"},
      {"export --out " + Path("x.npy") + absent, 1, "no database there"},
      {"inspect --id 5" + db, 1, "NotFound: id 5"},
      {"inspect --address 256" + db, 1,
       "--address 256 is wider than the database's 8-bit addresses"},
      {"export --out " + Path("missing/x.npy") + db, 1,
       "--out: " + Path("missing/x.npy.tmp") + ": cannot create"},
      // The codes could be written; the ids could not: neither is left.
      {"export --out " + Path("x.npy") + " --ids " + Path("missing/i.npy") + db,
       1, "--ids: "},
  };
  ExpectRefused(calls, Db());
  EXPECT_FALSE(std::filesystem::exists(Path("absent")));
  EXPECT_FALSE(std::filesystem::exists(Path("x.npy")));
  EXPECT_FALSE(std::filesystem::exists(Path("x.npy.tmp")));
}

TEST_F(AdminCliTest, EveryCommandHasHelp) {
  for (const char* command : {"inspect", "verify", "compact", "export"}) {
    const Outcome run = Semhash(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(Has(run, "usage: semhash " + std::string(command)))
        << run.output;
  }
}

}  // namespace
}  // namespace semhash

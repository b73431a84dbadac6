// The bad-input catalogue: malformed inputs across the tools and the API in
// one place. Each must be refused with a message that names the problem (a
// non-zero exit from the tools, a non-OK Status from the library) and leave
// the database as it was: byte for byte for the tools, image for image for
// the library. CliTest.BadInputsFailClearlyAndLeaveTheDatabaseUnchanged
// holds more, older cases of `build` and `query`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "semhash/db.h"
#include "semhash/encoder.h"
#include "tests/tools/cli_runner.h"
#include "tests/tools/image_writer.h"
#include "tools/io/npy_file.h"

namespace semhash {
namespace {

using testing::BadCall;
using testing::ExpectRefused;
using testing::Outcome;
using testing::Semhash;
using testing::Snapshot;

constexpr size_t kRows = 300;
constexpr size_t kCodeBytes = 16;  // 128-bit codes, 10-bit addresses.

// What the library's stored images are: (id, address, code) in id order.
using Contents =
    std::vector<std::tuple<uint64_t, Address, std::vector<uint8_t>>>;

Contents ContentsOf(DB* db) {
  Contents contents;
  auto it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    contents.emplace_back(
        it->id(), it->address(),
        std::vector<uint8_t>(it->code().begin(), it->code().end()));
  }
  EXPECT_TRUE(it->status().ok());
  return contents;
}

class BadInputCatalogue : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "semhash-bad-XXXXXX")
            .string();
    dir_ = ::mkdtemp(pattern.data());
    std::mt19937_64 rng(31);
    std::vector<uint8_t> codes(kRows * kCodeBytes);
    for (auto& b : codes) b = uint8_t(rng());
    Write("codes.npy", io::NpyType::kUint8, {kRows, kCodeBytes}, codes.data());
    const Outcome built =
        Semhash("build --quiet --db " + Db() + " --codes " + Path("codes.npy") +
                " --address-bits 10 " + "--code-bits 128");
    ASSERT_EQ(built.exit_code, 0) << built.output;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Db() const { return Path("db"); }
  void Write(const std::string& name, io::NpyType type,
             const std::vector<size_t>& shape, const void* data) {
    ASSERT_TRUE(io::WriteNpy(Path(name), type, shape, data).ok());
  }
  void WriteText(const std::string& name, const std::string& text) {
    std::ofstream(Path(name), std::ios::binary) << text;
  }

  std::string dir_;
};

TEST_F(BadInputCatalogue, ToolsRefuseAndLeaveTheDatabaseUnchanged) {
  const std::vector<float> floats(kRows * kCodeBytes, 0.5f);
  Write("floats.npy", io::NpyType::kFloat32, {kRows, kCodeBytes},
        floats.data());
  const std::vector<uint8_t> cube(2 * 3 * 4, 0);
  Write("cube.npy", io::NpyType::kUint8, {2, 3, 4}, cube.data());
  const std::vector<int64_t> negative(kRows, -5);
  Write("negative.npy", io::NpyType::kInt64, {kRows}, negative.data());
  std::vector<uint64_t> twice(kRows);
  for (size_t i = 0; i < kRows; ++i) twice[i] = 1000 + i % 7;
  Write("twice.npy", io::NpyType::kUint64, {kRows}, twice.data());
  const std::vector<uint8_t> bytes(kRows, 1);
  Write("bytes.npy", io::NpyType::kUint8, {kRows}, bytes.data());
  WriteText("empty.npy", "");
  WriteText("garbage.npy", "\x93NUMPY\x01\x00{'descr': oops");
  WriteText("text.idx", "not an IDX file at all");
  std::string idx(
      "\x00\x00\x08\x03\x00\x00\x00\x05\x00\x00\x00\x1c\x00\x00"
      "\x00\x1c",
      16);
  WriteText("short.idx", idx + std::string(100, '\x01'));
  WriteText("one_payload.txt", "a.png\n");
  std::filesystem::create_directories(Path("photos/empty"));
  ASSERT_TRUE(testing::WritePng8(Path("photos/ok.png"), 4, 4, 1,
                                 std::vector<uint8_t>(16, 9)));
  WriteText("photos/broken.png", "\x89PNG\r\n\x1a\n truncated");
  const std::string photos = " --images " + Path("photos");
  const std::string build = "build --quiet --db " + Db() + " ";
  const std::vector<BadCall> calls = {
      {"build --quiet --db " + Path("new") + photos, 1,
       "broken.png: corrupt PNG"},
      {"build --quiet --db " + Path("new") + " --images " +
           Path("photos/empty"),
       1, "no .png, .jpg or .jpeg file"},
      {build + photos + " --skip-bad", 1, "holds codes brought by the user"},
      {build + photos + " --colour purple", 2, "--colour takes"},
      {build + photos + " --id-offset 5", 1, "ids come from their names"},
      {build + "--codes " + Path("codes.npy") + " --skip-bad", 2,
       "go with --images"},
      {"query --db " + Db() + photos, 1, "has no encoder"},
      {"dedup --db " + Db(), 2, "--radius is required"},
      {"dedup --db " + Db() + " --radius 2 --json --csv", 2, "at most one"},
      {"dedup --db " + Path("absent") + " --radius 2", 1, "absent"},
      {"dedup --db " + Db() + " --radius 0 --sheet " + Path("s.png"), 1,
       "no group to draw"},
      {build + "--codes " + Path("codes.npy") + " --payloads " +
           Path("floats.npy"),
       1, "array of strings"},
      {build + "--codes " + Path("codes.npy") + " --payloads " +
           Path("one_payload.txt"),
       1, "1 payload for"},
      {build + "--images " + Path("short.idx") + " --payloads " +
           Path("one_payload.txt"),
       2, "--payloads goes with --codes"},
      {"export --db " + Db() + " --out " + Path("o.npy") + " --payloads " +
           Path("o.npy"),
       2, "different files"},
      {build + "--codes " + Path("floats.npy"), 1, "expected dtype"},
      {build + "--codes " + Path("cube.npy"), 1, "2-D"},
      {build + "--codes " + Path("empty.npy"), 1, "empty.npy"},
      {build + "--codes " + Path("garbage.npy"), 1, "garbage.npy"},
      {build + "--codes " + Path("codes.npy") + " --ids " +
           Path("negative.npy"),
       1, "negative id"},
      {build + "--codes " + Path("codes.npy") + " --ids " + Path("twice.npy"),
       1, "id 1000 appears twice"},
      {build + "--codes " + Path("codes.npy") + " --ids " + Path("bytes.npy"),
       1, "expected dtype"},
      {build + "--codes " + Path("codes.npy") + " --addresses " +
           Path("bytes.npy"),
       1, "expected dtype"},
      {build + "--codes " + Path("codes.npy") + " --memory lots", 2,
       "--memory"},
      {build + "--codes " + Path("codes.npy") + " --memory 0", 2, "--memory"},
      {build + "--images " + Path("short.idx"), 1, "short.idx"},
      {build + "--images " + Path("text.idx"), 1, "text.idx"},
      {"query --db " + Db() + " --codes " + Path("floats.npy"), 1,
       "expected dtype"},
      {"query --db " + Path("absent") + " --codes " + Path("codes.npy"), 1,
       "absent"},
      {"inspect --db " + Db() + " --id 99999", 1, "id 99999"},
      {"inspect --db " + Db() + " --address 4096", 1, "wider"},
      {"inspect --db " + Db() + " --id 1 --address 1", 2, ""},
      {"export --db " + Db() + " --out " + Path("missing/dir/out.npy"), 1,
       "missing/dir"},
      {"export --db " + Db(), 2, "--out"},
      {"compact --db " + Db() + " --frobnicate", 2, "frobnicate"},
      {"train --input " + Path("text.idx") + " --out " + Path("model"), 1,
       "text.idx"},
      {"eval --db " + Db() + " --queries " + Path("short.idx"), 2, ""},
  };
  ExpectRefused(calls, Db(), /*require_output=*/true);
  std::cout << calls.size() << " bad tool inputs refused\n";
}

// A numeric flag of a subcommand and values it must refuse: negative,
// too large for its type, zero where zero means nothing, outside its range,
// or not a number.
struct NumericFlag {
  std::string command;  // The subcommand's name.
  std::string flag;
  std::vector<std::string> refused;
};

const std::string kNegative = "-1";
const std::string kOver64 = "18446744073709551616";  // 2^64
const std::string kOver32 = "4294967296";            // 2^32

// Every numeric flag of every subcommand (NumericFlagsAreAllListed checks
// the list against --help).
std::vector<NumericFlag> NumericFlags() {
  const std::vector<NumericFlag> encoder = {
      {"", "address-bits", {kNegative, "0", "7", "33", kOver32}},
      {"", "code-bits", {kNegative, "0", "32", "2048", kOver32}},
      {"", "seed", {kNegative, kOver64, "12abc"}},
      {"", "sample", {kNegative, "0", kOver64}},
      {"", "iterations", {kNegative, kOver32}},
      {"", "threshold", {"nan", "inf", "1e999", "x"}},
      {"", "epochs", {kNegative, "0", kOver32}},
      {"", "patience", {kNegative, "0"}},
      {"", "holdout", {"-0.1", "0.6", "nan"}},
      {"", "batch", {kNegative, "0", kOver32}},
      {"", "lr", {"0", "-0.001", "nan", "1e999"}},
      {"", "weight-decay", {"-1", "nan"}},
      {"", "image-size", {kNegative, "0", "1025", kOver32}},
      {"", "alpha", {"-1"}},
      {"", "beta", {"-1"}},
      {"", "gamma", {"-1"}},
      {"", "threads", {kNegative, "1025", kOver32}},
  };
  std::vector<NumericFlag> flags = {
      {"build", "limit", {kNegative, "0", kOver64}},
      {"build", "id-offset", {kNegative, kOver64, "0x10000000000000000"}},
      {"build", "memory", {"-1M", "0", "1.5G", "1XB", "99999999999999999T"}},
      {"train", "limit", {kNegative, "0", kOver64}},
      {"query", "first", {kNegative, kOver64}},
      {"query", "count", {kNegative, "0", kOver64}},
      {"query", "k", {"-3", "0", kOver64, "1e3"}},
      {"query", "radius", {kNegative, "1025", kOver32}},
      {"query", "max-table-radius", {kNegative, "33"}},
      {"query", "max-radius", {kNegative, "33", kOver32}},
      {"query", "min-candidates", {kNegative, kOver64}},
      {"query", "max-candidates", {kNegative, kOver64}},
      {"query", "show", {kNegative, kOver64}},
      {"query", "threads", {kNegative, "1025"}},
      {"query", "sheet-queries", {kNegative, "0"}},
      {"eval", "first", {kNegative, kOver64}},
      {"eval", "count", {kNegative, "0"}},
      {"eval", "k", {kNegative, "0", kOver64}},
      {"eval", "max-radius", {kNegative, "33"}},
      {"eval", "min-candidates", {kNegative}},
      {"eval", "max-candidates", {kNegative}},
      {"eval", "threads", {kNegative, "0", "1025"}},
      {"inspect", "address", {kNegative, kOver32, "0x100000000"}},
      {"inspect", "id", {kNegative, kOver64}},
      {"get", "id", {kNegative, kOver64, "0x"}},
      {"delete", "id", {kNegative, kOver64, "7x"}},
      {"bench", "n", {kNegative, "9", kOver64}},
      {"bench", "num-queries", {kNegative, "0"}},
      {"bench", "clusters", {kNegative, "0"}},
      {"bench", "flip-log2", {kNegative, "0", "65"}},
      {"bench", "seed", {kNegative, kOver64}},
      {"bench", "budget", {"-1", "0", "nan"}},
      {"dedup", "radius", {kNegative, "1025", kOver32}},
      {"dedup", "sheet-groups", {kNegative, "0"}},
  };
  for (const char* command : {"build", "train"}) {
    for (NumericFlag flag : encoder) {
      flag.command = command;
      flags.push_back(flag);
    }
  }
  return flags;
}

const char* const kSubcommands[] = {
    "train",  "build", "query", "eval",   "inspect", "verify", "compact",
    "export", "bench", "get",   "delete", "backup",  "dedup"};

// The flags whose --help value is not Boost's "arg": the numeric ones,
// which show their range ("--k N>=1", "--address-bits 8..32").
std::set<std::string> NumericFlagsInHelp(const std::string& command) {
  const Outcome help = Semhash(command + " --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  std::set<std::string> flags;
  const std::regex option(R"(^  --([a-z0-9-]+) (\S+))");
  for (const std::string& line : testing::Lines(help.output)) {
    std::smatch m;
    if (std::regex_search(line, m, option) && m[2] != "arg") {
      flags.insert(m[1]);
    }
  }
  return flags;
}

TEST_F(BadInputCatalogue, NumericFlagsAreAllListed) {
  for (const char* command : kSubcommands) {
    std::set<std::string> listed;
    for (const NumericFlag& flag : NumericFlags()) {
      if (flag.command == command) listed.insert(flag.flag);
    }
    EXPECT_EQ(NumericFlagsInHelp(command), listed) << command;
  }
}

// Issue 16, finding 6: "--k -3" was "vector::reserve", "--radius -1" a
// radius-4294967295 search, "--count -1" all the queries and "--memory -1M"
// 4.6e18 bytes. Each value out of a flag's range is a usage error naming
// the flag, before any file is read.
TEST_F(BadInputCatalogue, NumericFlagsRefuseValuesOutOfRange) {
  const std::string codes = " --codes " + Path("codes.npy");
  const std::map<std::string, std::string> base = {
      {"train", "train --quiet --input " + Path("codes.npy") + " --out " +
                    Path("model")},
      {"build", "build --quiet --db " + Db() + codes},
      {"query", "query --db " + Db() + codes},
      {"eval", "eval --db " + Db() + codes + " --query-labels " +
                   Path("labels.npy") + " --db-labels " + Path("labels.npy")},
      {"inspect", "inspect --db " + Db()},
      {"get", "get --db " + Db()},
      {"delete", "delete --db " + Db()},
      {"verify", "verify --quiet --db " + Db()},
      {"bench", "bench"},
      {"dedup", "dedup --quiet --db " + Db()},
  };
  std::vector<BadCall> calls;
  for (const NumericFlag& flag : NumericFlags()) {
    for (const std::string& value : flag.refused) {
      calls.push_back({base.at(flag.command) + " --" + flag.flag + " " + value,
                       2, "--" + flag.flag + " takes "});
    }
  }
  ExpectRefused(calls, Db());
  std::cout << calls.size() << " numeric flag values refused\n";
}

// Issue 16, finding 6: words that belong to no flag were dropped, so
// "--k 5 10" ran with k 5.
TEST_F(BadInputCatalogue, StrayArgumentsAreRefused) {
  const std::string db = " --db " + Db();
  std::vector<BadCall> calls;
  for (const char* command : kSubcommands) {
    const std::string flags = command == std::string("train")
                                  ? " --input x.npy --out model"
                              : command == std::string("bench") ? ""
                                                                : db;
    calls.push_back(
        {command + flags + " stray", 2, "unexpected argument 'stray'"});
  }
  calls.push_back(
      {"query" + db + " --codes " + Path("codes.npy") + " --k 5 10 20", 2,
       "unexpected arguments '10' '20'"});
  ExpectRefused(calls, Db());
}

// One library call on a bad input, with what its Status must be and say.
struct BadApiCall {
  std::string name;
  std::function<Status(DB*)> call;
  bool (Status::*is)() const;
  std::string says;
};

TEST_F(BadInputCatalogue, LibraryRefusesAndLeavesTheDatabaseUnchanged) {
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(Options(), Db(), &db).ok());
  const Contents before = ContentsOf(db.get());
  const std::vector<uint8_t> code(kCodeBytes, 7), short_code(8, 7);
  const std::string huge_payload(kMaxPayloadBytes + 1, 'x');
  const auto& is_invalid = &Status::IsInvalidArgument;
  const std::vector<BadApiCall> calls = {
      {"put short code",
       [&](DB* d) { return d->Put(WriteOptions(), 1, 3, short_code); },
       is_invalid, "code of 64 bits"},
      {"put wide address",
       [&](DB* d) { return d->Put(WriteOptions(), 1, 1 << 10, code); },
       is_invalid, "wider than 10 bits"},
      {"put huge payload",
       [&](DB* d) { return d->Put(WriteOptions(), 1, 3, code, huge_payload); },
       is_invalid, "payload"},
      {"batch with one bad put",
       [&](DB* d) {
         WriteBatch batch;
         batch.Put(5000, 1, code);
         batch.Delete(2);
         batch.Put(5001, 1, short_code);
         return d->Write(WriteOptions(), batch);
       },
       is_invalid, "id 5001"},
      {"search short code",
       [&](DB* d) {
         SearchResult r;
         return d->Search(SearchOptions(), 3, short_code, 5, &r);
       },
       is_invalid, "64 bits"},
      {"search wide address",
       [&](DB* d) {
         SearchResult r;
         return d->Search(SearchOptions(), 1 << 12, code, 5, &r);
       },
       is_invalid, "wider"},
      {"exact search short code",
       [&](DB* d) {
         SearchResult r;
         return d->SearchExact(short_code, 5, &r);
       },
       is_invalid, "64 bits"},
      {"bulk load wide address",
       [&](DB* d) {
         std::unique_ptr<BulkLoader> loader;
         Status s = d->NewBulkLoader(BulkLoadOptions(), &loader);
         const uint64_t id = 77;
         const Address wide = 1 << 11;
         return s.ok() ? loader->Add(1, &id, &wide, code.data()) : s;
       },
       is_invalid, "wider"},
      {"bulk load duplicate id",
       [&](DB* d) {
         std::unique_ptr<BulkLoader> loader;
         Status s = d->NewBulkLoader(BulkLoadOptions(), &loader);
         const uint64_t ids[2] = {88, 88};
         const Address addresses[2] = {1, 2};
         std::vector<uint8_t> codes(2 * kCodeBytes, 1);
         if (s.ok()) s = loader->Add(2, ids, addresses, codes.data());
         return s.ok() ? loader->Finish() : s;
       },
       is_invalid, "added twice"},
      {"get absent id",
       [&](DB* d) {
         Record r;
         return d->Get(123456, &r);
       },
       &Status::IsNotFound, "id 123456"},
  };
  for (const BadApiCall& call : calls) {
    const Status s = call.call(db.get());
    EXPECT_TRUE((s.*call.is)()) << call.name << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(call.says), std::string::npos)
        << call.name << ": " << s.ToString();
    EXPECT_TRUE(ContentsOf(db.get()) == before) << call.name;
  }
  db.reset();

  // Opening with options that contradict the stored ones, or no database.
  Options wrong_code;
  wrong_code.code_bits = 256;
  Options wrong_address;
  wrong_address.address_bits = 12;
  Options read_only;
  read_only.read_only = true;
  std::unique_ptr<Encoder> garbage_model;
  WriteText("model", "not a model");
  const std::vector<std::pair<std::string, Status>> opens = {
      {"code_bits", DB::Open(wrong_code, Db(), &db)},
      {"address_bits", DB::Open(wrong_address, Db(), &db)},
      {"codes.npy", DB::Open(Options(), Path("codes.npy"), &db)},
      {"absent", DB::Open(Options(), Path("absent"), &db)},
      {"model", LoadEncoderFile(Path("model"), &garbage_model)},
  };
  for (const auto& [says, s] : opens) {
    EXPECT_FALSE(s.ok()) << says;
    EXPECT_NE(s.ToString().find(says), std::string::npos) << s.ToString();
    EXPECT_EQ(db, nullptr) << says;
  }
  ASSERT_TRUE(DB::Open(read_only, Db(), &db).ok());
  EXPECT_TRUE(db->Put(WriteOptions(), 1, 3, code).IsNotSupported());
  CompactReport compacted;
  EXPECT_TRUE(db->Compact({}, &compacted).IsNotSupported());
  EXPECT_TRUE(ContentsOf(db.get()) == before);
  std::cout << calls.size() + opens.size() + 2
            << " bad library calls refused\n";
}

}  // namespace
}  // namespace semhash

// Damaged stored values surface as Corruption, never as a wrong answer.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "engine/db/rocksdb_store.h"
#include "format/keys.h"
#include "format/manifest_watermark.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::CreateOptions;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenOrDie(dir_.Sub("db"), CreateOptions(8, 64));
    ASSERT_NE(db, nullptr);
    std::mt19937_64 rng(9);
    for (uint64_t id = 0; id < 20; ++id) {
      ASSERT_TRUE(db->Put(WriteOptions(), id, 3, RandomCode(&rng, 8)).ok());
    }
    // Publishes a segment with every image: the delta is empty, so an open
    // reads no id record and no posting chunk.
    CompactReport report;
    ASSERT_TRUE(db->Compact(nullptr, &report).ok());
  }

  // Flips one byte of the value stored under `key` in `family`.
  void Damage(rocksdb::ColumnFamilyHandle* (RocksDBStore::*family)() const,
              const std::string& key, size_t offset) {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, dir_.Sub("db"), &store).ok());
    rocksdb::ColumnFamilyHandle* handle = (store.get()->*family)();
    std::string value;
    ASSERT_TRUE(
        store->db()->Get(rocksdb::ReadOptions(), handle, key, &value).ok());
    ASSERT_LT(offset, value.size());
    value[offset] ^= 0x40;
    ASSERT_TRUE(
        store->db()->Put(rocksdb::WriteOptions(), handle, key, value).ok());
  }

  TempDir dir_;
};

// Damaged change, payload and segment records: db_verify_test.cc.

TEST_F(CorruptionTest, DamagedManifestRefusesToOpen) {
  Damage(&RocksDBStore::meta, format::kManifestKey, 20);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(Options(), dir_.Sub("db"), &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("manifest"), std::string::npos);
  EXPECT_EQ(db, nullptr);
}

TEST_F(CorruptionTest, MissingManifestRefusesToOpen) {
  {
    std::unique_ptr<RocksDBStore> store;
    ASSERT_TRUE(RocksDBStore::Open({}, dir_.Sub("db"), &store).ok());
    ASSERT_TRUE(store->db()
                    ->Delete(rocksdb::WriteOptions(), store->meta(),
                             format::kManifestKey)
                    .ok());
  }
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(Options(), dir_.Sub("db"), &db).IsCorruption());
}

// Byte flips in the files themselves: RocksDB's SST files (which hold the
// manifest and encoder model records too), its MANIFEST and CURRENT.
class ByteFlipTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kImages = 300;
  static constexpr size_t kSstFlips = 200;
  static constexpr size_t kManifestFlips = 30;
  static constexpr size_t kWatermarkFlips = 10;

  // What one read call returned: its Status code and, if OK, the answer.
  struct Outcome {
    Status::Code code;
    std::string answer;
  };
  enum class Verdict { kIdentical, kDetected, kWrong };

  // A database of kImages images encoded by a stored LSH model, reopened
  // once (which moves the log's writes to SST files) and kept pristine.
  void SetUp() override {
    EncoderOptions encoder_options;
    encoder_options.address_bits = 8;
    encoder_options.code_bits = 64;
    const std::vector<float> x = testing::Gaussian(kImages, 16, 1);
    std::unique_ptr<Encoder> encoder;
    ASSERT_TRUE(
        TrainEncoder(encoder_options, kImages, x.data(), 16, &encoder).ok());
    const testing::Encoded encoded = testing::Encode(*encoder, x);
    Options options;
    options.create_if_missing = true;
    options.encoder = std::move(encoder);
    auto db = OpenOrDie(pristine(), options);
    ASSERT_NE(db, nullptr);
    for (uint64_t id = 0; id < kImages; ++id) {
      const CodeView code = encoded.code(id, 64);
      ASSERT_TRUE(db->Put(WriteOptions(), id, encoded.addresses[id], code,
                          "img/" + std::to_string(id))
                      .ok());
      if (id % 37 == 0) {
        queries_.push_back({encoded.addresses[id], {code.begin(), code.end()}});
      }
      addresses_.insert(encoded.addresses[id]);
    }
    db.reset();
    ASSERT_NE(OpenOrDie(pristine()), nullptr);
    db = OpenOrDie(Copy());
    ASSERT_NE(db, nullptr);
    expected_ = Exercise(db.get());
  }

  std::string pristine() const { return dir_.Sub("pristine"); }

  // Every answer the database gives: Get of every id (and a few absent
  // ones), Search and SearchExact for each query and a full iteration; then
  // a Put at every stored address.
  std::vector<Outcome> Exercise(DB* db) const {
    std::vector<Outcome> out;
    for (uint64_t id = 0; id < kImages + 3; ++id) {
      Record r;
      const Status s = db->Get(id, &r);
      std::ostringstream answer;
      answer << r.address << " " << Hex(r.code) << " " << r.payload;
      out.push_back(Describe(s, answer.str()));
    }
    for (const auto& [address, code] : queries_) {
      SearchOptions options;
      options.max_radius = 2;
      SearchResult result;
      Status s = db->Search(options, address, code, 10, &result);
      out.push_back(Describe(s, Neighbors(result)));
      s = db->SearchExact(code, 10, &result);
      out.push_back(Describe(s, Neighbors(result)));
    }
    std::ostringstream all;
    std::unique_ptr<Iterator> it = db->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      all << it->id() << ":" << it->address() << ":" << Hex(it->code()) << ":"
          << it->payload() << " ";
    }
    out.push_back(Describe(it->status(), all.str()));
    const std::vector<uint8_t> code(8, 0x5A);
    for (Address address : addresses_) {
      out.push_back(Describe(
          db->Put(WriteOptions(), kImages + 1000 + address, address, code),
          ""));
    }
    return out;
  }

  // A fresh copy of the pristine database; if `name` is not empty, with the
  // byte at `offset` of its file `name` flipped.
  std::string Copy(const std::string& name = "", uint64_t offset = 0) const {
    const std::string copy = dir_.Sub("copy");
    std::filesystem::remove_all(copy);
    std::filesystem::copy(pristine(), copy,
                          std::filesystem::copy_options::recursive);
    if (name.empty()) return copy;
    std::fstream file(copy + "/" + name,
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    const char byte = static_cast<char>(file.get());
    file.seekp(offset);
    file.put(static_cast<char>(byte ^ 0xFF));
    return copy;
  }

  // Flips the byte at `offset` of the file `name` in a copy, opens the copy
  // and exercises it.
  Verdict FlipAndExercise(const std::string& name, uint64_t offset,
                          std::string* why) {
    std::unique_ptr<DB> db;
    const Status s = DB::Open(Options(), Copy(name, offset), &db);
    if (!s.ok()) {
      *why = "open: " + s.ToString();
      return Detected(s) ? Verdict::kDetected : Verdict::kWrong;
    }
    const std::vector<Outcome> got = Exercise(db.get());
    Verdict verdict = Verdict::kIdentical;
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i].code == expected_[i].code &&
          got[i].answer == expected_[i].answer) {
        continue;
      }
      *why = "call " + std::to_string(i) + ": " + got[i].answer;
      if (got[i].code != Status::Code::kCorruption &&
          got[i].code != Status::Code::kIOError) {
        return Verdict::kWrong;
      }
      verdict = Verdict::kDetected;
    }
    return verdict;
  }

  static bool Detected(const Status& s) {
    return s.IsCorruption() || s.IsIOError();
  }
  static Outcome Describe(const Status& s, const std::string& answer) {
    return {s.code(), s.ok() ? answer : s.ToString()};
  }
  static std::string Hex(CodeView code) {
    std::string hex;
    char buf[3];
    for (uint8_t b : code) {
      std::snprintf(buf, sizeof(buf), "%02x", b);
      hex += buf;
    }
    return hex;
  }
  static std::string Neighbors(const SearchResult& result) {
    std::ostringstream out;
    for (const Neighbor& n : result.neighbors) {
      out << n.id << ":" << n.distance << " ";
    }
    return out.str();
  }

  testing::TempDir dir_;
  std::vector<std::pair<Address, std::vector<uint8_t>>> queries_;
  std::set<Address> addresses_;
  std::vector<Outcome> expected_;
};

// Flips one byte at a time at offsets spread over every SST file, the
// MANIFEST and CURRENT: each call then gives the pristine answer or fails
// with Corruption or IOError, never another answer. The figures printed go
// in docs/durability.md.
// Bytes [begin, end) of the properties block (with its 5-byte trailer) of
// the table file `path`: found by its name in the metaindex block, whose
// entry's value (after the key) is the block's handle, two varints.
std::pair<uint64_t, uint64_t> PropertiesBlock(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  const std::string name = "rocksdb.properties";
  const size_t at = bytes.rfind(name);
  if (at == std::string::npos) return {0, 0};
  size_t pos = at + name.size();
  auto varint = [&] {
    uint64_t value = 0;
    for (int shift = 0; pos < bytes.size() && shift < 64; shift += 7) {
      const auto byte = static_cast<uint8_t>(bytes[pos++]);
      value |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) break;
    }
    return value;
  };
  const uint64_t offset = varint();
  const uint64_t length = varint();
  return {offset, offset + length + 5};
}

TEST_F(ByteFlipTest, EveryFlipIsDetectedOrHarmless) {
  std::vector<std::string> ssts, manifests;
  for (const auto& entry : std::filesystem::directory_iterator(pristine())) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sst") ssts.push_back(name);
    if (name.rfind("MANIFEST-", 0) == 0) manifests.push_back(name);
  }
  ASSERT_GE(ssts.size(), 2u) << "one SST file per column family";
  ASSERT_EQ(manifests.size(), 1u);
  // (file, offset) to flip: segments of equal length per file, one random
  // offset in each, so that every region of every file is hit.
  std::vector<std::pair<std::string, uint64_t>> flips;
  std::mt19937_64 rng(17);
  auto spread = [&](const std::string& name, size_t count) {
    const uint64_t size = std::filesystem::file_size(pristine() + "/" + name);
    for (size_t i = 0; i < count; ++i) {
      const uint64_t begin = size * i / count, end = size * (i + 1) / count;
      if (end > begin) flips.push_back({name, begin + rng() % (end - begin)});
    }
  };
  for (const std::string& sst : ssts) {
    spread(sst, kSstFlips / ssts.size());
    // RocksDB 7.8 parses the properties block before it checks it, and its
    // assertions abort the process on some damage there (the block's last
    // byte, the restart count's top byte, flipped: the hash-index bit set):
    // semhash checks the block first (rocksdb_table_check.h). Its last byte
    // and a few others.
    const auto [begin, end] = PropertiesBlock(pristine() + "/" + sst);
    ASSERT_GT(end, begin + 6) << sst;
    flips.push_back({sst, end - 6});
    for (int i = 0; i < 4; ++i) {
      flips.push_back({sst, begin + rng() % (end - begin)});
    }
  }
  spread(manifests[0], kManifestFlips);
  spread("CURRENT", std::filesystem::file_size(pristine() + "/CURRENT"));
  spread(format::kManifestWatermarkFile, kWatermarkFlips);

  std::map<std::string, std::map<Verdict, int>> figures;
  for (const auto& [name, offset] : flips) {
    std::string why;
    const Verdict verdict = FlipAndExercise(name, offset, &why);
    EXPECT_NE(verdict, Verdict::kWrong)
        << name << " offset " << offset << ": " << why;
    const std::string kind = name == format::kManifestWatermarkFile
                                 ? "watermark"
                             : name.rfind("MANIFEST-", 0) == 0 ? "MANIFEST"
                             : name == "CURRENT"               ? "CURRENT"
                                                               : "SST";
    ++figures[kind][verdict];
    ++figures["all"][verdict];
  }
  for (auto& [kind, counts] : figures) {
    std::printf(
        "byte flips in %s: %d injected, %d detected (Corruption/IOError), %d "
        "harmless (identical answers), %d wrong answers\n",
        kind.c_str(),
        counts[Verdict::kIdentical] + counts[Verdict::kDetected] +
            counts[Verdict::kWrong],
        counts[Verdict::kDetected], counts[Verdict::kIdentical],
        counts[Verdict::kWrong]);
  }
}

}  // namespace
}  // namespace semhash

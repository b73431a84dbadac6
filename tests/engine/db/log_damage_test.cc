// Damage to RocksDB's own logs, the MANIFEST and the write-ahead log
// (issue 16, findings 1 and 2): a cut or damaged log is reported as
// Corruption and deletes nothing; only a torn last record of the
// write-ahead log is taken for a crash. docs/durability.md cites these.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "engine/db/rocksdb_log_scan.h"
#include "semhash/bulk_load.h"
#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;
using testing::ImagesAsText;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 12;
constexpr uint32_t kCodeBits = 64;

std::string FileWithSuffix(const std::string& dir, const std::string& prefix,
                           const std::string& suffix) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && entry.path().extension() == suffix) {
      return name;
    }
  }
  return "";
}

std::string CurrentManifest(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name;
  std::getline(in, name);
  return name;
}

std::set<std::string> TableFiles(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") {
      names.insert(entry.path().filename().string());
    }
  }
  return names;
}

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

class LogDamageTest : public ::testing::Test {
 protected:
  // A database with table files (a bulk load of 400 images, then 100 sync
  // puts moved to a table file by a reopen) and a live write-ahead log:
  // 120 sync puts, replaces and deletes after the last reopen, left in the
  // log as a killed writer leaves them (RocksDB flushes nothing at close).
  void SetUp() override {
    std::mt19937_64 rng(16);
    {
      auto db = OpenOrDie(pristine(),
                          testing::CreateOptions(kAddressBits, kCodeBits));
      ASSERT_NE(db, nullptr);
      std::unique_ptr<BulkLoader> loader;
      ASSERT_TRUE(db->NewBulkLoader(BulkLoadOptions(), &loader).ok());
      for (uint64_t id = 0; id < 400; ++id) AddTo(loader.get(), id, &rng);
      ASSERT_TRUE(loader->Finish().ok());
      for (uint64_t id = 400; id < 500; ++id) Put(db.get(), id, &rng);
    }
    {
      auto db = OpenOrDie(pristine());
      ASSERT_NE(db, nullptr);
      for (uint64_t i = 0; i < 120; ++i) {
        if (i == 119) before_last_write_ = ImagesAsText(db.get());
        const uint64_t id = (i * 37) % 600;
        if (i % 4 == 3) {
          WriteOptions sync;
          sync.sync = true;
          ASSERT_TRUE(db->Delete(sync, id).ok());
        } else {
          Put(db.get(), id, &rng);
        }
      }
      expected_ = ImagesAsText(db.get());
    }
    wal_ = FileWithSuffix(pristine(), "", ".log");
    ASSERT_FALSE(wal_.empty());
    ASSERT_GT(fs::file_size(pristine() + "/" + wal_), 4000u);
    ASSERT_FALSE(TableFiles(pristine()).empty());
  }

  void AddTo(BulkLoader* loader, uint64_t id, std::mt19937_64* rng) {
    const std::vector<uint8_t> code = RandomCode(rng, kCodeBits / 8);
    const Address address = (*rng)() & ((1u << kAddressBits) - 1);
    ASSERT_TRUE(loader->Add(1, &id, &address, code.data()).ok());
  }

  void Put(DB* db, uint64_t id, std::mt19937_64* rng) {
    WriteOptions sync;
    sync.sync = true;
    const std::vector<uint8_t> code = RandomCode(rng, kCodeBits / 8);
    ASSERT_TRUE(
        db->Put(sync, id, (*rng)() & ((1u << kAddressBits) - 1), code).ok());
  }

  std::string pristine() const { return dir_.Sub("pristine"); }

  // A fresh copy of the pristine database.
  std::string Copy() const {
    const std::string copy = dir_.Sub("copy");
    fs::remove_all(copy);
    fs::copy(pristine(), copy, fs::copy_options::recursive);
    return copy;
  }

  static void Truncate(const std::string& path, uint64_t size) {
    fs::resize_file(path, size);
  }

  static void Flip(const std::string& path, uint64_t offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    const char byte = static_cast<char>(file.get());
    file.seekp(offset);
    file.put(static_cast<char>(byte ^ 0x5A));
  }

  // Opens `path` read-write and read-only. Returns the read-write open's
  // Status; the read-only open (verify's) must agree on the code.
  static Status OpenBothWays(const std::string& path, std::string* contents) {
    Options read_only;
    read_only.read_only = true;
    read_only.memory_index = Options::MemoryIndex::kOff;
    std::unique_ptr<DB> db;
    const Status ro = DB::Open(read_only, path, &db);
    db.reset();
    const Status rw = DB::Open(Options(), path, &db);
    EXPECT_EQ(ro.code(), rw.code()) << ro.ToString() << " / " << rw.ToString();
    if (rw.ok()) *contents = ImagesAsText(db.get());
    return rw;
  }

  TempDir dir_;
  std::string expected_;
  std::string before_last_write_;
  std::string wal_;
};

// Finding 1: RocksDB took a MANIFEST cut inside a record for a torn append,
// opened an older (here: empty) database and deleted the table files the
// lost records listed. Every cut is now Corruption naming the MANIFEST: one
// inside a record because the record is torn, one at a record's end
// because the MANIFEST watermark says RocksDB had synced more. No table file
// is deleted, and putting the MANIFEST back gives the database back whole.
TEST_F(LogDamageTest, TruncatedManifestIsCorruptionAndDeletesNothing) {
  const std::string manifest = CurrentManifest(pristine());
  const uint64_t size = fs::file_size(pristine() + "/" + manifest);
  const std::set<std::string> tables = TableFiles(pristine());
  int torn = 0;
  int at_record_ends = 0;
  for (uint64_t cut = 0; cut < size; cut += cut + 48 < size ? 11 : 1) {
    const std::string copy = Copy();
    Truncate(copy + "/" + manifest, cut);
    LogScan scan;
    ASSERT_TRUE(ScanLogFile(copy + "/" + manifest, &scan).ok());
    (scan.damage.empty() ? at_record_ends : torn)++;
    std::string contents;
    const Status s = OpenBothWays(copy, &contents);
    ASSERT_TRUE(s.IsCorruption()) << "cut at " << cut << ": " << s.ToString();
    EXPECT_TRUE(Contains(s, manifest)) << s.ToString();
    EXPECT_TRUE(Contains(s, "backup")) << s.ToString();
    EXPECT_EQ(TableFiles(copy), tables) << "cut at " << cut;
  }
  EXPECT_GT(torn, 50);
  EXPECT_GE(at_record_ends, 1);  // At least the cut at byte 0.
  // The table files are intact: the whole MANIFEST opens them all.
  const std::string copy = Copy();
  Truncate(copy + "/" + manifest, size / 2);
  std::string contents;
  ASSERT_TRUE(OpenBothWays(copy, &contents).IsCorruption());
  fs::copy_file(pristine() + "/" + manifest, copy + "/" + manifest,
                fs::copy_options::overwrite_existing);
  ASSERT_TRUE(OpenBothWays(copy, &contents).ok());
  EXPECT_EQ(contents, expected_);
}

// Each cut exactly at a record's end, found by scanning the MANIFEST's
// prefixes: whole to RocksDB, shorter than the watermark to semhash.
TEST_F(LogDamageTest, ManifestCutAtARecordBoundaryIsCorruption) {
  const std::string manifest = CurrentManifest(pristine());
  const uint64_t size = fs::file_size(pristine() + "/" + manifest);
  std::vector<uint64_t> record_ends;
  {
    const std::string copy = Copy();
    for (uint64_t cut = 1; cut < size; ++cut) {
      fs::copy_file(pristine() + "/" + manifest, copy + "/" + manifest,
                    fs::copy_options::overwrite_existing);
      Truncate(copy + "/" + manifest, cut);
      LogScan scan;
      ASSERT_TRUE(ScanLogFile(copy + "/" + manifest, &scan).ok());
      if (scan.damage.empty()) record_ends.push_back(cut);
    }
  }
  ASSERT_GE(record_ends.size(), 3u);
  for (uint64_t cut : record_ends) {
    const std::string copy = Copy();
    Truncate(copy + "/" + manifest, cut);
    std::string contents;
    const Status s = OpenBothWays(copy, &contents);
    ASSERT_TRUE(s.IsCorruption()) << "cut at " << cut << ": " << s.ToString();
    EXPECT_TRUE(Contains(s, "RocksDB had synced")) << s.ToString();
  }
  // Without the watermark (a database made before it), such a cut is what
  // it was before: an older database. Documented as unprotected. (A cut
  // that drops a compaction's record names a table file the compaction
  // deleted, which RocksDB itself refuses: the last cut that drops none.)
  bool opened = false;
  for (auto cut = record_ends.rbegin(); !opened && cut != record_ends.rend();
       ++cut) {
    const std::string copy = Copy();
    fs::remove(copy + "/SEMHASH-MANIFEST-WATERMARK");
    Truncate(copy + "/" + manifest, *cut);
    std::string contents;
    const Status s = OpenBothWays(copy, &contents);
    EXPECT_FALSE(Contains(s, "RocksDB had synced")) << s.ToString();
    opened = s.ok();
  }
  EXPECT_TRUE(opened);
}

// Finding 2: one damaged byte anywhere before the write-ahead log's last
// record used to end recovery there silently, dropping acknowledged sync
// writes and bringing deleted images back. Now every such flip fails the
// open (read-write and read-only, which verify uses) with Corruption naming
// the log; none gives other contents.
TEST_F(LogDamageTest, DamagedWriteAheadLogIsCorruptionNotLostWrites) {
  const uint64_t size = fs::file_size(pristine() + "/" + wal_);
  LogScan whole;
  ASSERT_TRUE(ScanLogFile(pristine() + "/" + wal_, &whole).ok());
  ASSERT_TRUE(whole.damage.empty()) << whole.damage;
  ASSERT_GT(whole.records, 100u);
  int detected = 0;
  int identical = 0;
  for (int i = 0; i < 40; ++i) {
    const uint64_t offset = size * i / 40 + 3;
    const std::string copy = Copy();
    Flip(copy + "/" + wal_, offset);
    std::string contents;
    const Status s = OpenBothWays(copy, &contents);
    if (s.ok()) {
      EXPECT_EQ(contents, expected_) << "flip at " << offset;
      ++identical;
      continue;
    }
    ASSERT_TRUE(s.IsCorruption())
        << "flip at " << offset << ": " << s.ToString();
    EXPECT_TRUE(Contains(s, "write-ahead log " + wal_)) << s.ToString();
    EXPECT_TRUE(Contains(s, "intact records after it")) << s.ToString();
    ++detected;
  }
  EXPECT_GE(detected, 38);  // A flip in block padding may change nothing.
  EXPECT_EQ(detected + identical, 40);
}

// A torn last record is what a crash leaves: it is tolerated, and the
// database opens with every earlier write.
TEST_F(LogDamageTest, TornWriteAheadLogTailOpensWithEveryEarlierWrite) {
  const uint64_t size = fs::file_size(pristine() + "/" + wal_);
  const std::string copy = Copy();
  Truncate(copy + "/" + wal_, size - 5);
  std::string torn;
  ASSERT_TRUE(OpenBothWays(copy, &torn).ok());
  EXPECT_EQ(torn, before_last_write_);
  EXPECT_NE(torn, expected_);
}

// The scanner itself, on records forged with its own checksum.
class LogScanTest : public ::testing::Test {
 protected:
  static std::string Record(uint8_t type, const std::string& payload) {
    return TEST_LogRecord(type, payload);
  }

  LogScan Scan(const std::string& bytes) {
    const std::string path = dir_.Sub("log");
    std::ofstream(path, std::ios::binary) << bytes;
    LogScan scan;
    EXPECT_TRUE(ScanLogFile(path, &scan).ok());
    return scan;
  }

  TempDir dir_;
};

TEST_F(LogScanTest, Crc32cIsCastagnoli) {
  const std::string check = "123456789";
  const auto* bytes = reinterpret_cast<const uint8_t*>(check.data());
  EXPECT_EQ(Crc32c(bytes, 9), 0xe3069283u);
  EXPECT_EQ(TEST_Crc32cPortable(bytes, 9), 0xe3069283u);
  // Every length and alignment the 8-byte loop and its tail can meet.
  std::mt19937_64 rng(5);
  std::vector<uint8_t> data(300);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= data.size(); n += 7) {
      EXPECT_EQ(Crc32c(data.data() + offset, n),
                TEST_Crc32cPortable(data.data() + offset, n))
          << offset << " " << n;
    }
  }
}

TEST_F(LogScanTest, WholeFragmentedAndCutLogs) {
  const std::string log = Record(1, "alpha") + Record(2, "be") +
                          Record(3, "t") + Record(4, "a") + Record(1, "end");
  LogScan scan = Scan(log);
  EXPECT_TRUE(scan.damage.empty()) << scan.damage;
  EXPECT_EQ(scan.records, 3u);
  EXPECT_EQ(scan.whole_bytes, log.size());
  for (size_t cut = 1; cut < log.size(); ++cut) {
    scan = Scan(log.substr(0, cut));
    const bool at_end_of_record = cut == 12 || cut == 12 + 9 + 8 + 8;
    EXPECT_EQ(scan.damage.empty(), at_end_of_record) << cut;
    EXPECT_EQ(scan.ends_inside_record, !at_end_of_record) << cut;
  }
}

TEST_F(LogScanTest, FlipIsDamageWithTheRecordsAfterItCounted) {
  std::string log;
  for (int i = 0; i < 10; ++i) log += Record(1, "record " + std::to_string(i));
  log[3 * 15 + 9] ^= 1;  // In the payload of the fourth record.
  const LogScan scan = Scan(log);
  EXPECT_FALSE(scan.ends_inside_record);
  EXPECT_EQ(scan.damage_offset, 3u * 15);
  EXPECT_NE(scan.damage.find("checksum mismatch"), std::string::npos);
  EXPECT_EQ(scan.records, 3u);
  EXPECT_EQ(scan.whole_records_after_damage, 6u);
}

TEST_F(LogScanTest, BlockTrailerAndZeroTailAreNotDamage) {
  // A record that leaves 3 bytes of its 32 KiB block: the writer pads them
  // with zeros and starts the next record in the next block.
  std::string log = Record(1, std::string(32768 - 7 - 3, 'x'));
  log += std::string(3, '\0');
  log += Record(1, "next block");
  LogScan scan = Scan(log + std::string(100, '\0'));
  EXPECT_TRUE(scan.damage.empty()) << scan.damage;
  EXPECT_EQ(scan.records, 2u);
}

}  // namespace
}  // namespace semhash

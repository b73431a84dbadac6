// The check after a kill, on real databases written by hand: a batch the
// log says was in flight and that the database holds half of is a failure
// that leaves the log for a rerun; a whole one passes and the log becomes
// one snapshot.
#include "tools/crash_test/kill_check.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "semhash/db.h"
#include "tools/crash_test/operation_log.h"
#include "tools/crash_test/writer.h"

namespace semhash::crash {
namespace {

namespace fs = std::filesystem;

class KillCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "semhash-crash-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    Options options;
    options.create_if_missing = true;
    options.address_bits = kAddressBits;
    options.code_bits = kCodeBits;
    ASSERT_TRUE(DB::Open(options, db_path(), &db_).ok());
    // Acknowledged: ids 1 and 2.
    ASSERT_TRUE(Put(1, Image{5, Code(0x11)}).ok());
    ASSERT_TRUE(Put(2, Image{5, Code(0x22)}).ok());
    Operation acked;
    acked.seq = 1;
    acked.kind = OperationKind::kBatch;
    acked.changes = {{1, Image{5, Code(0x11)}}, {2, Image{5, Code(0x22)}}};
    // In flight: replace 1, delete 2.
    batch_.seq = 2;
    batch_.kind = OperationKind::kBatch;
    batch_.changes = {{1, Image{6, Code(0xaa)}}, {2, std::nullopt}};
    std::ofstream(log_path())
        << EncodeIntent(acked) << EncodeAck(1) << EncodeIntent(batch_);
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  static std::vector<uint8_t> Code(uint8_t fill) {
    return std::vector<uint8_t>(kCodeBits / 8, fill);
  }
  Status Put(uint64_t id, const Image& image) {
    return db_->Put(WriteOptions(), id, image.address, image.code);
  }
  std::string db_path() const { return dir_ + "/db"; }
  std::string log_path() const { return dir_ + "/operations.log"; }
  std::string ReadLogText() const {
    std::ostringstream text;
    text << std::ifstream(log_path()).rdbuf();
    return text.str();
  }

  std::string dir_;
  std::unique_ptr<DB> db_;
  Operation batch_;
};

TEST_F(KillCheckTest, HalfAppliedBatchFailsAndKeepsTheLog) {
  ASSERT_TRUE(Put(1, *batch_.changes[0].image).ok());
  db_.reset();
  const std::string before = ReadLogText();
  KillCheckResult result;
  const Status s = CheckAfterKill(db_path(), log_path(), &result);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(result.verified);  // The database itself is sound.
  EXPECT_EQ(ReadLogText(), before);
}

TEST_F(KillCheckTest, WholeBatchPassesAndLogBecomesSnapshot) {
  WriteBatch batch;
  batch.Put(1, 6, Code(0xaa));
  batch.Delete(2);
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  db_.reset();
  KillCheckResult result;
  const Status s = CheckAfterKill(db_path(), log_path(), &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.outcome, InFlightOutcome::kApplied);
  EXPECT_EQ(result.observed.images, 1u);
  EXPECT_EQ(result.acked.at(OperationKind::kBatch), 1u);
  EXPECT_EQ(ReadLogText(), "intent 2 snapshot 1 1=6:aaaaaaaaaaaaaaaa\nack 2\n");
}

TEST_F(KillCheckTest, LostAcknowledgedImageFails) {
  ASSERT_TRUE(db_->Delete(WriteOptions(), 1).ok());
  db_.reset();
  KillCheckResult result;
  EXPECT_TRUE(CheckAfterKill(db_path(), log_path(), &result).IsCorruption());
}

// A write acknowledged without sync is required after a kill as a sync one
// is: the writer's process died, not the machine.
TEST_F(KillCheckTest, AcknowledgedWriteWithoutSyncIsRequired) {
  Operation unsynced;
  unsynced.seq = 3;
  unsynced.kind = OperationKind::kPut;
  unsynced.sync = false;
  unsynced.changes = {{3, Image{7, Code(0x33)}}};
  // The batch in flight was not applied; the put after it was acknowledged.
  std::ofstream(log_path(), std::ios::app)
      << EncodeAck(2) << EncodeIntent(unsynced) << EncodeAck(3);
  WriteBatch batch;
  batch.Put(1, 6, Code(0xaa));
  batch.Delete(2);
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  db_.reset();
  const std::string before = ReadLogText();
  KillCheckResult result;
  Status s = CheckAfterKill(db_path(), log_path(), &result);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find('3'), std::string::npos) << s.ToString();
  EXPECT_EQ(ReadLogText(), before);
  WriteOptions no_sync;
  no_sync.sync = false;
  ASSERT_TRUE(DB::Open(Options(), db_path(), &db_).ok());
  ASSERT_TRUE(db_->Put(no_sync, 3, 7, Code(0x33)).ok());
  db_.reset();
  s = CheckAfterKill(db_path(), log_path(), &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.acked_without_sync, 1u);
  EXPECT_EQ(result.acked.at(OperationKind::kPut), 1u);
}

}  // namespace
}  // namespace semhash::crash

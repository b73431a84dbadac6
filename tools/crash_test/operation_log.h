// The crash tester's operation log: the side file in which the writer
// records each operation before it starts ("intent") and after the database
// acknowledged it ("ack"), and the parser that turns it back into the
// acknowledged operations and the one that may have been in flight.
//
// One record per line, text:
//
//   intent SEQ KIND [nosync] N CHANGE...
//                                 N changes, each ID=ADDRESS:HEXCODE (the
//                                 id holds that image after the operation)
//                                 or ID=- (the id is absent after it);
//                                 "nosync" marks a write made with
//                                 WriteOptions::sync = false
//   ack SEQ                       the database returned OK for SEQ
//
// ID and ADDRESS are decimal, HEXCODE is the code's bytes in lower-case hex.
// Sequence numbers increase; every intent but the last is followed by its
// ack. Each record goes to the file with write() as soon as it is made,
// never into a user-space buffer, so a kill can only cut the last line
// short: a last line without its '\n' is torn and ignored.
//
// Thread safety: an OperationLogWriter is used by one thread.
#ifndef SEMHASH_TOOLS_CRASH_TEST_OPERATION_LOG_H_
#define SEMHASH_TOOLS_CRASH_TEST_OPERATION_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"
#include "tools/crash_test/expected_state.h"

namespace semhash::crash {

// The line of each record, with its '\n'.
std::string EncodeIntent(const Operation& op);
std::string EncodeAck(uint64_t seq);

struct LogContents {
  // Every acknowledged operation, in log order.
  std::vector<Operation> acked;
  // The last intent if no ack followed it: the operation the writer was in
  // when it was killed. It may or may not have reached the database.
  std::optional<Operation> in_flight;
  // The last line had no '\n' (a record cut short by the kill); ignored.
  bool torn_tail = false;
  // The highest sequence number in the log; 0 if none.
  uint64_t last_seq = 0;
};

// Parses a whole log. Corruption naming the line on a malformed complete
// line, a sequence number that does not increase, an ack that does not
// match the intent before it, or an intent that follows an unacknowledged
// one.
Status ParseLog(std::string_view text, LogContents* contents);
// Reads and parses the log at `path`; a missing file is an empty log.
Status ReadLog(const std::string& path, LogContents* contents);
// Replaces the log at `path` with `ops`, each acknowledged, through a
// temporary file and a rename so that a reader sees the old or the new log.
Status RewriteLog(const std::string& path, const std::vector<Operation>& ops);

// Appends records to a log, each with one unbuffered write(). The file is
// not fsynced: the writer is killed with SIGKILL, which ends the process but
// not the kernel, and data a write() has copied into the page cache stays
// there and reaches the disk later. Only a machine crash could lose it, and
// the crash tester does not simulate one.
class OperationLogWriter {
 public:
  // Opens `path` for appending, creating it if missing.
  static Status Open(const std::string& path,
                     std::unique_ptr<OperationLogWriter>* writer);
  ~OperationLogWriter();
  OperationLogWriter(const OperationLogWriter&) = delete;
  OperationLogWriter& operator=(const OperationLogWriter&) = delete;

  Status AppendIntent(const Operation& op) { return Append(EncodeIntent(op)); }
  Status AppendAck(uint64_t seq) { return Append(EncodeAck(seq)); }

 private:
  explicit OperationLogWriter(int fd) : fd_(fd) {}
  Status Append(std::string_view record);

  int fd_;
};

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_OPERATION_LOG_H_

// The crash tester's writer: the process the driver kills. It opens (or
// creates) the database, replays its operation log to learn what the
// database holds, then performs random operations forever (a seeded mix of
// sync and non-sync writes, bulk loads and compactions), logging an intent
// before each call and an ack after each OK.
//
// Thread safety: one writer per database and log.
#ifndef SEMHASH_TOOLS_CRASH_TEST_WRITER_H_
#define SEMHASH_TOOLS_CRASH_TEST_WRITER_H_

#include <cstdint>
#include <string>

#include "semhash/status.h"

namespace semhash::crash {

// Small widths: 4096 addresses make a hot address easy to fill, and 64-bit
// codes keep the log short.
inline constexpr uint32_t kAddressBits = 12;
inline constexpr uint32_t kCodeBits = 64;

struct WriterOptions {
  std::string db_path;
  std::string log_path;
  uint64_t seed = 1;
};

// Runs until an operation fails or the process is killed; returns that
// failure. InvalidArgument if the log ends with an operation in flight (the
// driver must check the database and rewrite the log first) or if the log
// has acknowledged images but the database does not exist.
Status RunWriter(const WriterOptions& options);

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_WRITER_H_

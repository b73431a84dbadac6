// Fuzz target: CheckTableFile (engine/db/rocksdb_table_check.h), the reader
// of RocksDB table files' footers, metaindex and properties blocks that
// semhash runs before RocksDB opens a database. It takes a path, so the
// input goes to a scratch file.
//
// Invariants: the check returns OK or Corruption (never another code for a
// readable file, never a crash or an out-of-bounds read, which ASan traps),
// and the same answer twice.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/db/rocksdb_table_check.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash;
  const std::string path =
      fuzz::WriteScratchFile("table.sst", fuzz::AsView(data, size));
  const Status s = CheckTableFile(path);
  FUZZ_CHECK(s.ok() || s.IsCorruption());
  FUZZ_CHECK(CheckTableFile(path).ToString() == s.ToString());
  return 0;
}

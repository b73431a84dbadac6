// ExpectedState: the images a crash-tested database should hold, as a map
// from id to (address, code), and the operations that change it.
//
// An Operation is what the writer logs: its sequence number, its kind and
// its whole effect, one Change per id it touches (the state of that id after
// the operation). Applying an operation sets each of its ids to its new
// state, which is how a batch or a bulk load is all-or-nothing in the model.
//
// Thread safety: plain values.
#ifndef SEMHASH_TOOLS_CRASH_TEST_EXPECTED_STATE_H_
#define SEMHASH_TOOLS_CRASH_TEST_EXPECTED_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "semhash/codes.h"

namespace semhash::crash {

// One stored image, without its id.
struct Image {
  Address address = 0;
  std::vector<uint8_t> code;

  friend bool operator==(const Image&, const Image&) = default;
};

// The state of one id after an operation: an image, or absent (nullopt).
struct Change {
  uint64_t id = 0;
  std::optional<Image> image;

  friend bool operator==(const Change&, const Change&) = default;
};

// The kinds the writer performs, plus kSnapshot: the whole state, written by
// the driver when it rewrites the log after a check.
enum class OperationKind {
  kPut,       // One new id.
  kReplace,   // One stored id, new address and code.
  kDelete,    // One id, usually stored.
  kBatch,     // A WriteBatch of puts, replaces and deletes.
  kBulkLoad,  // A BulkLoader: new ids and replaced ones.
  kCompact,   // DB::Compact; no change.
  kSnapshot,
};

// "put", "replace", ...: the names the log uses.
const char* KindName(OperationKind kind);
// The kind named `name`; false if there is none.
bool KindFromName(const std::string& name, OperationKind* kind);

struct Operation {
  uint64_t seq = 0;
  OperationKind kind = OperationKind::kPut;
  // The call's WriteOptions::sync. A write acknowledged without sync must
  // survive a kill of the process as a sync one must (only a machine crash
  // may lose it). Bulk loads, compactions and snapshots are always true.
  bool sync = true;
  // Each id at most once, in the order first touched.
  std::vector<Change> changes;

  friend bool operator==(const Operation&, const Operation&) = default;
};

class ExpectedState {
 public:
  // Sets every id of `op` to its new state.
  void Apply(const Operation& op);
  // Sets `id` to `image` (nullopt: removes it).
  void Set(uint64_t id, const std::optional<Image>& image);

  // The image stored under `id`, or null.
  const Image* Find(uint64_t id) const;
  bool Contains(uint64_t id) const { return Find(id) != nullptr; }

  const std::map<uint64_t, Image>& images() const { return images_; }
  size_t size() const { return images_.size(); }

  // The whole state as one kSnapshot operation numbered `seq`.
  Operation ToSnapshot(uint64_t seq) const;

  friend bool operator==(const ExpectedState&, const ExpectedState&) = default;

 private:
  std::map<uint64_t, Image> images_;
};

}  // namespace semhash::crash

#endif  // SEMHASH_TOOLS_CRASH_TEST_EXPECTED_STATE_H_

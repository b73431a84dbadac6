// The crash tester's state model (expected_state.h).
#include "tools/crash_test/expected_state.h"

#include <iterator>

namespace semhash::crash {
namespace {

constexpr const char* kKindNames[] = {"put",  "replace", "delete",  "batch",
                                      "bulk", "compact", "snapshot"};

}  // namespace

const char* KindName(OperationKind kind) {
  return kKindNames[static_cast<int>(kind)];
}

bool KindFromName(const std::string& name, OperationKind* kind) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (name == kKindNames[i]) {
      *kind = static_cast<OperationKind>(i);
      return true;
    }
  }
  return false;
}

void ExpectedState::Apply(const Operation& op) {
  for (const Change& change : op.changes) Set(change.id, change.image);
}

void ExpectedState::Set(uint64_t id, const std::optional<Image>& image) {
  if (image) {
    images_[id] = *image;
  } else {
    images_.erase(id);
  }
}

const Image* ExpectedState::Find(uint64_t id) const {
  auto it = images_.find(id);
  return it == images_.end() ? nullptr : &it->second;
}

Operation ExpectedState::ToSnapshot(uint64_t seq) const {
  Operation op;
  op.seq = seq;
  op.kind = OperationKind::kSnapshot;
  op.changes.reserve(images_.size());
  for (const auto& [id, image] : images_) op.changes.push_back({id, image});
  return op;
}

}  // namespace semhash::crash

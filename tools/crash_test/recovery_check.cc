// The crash tester's verdict on a recovered database (recovery_check.h).
#include "tools/crash_test/recovery_check.h"

#include <cstdio>
#include <string>

namespace semhash::crash {
namespace {

// Ids named in full in a failure message; the rest are counted.
constexpr size_t kMaxNamedIds = 5;

std::string Describe(const Image* image) {
  if (image == nullptr) return "absent";
  std::string text = "address " + std::to_string(image->address) + " code ";
  for (uint8_t byte : image->code) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", byte);
    text += hex;
  }
  return text;
}

bool SameImage(const Image* a, const Image* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

// Collects the ids that differ, naming the first few.
class Mismatches {
 public:
  void Add(uint64_t id, const Image* want, const Image* found) {
    if (count_++ < kMaxNamedIds) {
      text_ += "; id " + std::to_string(id) + ": expected " + Describe(want) +
               ", found " + Describe(found);
    }
  }
  size_t count() const { return count_; }
  std::string text() const {
    std::string all = std::to_string(count_) + " ids differ" + text_;
    if (count_ > kMaxNamedIds) all += "; ...";
    return all;
  }

 private:
  size_t count_ = 0;
  std::string text_;
};

// Classifies the ids of `op` as in their new state, their old one, or
// neither; the operation must be wholly one or the other.
Status ResolveInFlight(const ExpectedState& acked, const Operation& op,
                       const ExpectedState& observed,
                       InFlightOutcome* outcome) {
  size_t applied = 0, not_applied = 0;
  Mismatches neither;
  for (const Change& change : op.changes) {
    const Image* before = acked.Find(change.id);
    const Image* after = change.image ? &*change.image : nullptr;
    if (SameImage(before, after)) continue;
    const Image* found = observed.Find(change.id);
    if (SameImage(found, after)) {
      ++applied;
    } else if (SameImage(found, before)) {
      ++not_applied;
    } else {
      neither.Add(change.id, after, found);
    }
  }
  const std::string name = std::string("in-flight ") + KindName(op.kind) + " " +
                           std::to_string(op.seq);
  if (neither.count() > 0) {
    return Status::Corruption(name + ": ids in neither their old nor their " +
                              "new state: " + neither.text());
  }
  if (applied > 0 && not_applied > 0) {
    return Status::Corruption(
        name + " is half applied: " + std::to_string(applied) +
        " ids in their new " + "state, " + std::to_string(not_applied) +
        " in their old one");
  }
  *outcome = applied > 0       ? InFlightOutcome::kApplied
             : not_applied > 0 ? InFlightOutcome::kNotApplied
                               : InFlightOutcome::kInvisible;
  return Status::OK();
}

}  // namespace

const char* OutcomeName(InFlightOutcome outcome) {
  switch (outcome) {
    case InFlightOutcome::kNone:
      return "none";
    case InFlightOutcome::kApplied:
      return "applied";
    case InFlightOutcome::kNotApplied:
      return "not applied";
    case InFlightOutcome::kInvisible:
      return "invisible";
  }
  return "?";
}

Status CheckRecovered(const ExpectedState& acked,
                      const std::optional<Operation>& in_flight,
                      const ExpectedState& observed, InFlightOutcome* outcome,
                      ExpectedState* resolved) {
  *outcome = InFlightOutcome::kNone;
  *resolved = acked;
  if (in_flight) {
    const Status s = ResolveInFlight(acked, *in_flight, observed, outcome);
    if (!s.ok()) return s;
    if (*outcome == InFlightOutcome::kApplied) resolved->Apply(*in_flight);
  }
  Mismatches mismatches;
  for (const auto& [id, image] : resolved->images()) {
    const Image* found = observed.Find(id);
    if (!SameImage(found, &image)) mismatches.Add(id, &image, found);
  }
  for (const auto& [id, image] : observed.images()) {
    if (!resolved->Contains(id)) mismatches.Add(id, nullptr, &image);
  }
  if (mismatches.count() > 0) {
    return Status::Corruption("recovered state differs from the log: " +
                              mismatches.text());
  }
  return Status::OK();
}

}  // namespace semhash::crash

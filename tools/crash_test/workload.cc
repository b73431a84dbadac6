// The crash tester's random operations (workload.h).
#include "tools/crash_test/workload.h"

#include <iterator>
#include <map>
#include <optional>

namespace semhash::crash {
namespace {

// Relative frequencies, in the order of OperationKind. At a few hundred
// sync writes a second, a run of a second or two does every kind several
// times; bulk loads and compactions are rarer because each takes as long
// as dozens of single writes, and kills should land in those too.
constexpr int kKindWeights[] = {250, 200, 160, 350, 8, 12};
// Share of the images of single writes and batches at the hot address.
constexpr double kHotShare = 0.5;
// Bulk loads spread more: a load of thousands would swamp the hot address.
constexpr double kBulkHotShare = 0.25;
constexpr int kMinBulkImages = 1000, kMaxBulkImages = 4000;
// Share of a bulk load's ids that are stored ones, below and above half
// full. With the swap of put and delete weights in ChooseKind and fewer new
// ids in batches, this holds the database near half the id space, so that
// new ids stay easy to find.
constexpr double kBulkReplaceShare = 0.25, kFullBulkReplaceShare = 1.0;
constexpr int kMaxBatchSteps = 16;
// Share of single writes and batches made without sync: those must survive
// a kill of the process as the sync ones do.
constexpr double kUnsyncedShare = 0.5;
// Attempts to find an id of the wanted kind by sampling before giving up.
constexpr int kIdAttempts = 64;

// The kinds made with WriteOptions: Put, Delete and Write.
bool IsWrite(OperationKind kind) {
  return kind == OperationKind::kPut || kind == OperationKind::kReplace ||
         kind == OperationKind::kDelete || kind == OperationKind::kBatch;
}

// Folds `steps` into one change per id, in the order first touched.
std::vector<Change> Effect(const std::vector<Change>& steps) {
  std::vector<Change> changes;
  std::map<uint64_t, size_t> index;
  for (const Change& step : steps) {
    auto [it, added] = index.emplace(step.id, changes.size());
    if (added) {
      changes.push_back(step);
    } else {
      changes[it->second] = step;
    }
  }
  return changes;
}

}  // namespace

Workload::Workload(const WorkloadOptions& options, uint64_t seed)
    : options_(options), rng_(seed) {}

OperationKind Workload::ChooseKind(bool over_half) {
  std::discrete_distribution<int> kinds(std::begin(kKindWeights),
                                        std::end(kKindWeights));
  const auto kind = static_cast<OperationKind>(kinds(rng_));
  if (!over_half) return kind;
  if (kind == OperationKind::kPut) return OperationKind::kDelete;
  if (kind == OperationKind::kDelete) return OperationKind::kPut;
  return kind;
}

Image Workload::RandomImage(double hot_share) {
  Image image;
  if (std::bernoulli_distribution(hot_share)(rng_)) {
    image.address = options_.hot_address;
  } else {
    image.address = static_cast<Address>(
        rng_() & ((uint64_t{1} << options_.address_bits) - 1));
  }
  image.code.resize(options_.code_bits / 8);
  for (auto& byte : image.code) byte = static_cast<uint8_t>(rng_());
  return image;
}

uint64_t Workload::StoredId(const ExpectedState& state,
                            const std::set<uint64_t>& taken) {
  const auto& images = state.images();
  for (int i = 0; i < kIdAttempts && !images.empty(); ++i) {
    auto it = images.lower_bound(rng_() % options_.id_space);
    if (it == images.end()) it = images.begin();
    if (!taken.count(it->first)) return it->first;
  }
  return NewId(state, taken);
}

uint64_t Workload::NewId(const ExpectedState& state,
                         const std::set<uint64_t>& taken) {
  for (int i = 0;; ++i) {
    const uint64_t id = rng_() % options_.id_space;
    if (taken.count(id)) continue;
    if (!state.Contains(id) || i >= kIdAttempts) return id;
  }
}

void Workload::PlanBatch(const ExpectedState& state, PlannedOperation* plan) {
  const int n = std::uniform_int_distribution<int>(2, kMaxBatchSteps)(rng_);
  // Out of ten steps: four put new ids (two when above half full, the other
  // two delete), two replace, three delete, and one touches again an id of
  // this batch, where the later step must win.
  const int new_ids = OverHalf(state) ? 2 : 4;
  const std::set<uint64_t> none;
  for (int i = 0; i < n; ++i) {
    const int choice = std::uniform_int_distribution<int>(0, 9)(rng_);
    Change step;
    if (choice == 9 && !plan->steps.empty()) {
      step.id = plan->steps[rng_() % plan->steps.size()].id;
      if (rng_() % 2 == 0) step.image = RandomImage(kHotShare);
    } else if (choice < new_ids) {
      step = {NewId(state, none), RandomImage(kHotShare)};
    } else if (choice == 4 || choice == 5) {
      step = {StoredId(state, none), RandomImage(kHotShare)};
    } else {
      step.id = StoredId(state, none);
    }
    plan->steps.push_back(std::move(step));
  }
}

void Workload::PlanBulkLoad(const ExpectedState& state,
                            PlannedOperation* plan) {
  const int n =
      std::uniform_int_distribution<int>(kMinBulkImages, kMaxBulkImages)(rng_);
  std::set<uint64_t> taken;
  std::bernoulli_distribution replace(OverHalf(state) ? kFullBulkReplaceShare
                                                      : kBulkReplaceShare);
  for (int i = 0; i < n; ++i) {
    const uint64_t id =
        replace(rng_) ? StoredId(state, taken) : NewId(state, taken);
    taken.insert(id);
    plan->steps.push_back({id, RandomImage(kBulkHotShare)});
  }
}

PlannedOperation Workload::Next(const ExpectedState& state, uint64_t seq) {
  PlannedOperation plan;
  plan.op.seq = seq;
  plan.op.kind = ChooseKind(OverHalf(state));
  const std::set<uint64_t> none;
  switch (plan.op.kind) {
    case OperationKind::kPut:
      plan.steps.push_back({NewId(state, none), RandomImage(kHotShare)});
      break;
    case OperationKind::kReplace:
      plan.steps.push_back({StoredId(state, none), RandomImage(kHotShare)});
      break;
    case OperationKind::kDelete:
      // One in ten deletes names an id that is not stored: a no-op.
      plan.steps.push_back(
          {rng_() % 10 == 0 ? NewId(state, none) : StoredId(state, none),
           std::nullopt});
      break;
    case OperationKind::kBatch:
      PlanBatch(state, &plan);
      break;
    case OperationKind::kBulkLoad:
      PlanBulkLoad(state, &plan);
      break;
    case OperationKind::kCompact:
    case OperationKind::kSnapshot:
      break;
  }
  if (IsWrite(plan.op.kind)) {
    plan.op.sync = !std::bernoulli_distribution(kUnsyncedShare)(rng_);
  }
  plan.op.changes = Effect(plan.steps);
  return plan;
}

}  // namespace semhash::crash

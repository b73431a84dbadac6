// MemoryIndex: loading, writes and rebuilds (see memory_index.h). The
// searches are in memory_search.cc.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "engine/db/memory_index_base.h"
#include "engine/db/segment_writer.h"

namespace semhash {
namespace {

// The delta is merged into a new base once it (with the deleted base rows)
// reaches an eighth of the base, and never below this many rows: a merge
// costs a pass over everything, so it must be amortised over many writes.
constexpr uint64_t kMinRebuildRows = 4096;

}  // namespace

MemoryIndex::MemoryIndex(uint32_t address_bits, uint32_t code_bits,
                         uint32_t mih_tables)
    : address_bits_(address_bits),
      code_bytes_(code_bits / 8),
      mih_tables_(mih_tables),
      base_(MakeBase(MemoryRows())) {}

MemoryIndex::~MemoryIndex() = default;

std::shared_ptr<const MemoryIndex::Base> MemoryIndex::MakeBase(
    MemoryRows rows) const {
  auto base = std::make_shared<Base>();
  base->owned_ids = std::move(rows.ids);
  base->owned_codes = std::move(rows.codes);
  base->n = base->owned_ids.size();
  base->ids = base->owned_ids.data();
  base->codes = base->owned_codes.data();
  base->addresses = SortedKeys(std::move(rows.addresses), address_bits_);
  if (mih_tables_ > 0 && base->n > 0) {
    base->tables = std::make_unique<MultiIndex>(base->codes, base->n,
                                                code_bytes_ * 8, mih_tables_);
  }
  return base;
}

uint64_t MemoryIndex::BeginLoad() {
  WriteLock lock(&mutex_);
  state_ = State::kLoading;
  queued_.clear();
  return ++ticket_;
}

void MemoryIndex::Abandon(uint64_t ticket) {
  WriteLock lock(&mutex_);
  if (ticket != ticket_) return;
  state_ = State::kOutOfStep;
  queued_.clear();
  queued_.shrink_to_fit();
}

void MemoryIndex::Install(uint64_t ticket, MemoryRows rows,
                          const std::function<void()>& publish) {
  InstallBase(ticket, MakeBase(std::move(rows)), publish);
}

Status MemoryIndex::Install(uint64_t ticket,
                            std::shared_ptr<const MappedSegment> segment,
                            const std::function<void()>& publish) {
  std::shared_ptr<const Base> base;
  Status s = MakeMappedBase(std::move(segment), &base);
  if (s.ok()) InstallBase(ticket, std::move(base), publish);
  return s;
}

Status MemoryIndex::MakeMappedBase(std::shared_ptr<const MappedSegment> segment,
                                   std::shared_ptr<const Base>* out) const {
  if (segment->address_bits() != address_bits_ ||
      segment->code_bytes() != code_bytes_ ||
      (segment->rows() > 0 && segment->table_count() != mih_tables_)) {
    return Status::InvalidArgument(
        segment->path() + ": " + std::to_string(segment->address_bits()) +
        "-bit addresses, " + std::to_string(segment->code_bits()) +
        "-bit codes and " + std::to_string(segment->table_count()) +
        " tables; the index has " + std::to_string(address_bits_) + ", " +
        std::to_string(code_bytes_ * 8) + " and " +
        std::to_string(mih_tables_));
  }
  auto base = std::make_shared<Base>();
  base->n = segment->rows();
  base->ids = segment->ids();
  base->codes = segment->codes();
  base->addresses = SortedKeys::View(segment->address_keys(), address_bits_,
                                     segment->address_directory());
  if (segment->table_count() > 0 && segment->rows() > 0) {
    base->tables = MultiIndex::View(*segment);
  }
  base->segment = std::move(segment);
  *out = std::move(base);
  return Status::OK();
}

void MemoryIndex::InstallBase(uint64_t ticket, std::shared_ptr<const Base> base,
                              const std::function<void()>& publish) {
  WriteLock lock(&mutex_);
  if (publish) publish();
  if (ticket != ticket_ || state_ != State::kLoading) return;
  ReplaceBase(std::move(base));
  state_ = State::kReady;
  for (const Change& change : queued_) ApplyLocked(change);
  queued_.clear();
  queued_.shrink_to_fit();
}

void MemoryIndex::Apply(const std::vector<Change>& changes,
                        const std::function<void()>& publish) {
  {
    WriteLock lock(&mutex_);
    publish();
    if (state_ == State::kLoading) {
      queued_.insert(queued_.end(), changes.begin(), changes.end());
      return;
    }
    for (const Change& change : changes) ApplyLocked(change);
  }
  // The batch is committed whatever the merge's outcome: a failed merge
  // leaves the index as it was (and, persisted, the old segment live), to
  // be tried again after a later batch.
  (void)Rebuild(/*force=*/false);
}

void MemoryIndex::ApplyLocked(const Change& change) {
  if (state_ != State::kReady) return;
  if (change.had_old) Remove(change.id, change.old_address);
  if (!change.put) return;
  delta_rows_[change.id] = static_cast<uint32_t>(delta_ids_.size());
  delta_ids_.push_back(change.id);
  delta_addresses_.push_back(change.address);
  delta_codes_.insert(delta_codes_.end(), change.code.begin(),
                      change.code.end());
}

void MemoryIndex::Remove(uint64_t id, Address address) {
  auto it = delta_rows_.find(id);
  if (it != delta_rows_.end()) {
    // Swap the last delta row into the hole.
    const uint32_t row = it->second;
    const uint32_t last = static_cast<uint32_t>(delta_ids_.size() - 1);
    delta_rows_.erase(it);
    if (row != last) {
      delta_ids_[row] = delta_ids_[last];
      delta_addresses_[row] = delta_addresses_[last];
      std::memcpy(&delta_codes_[row * code_bytes_],
                  &delta_codes_[last * code_bytes_], code_bytes_);
      delta_rows_[delta_ids_[row]] = row;
    }
    delta_ids_.pop_back();
    delta_addresses_.pop_back();
    delta_codes_.resize(delta_codes_.size() - code_bytes_);
    return;
  }
  SortedKeys::Range range;
  Status s;
  const bool readable = base_->Find(address, &range, &s) &&
                        base_->CheckCodes(range.begin, range.end, &s);
  for (uint32_t row = range.begin; readable && row < range.end; ++row) {
    if (base_->ids[row] == id && !IsDead(row)) {
      dead_[row / 64] |= uint64_t{1} << (row % 64);
      ++dead_count_;
      return;
    }
  }
  // RocksDB held the image and this index did not (or its mapped base is
  // damaged): it can no longer be trusted, so searches go back to RocksDB
  // until the next open.
  state_ = State::kOutOfStep;
}

Status MemoryIndex::LiveRows(MemoryRows* out,
                             const std::vector<uint64_t>* excluded) const {
  Status s;
  if (!base_->CheckCodes(0, base_->size(), &s) ||
      !base_->CheckKeys(0, base_->size(), &s)) {
    return s;
  }
  std::vector<uint32_t> delta_order(delta_ids_.size());
  std::iota(delta_order.begin(), delta_order.end(), 0);
  // Taken here, under the caller's lock: -Wthread-safety checks a lambda as
  // a function of its own, holding no lock.
  const Address* delta_addresses = delta_addresses_.data();
  std::sort(delta_order.begin(), delta_order.end(),
            [&](uint32_t a, uint32_t b) {
              return delta_addresses[a] < delta_addresses[b];
            });
  MemoryRows rows;
  const size_t total = LiveRowsLocked();
  rows.ids.reserve(total);
  rows.addresses.reserve(total);
  rows.codes.reserve(total * code_bytes_);
  auto append = [&](uint64_t id, Address address, const uint8_t* code) {
    if (excluded != nullptr &&
        std::binary_search(excluded->begin(), excluded->end(), id)) {
      return;
    }
    rows.ids.push_back(id);
    rows.addresses.push_back(address);
    rows.codes.insert(rows.codes.end(), code, code + code_bytes_);
  };
  // Merge two address-ordered sequences: live base rows and sorted delta.
  size_t next = 0;
  for (uint32_t row = 0; row < base_->size(); ++row) {
    if (IsDead(row)) continue;
    const Address address = base_->addresses.key(row);
    for (; next < delta_order.size() &&
           delta_addresses_[delta_order[next]] < address;
         ++next) {
      const uint32_t d = delta_order[next];
      append(delta_ids_[d], delta_addresses_[d],
             &delta_codes_[d * code_bytes_]);
    }
    append(base_->ids[row], address, base_->code(row, code_bytes_));
  }
  for (; next < delta_order.size(); ++next) {
    const uint32_t d = delta_order[next];
    append(delta_ids_[d], delta_addresses_[d], &delta_codes_[d * code_bytes_]);
  }
  *out = std::move(rows);
  return Status::OK();
}

Status MemoryIndex::Rebuild(bool force) {
  MemoryRows rows;
  {
    // Only the writer changes the contents, and the writer is here; the
    // shared lock keeps Install (of a load) out while the rows are copied.
    ReadLock lock(&mutex_);
    if (state_ != State::kReady) return Status::OK();
    const uint64_t stale = delta_ids_.size() + dead_count_;
    if (!force &&
        stale < std::max<uint64_t>(kMinRebuildRows, base_->size() / 8)) {
      return Status::OK();
    }
    // A damaged mapped base is left as it is: the searches that read it
    // report the damage.
    Status s = LiveRows(&rows);
    if (!s.ok()) return s;
  }
  // Built with no lock held: searches go on over the old base meanwhile.
  std::shared_ptr<const Base> base = MakeBase(std::move(rows));
  Status s;
  if (persist_) {
    const SegmentRows segment_rows{base->n, base->ids,
                                   base->addresses.keys().data(), base->codes};
    std::shared_ptr<const MappedSegment> segment;
    s = persist_(segment_rows, base->tables.get(), &segment);
    if (s.ok()) s = MakeMappedBase(std::move(segment), &base);
  }
  WriteLock lock(&mutex_);
  if (state_ == State::kReady) ReplaceBase(std::move(base));
  return s;
}

namespace {

// Rows `a` and `b` merged by address (each ascending).
MemoryRows MergeByAddress(MemoryRows a, MemoryRows b, size_t code_bytes) {
  if (b.ids.empty()) return a;
  if (a.ids.empty()) return b;
  MemoryRows out;
  const size_t n = a.ids.size() + b.ids.size();
  out.ids.reserve(n);
  out.addresses.reserve(n);
  out.codes.reserve(n * code_bytes);
  size_t i = 0, j = 0;
  auto take = [&](const MemoryRows& from, size_t* row) {
    out.ids.push_back(from.ids[*row]);
    out.addresses.push_back(from.addresses[*row]);
    const uint8_t* code = &from.codes[*row * code_bytes];
    out.codes.insert(out.codes.end(), code, code + code_bytes);
    ++*row;
  };
  while (i < a.ids.size() || j < b.ids.size()) {
    if (j == b.ids.size() ||
        (i < a.ids.size() && a.addresses[i] <= b.addresses[j])) {
      take(a, &i);
    } else {
      take(b, &j);
    }
  }
  return out;
}

}  // namespace

Status MemoryIndex::MergeLoaded(
    MemoryRows loaded, const std::vector<uint64_t>& replaced,
    const Persist& persist,
    const std::function<void(std::shared_ptr<const MappedSegment>)>& publish) {
  MemoryRows rows;
  {
    ReadLock lock(&mutex_);
    if (state_ != State::kReady) {
      return Status::Corruption("the in-memory index is not loaded");
    }
    Status s = LiveRows(&rows, &replaced);
    if (!s.ok()) return s;
  }
  rows = MergeByAddress(std::move(rows), std::move(loaded), code_bytes_);
  std::shared_ptr<const Base> base = MakeBase(std::move(rows));
  const SegmentRows segment_rows{base->n, base->ids,
                                 base->addresses.keys().data(), base->codes};
  std::shared_ptr<const MappedSegment> segment;
  Status s = persist(segment_rows, base->tables.get(), &segment);
  // Published (the manifest names it) even if a later step failed.
  if (segment == nullptr) return s;
  Status mapped = MakeMappedBase(segment, &base);
  WriteLock lock(&mutex_);
  publish(std::move(segment));
  ReplaceBase(std::move(base));
  return s.ok() ? mapped : s;
}

void MemoryIndex::ReplaceBase(std::shared_ptr<const Base> base) {
  base_ = std::move(base);
  dead_.assign((base_->size() + 63) / 64, 0);
  dead_count_ = 0;
  delta_ids_.clear();
  delta_addresses_.clear();
  delta_codes_.clear();
  delta_rows_.clear();
}

uint64_t MemoryIndex::LiveRowsLocked() const {
  return base_->size() - dead_count_ + delta_ids_.size();
}

bool MemoryIndex::ready() const {
  ReadLock lock(&mutex_);
  return state_ == State::kReady;
}

uint64_t MemoryIndex::rows() const {
  ReadLock lock(&mutex_);
  return state_ == State::kReady ? LiveRowsLocked() : 0;
}

bool MemoryIndex::CountRows(uint64_t* rows) const {
  ReadLock lock(&mutex_);
  if (state_ != State::kReady) return false;
  *rows = LiveRowsLocked();
  return true;
}

size_t MemoryIndex::memory_bytes() const {
  ReadLock lock(&mutex_);
  size_t bytes = base_->owned_ids.capacity() * sizeof(uint64_t) +
                 base_->owned_codes.capacity() +
                 base_->addresses.memory_bytes() +
                 dead_.capacity() * sizeof(uint64_t);
  if (base_->tables) bytes += base_->tables->memory_bytes();
  bytes += delta_ids_.capacity() * sizeof(uint64_t) +
           delta_addresses_.capacity() * sizeof(Address) +
           delta_codes_.capacity() +
           delta_rows_.size() *
               (sizeof(uint64_t) + sizeof(uint32_t) + 2 * sizeof(void*));
  return bytes;
}

}  // namespace semhash

// Two writers and four readers on one database (the thread-safety contract
// of semhash/db.h). Each writer owns an id range and logs every write before
// making it, so a reader can check what it sees against the history: a read
// is one snapshot, so it must show each writer's ids exactly as they were
// after some prefix of that writer's writes, and a later read of the same
// thread must not show an earlier prefix. Batches are checked as a whole
// (a snapshot between two operations of a batch matches no prefix). A few
// ids are written by both writers, so writes that were not serialised would
// leave an id in two posting lists. A fifth thread compacts the database
// (repacking posting lists, rewriting every table) all the while. After the
// threads join, the database must equal each writer's model and verify.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <functional>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "semhash/db.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using testing::CreateOptions;
using testing::NoisyCopy;
using testing::OpenOrDie;
using testing::RandomCode;
using testing::TempDir;

constexpr uint32_t kAddressBits = 10;
constexpr uint32_t kCodeBits = 128;
constexpr size_t kCodeBytes = kCodeBits / 8;
// About a third of all puts go here, so this posting list outgrows its first
// chunk while readers scan it.
constexpr Address kHotAddress = 0x2A5;
constexpr int kWriters = 2;
constexpr int kReaders = 4;
constexpr uint64_t kIdsPerWriter = 100;
constexpr uint64_t kSharedIds = 8;
constexpr uint64_t kAllIds = kWriters * kIdsPerWriter + kSharedIds;
constexpr size_t kWritesPerWriter = 1500;
constexpr int kMinReadsPerReader = 20;

// Writer w owns ids FirstId(w) + [0, kIdsPerWriter); every writer writes
// ids FirstId(kShared) + [0, kSharedIds).
constexpr int kShared = kWriters;
uint64_t FirstId(int writer) { return 1000 * uint64_t(writer + 1); }

// The writer owning `id`, kShared, or -1 for an id nobody writes.
int OwnerOf(uint64_t id) {
  for (int w = 0; w < kWriters; ++w) {
    if (id >= FirstId(w) && id < FirstId(w) + kIdsPerWriter) return w;
  }
  if (id >= FirstId(kShared) && id < FirstId(kShared) + kSharedIds) {
    return kShared;
  }
  return -1;
}

// One operation of a write; a write of several is one WriteBatch.
struct Op {
  uint64_t id = 0;
  bool put = false;
  Address address = 0;
  std::vector<uint8_t> code;
  std::string payload;
};
using Write = std::vector<Op>;

// A writer's writes in order. Write n is published before the writer hands
// it to the DB, so a reader that sees it in the DB finds it here. Only the
// owning writer appends; readers read the published prefix.
class WriteLog {
 public:
  WriteLog() : writes_(kWritesPerWriter) {}

  void Append(Write write) {
    const size_t n = published_.load(std::memory_order_relaxed);
    writes_[n] = std::move(write);
    published_.store(n + 1, std::memory_order_release);
  }
  size_t published() const {
    return published_.load(std::memory_order_acquire);
  }
  const Write& write(size_t n) const { return writes_[n]; }

 private:
  std::vector<Write> writes_;
  std::atomic<size_t> published_{0};
};

// What a read shows of one stored version of an id; nullopt if the read
// does not cover it (an address outside the probed ball).
using Fingerprint = std::function<std::optional<std::string>(const Op&)>;

std::string RecordFingerprint(Address address, CodeView code,
                              std::string_view payload) {
  return std::to_string(address) + "|" + std::string(code.begin(), code.end()) +
         "|" + std::string(payload);
}

std::optional<std::string> OfRecord(const Op& op) {
  return RecordFingerprint(op.address, op.code, op.payload);
}

// Distances to `query` of versions within `radius` of `address`.
Fingerprint OfDistance(std::vector<uint8_t> query, Address address,
                       uint32_t radius) {
  return [query = std::move(query), address,
          radius](const Op& op) -> std::optional<std::string> {
    if (std::popcount(op.address ^ address) > int(radius)) return std::nullopt;
    return std::to_string(HammingDistance(query, op.code));
  };
}

// What one read saw of one writer's ids, indexed by id - FirstId(writer).
struct Seen {
  bool looked = false;
  std::optional<std::string> fingerprint;  // nullopt: absent
};
using Observation = std::vector<Seen>;

struct PrefixRange {
  size_t first = 0;
  size_t last = 0;
};

// The first and last p such that after the first p writes of `log` every
// looked-at id of its writer shows what `seen` says; nullopt if no prefix
// does. Replays the log once, keeping a count of mismatching ids.
std::optional<PrefixRange> MatchingPrefixes(const WriteLog& log,
                                            uint64_t first_id,
                                            const Observation& seen,
                                            const Fingerprint& fingerprint) {
  std::vector<const Op*> state(kIdsPerWriter, nullptr);
  auto mismatch = [&](size_t i) {
    if (!seen[i].looked) return 0;
    const auto now = state[i] ? fingerprint(*state[i]) : std::nullopt;
    return now != seen[i].fingerprint ? 1 : 0;
  };
  int mismatches = 0;
  for (size_t i = 0; i < kIdsPerWriter; ++i) mismatches += mismatch(i);
  std::optional<PrefixRange> range;
  auto note = [&](size_t p) {
    if (mismatches != 0) return;
    if (!range) range = PrefixRange{p, p};
    range->last = p;
  };
  note(0);
  const size_t published = log.published();
  for (size_t n = 0; n < published; ++n) {
    for (const Op& op : log.write(n)) {
      const size_t i = op.id - first_id;
      if (i >= kIdsPerWriter) continue;  // a shared id
      mismatches -= mismatch(i);
      state[i] = op.put ? &op : nullptr;
      mismatches += mismatch(i);
    }
    note(n + 1);
  }
  return range;
}

// Distinct ids, best first; records each as seen with its distance.
AssertionResult CollectNeighbors(
    const SearchResult& result,
    std::map<uint64_t, std::optional<std::string>>* seen) {
  for (size_t i = 0; i < result.neighbors.size(); ++i) {
    const Neighbor& n = result.neighbors[i];
    if (!seen->emplace(n.id, std::to_string(n.distance)).second) {
      return AssertionFailure() << "duplicate id " << n.id;
    }
    if (i > 0) {
      const Neighbor& p = result.neighbors[i - 1];
      if (p.distance > n.distance ||
          (p.distance == n.distance && p.id > n.id)) {
        return AssertionFailure() << "id " << n.id << " out of order";
      }
    }
  }
  return AssertionSuccess();
}

class Reader {
 public:
  Reader(DB* db, const std::array<WriteLog, kWriters>* logs, uint64_t seed)
      : db_(db), logs_(logs), rng_(seed) {}

  // Reads until the writers are done (and at least kMinReadsPerReader
  // times); stops at the first failure, which it reports.
  void Run(int index, const std::atomic<bool>& writers_done,
           std::atomic<bool>* failed) {
    for (int reads = 0; !failed->load() &&
                        (!writers_done.load() || reads < kMinReadsPerReader);
         ++reads) {
      const AssertionResult result = ReadOnce();
      if (!result) {
        ADD_FAILURE() << "reader " << index << ", read " << reads << ": "
                      << result.message();
        failed->store(true);
      }
    }
  }

 private:
  AssertionResult ReadOnce() {
    const Address address =
        rng_() % 3 == 0 ? kHotAddress : Address(rng_() % (1u << kAddressBits));
    const std::vector<uint8_t> query = Query();
    switch (rng_() % 6) {
      case 0:
        return Iterate();
      case 1:
        return SearchAll(address, query, RandomRadius());
      case 2:
        return SearchTop(address, query);
      case 3:
        return SearchExact(query, kAllIds);
      case 4:
        return SearchExact(query, 1 + rng_() % 20);
      default:
        return GetSome();
    }
  }

  // A random code, or a noisy copy of one written.
  std::vector<uint8_t> Query() {
    const WriteLog& log = (*logs_)[rng_() % kWriters];
    const size_t published = log.published();
    if (published == 0 || rng_() % 2 == 0) {
      return RandomCode(&rng_, kCodeBytes);
    }
    const Write& write = log.write(rng_() % published);
    const Op& op = write[rng_() % write.size()];
    if (!op.put) return RandomCode(&rng_, kCodeBytes);
    return NoisyCopy(op.code, 0.05, &rng_);
  }

  uint32_t RandomRadius() {
    const uint32_t radii[] = {0, 1, 2, kAddressBits};
    return radii[rng_() % 4];
  }

  AssertionResult Iterate() {
    std::map<uint64_t, std::optional<std::string>> seen;
    const std::unique_ptr<Iterator> it = db_->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!seen.empty() && it->id() <= seen.rbegin()->first) {
        return AssertionFailure()
               << "iterator: id " << it->id() << " out of order";
      }
      seen[it->id()] =
          RecordFingerprint(it->address(), it->code(), it->payload());
    }
    if (!it->status().ok()) {
      return AssertionFailure() << "iterator: " << it->status().ToString();
    }
    return CheckSnapshot(seen, /*complete=*/true, OfRecord, "iterator");
  }

  // Every image within `radius` of `address`: a complete view of the ball.
  AssertionResult SearchAll(Address address, const std::vector<uint8_t>& query,
                            uint32_t radius) {
    SearchOptions options;
    options.max_radius = radius;
    options.min_candidates = kAllIds + 1;  // never stop early
    SearchResult result;
    const Status s = db_->Search(options, address, query, kAllIds, &result);
    if (!s.ok()) return AssertionFailure() << "Search: " << s.ToString();
    std::map<uint64_t, std::optional<std::string>> seen;
    AssertionResult r = CollectNeighbors(result, &seen);
    if (!r) return r << " (Search, radius " << radius << ")";
    if (result.stats.candidates_reranked != seen.size()) {
      return AssertionFailure()
             << "Search reranked " << result.stats.candidates_reranked
             << " candidates for " << seen.size() << " ids";
    }
    return CheckSnapshot(seen, /*complete=*/true,
                         OfDistance(query, address, radius), "Search");
  }

  // The k best, stopping early as applications do: each result must be a
  // version within the radius reached, with its true distance.
  AssertionResult SearchTop(Address address,
                            const std::vector<uint8_t>& query) {
    SearchOptions options;
    options.max_radius = 1 + rng_() % 3;
    options.min_candidates = rng_() % 2 == 0 ? 0 : 1 + rng_() % 50;
    const size_t k = 1 + rng_() % 20;
    SearchResult result;
    const Status s = db_->Search(options, address, query, k, &result);
    if (!s.ok()) return AssertionFailure() << "Search: " << s.ToString();
    return CheckTop(result, k,
                    OfDistance(query, address, result.stats.radius_reached),
                    "Search");
  }

  AssertionResult SearchExact(const std::vector<uint8_t>& query, size_t k) {
    SearchResult result;
    const Status s = db_->SearchExact(query, k, &result);
    if (!s.ok()) return AssertionFailure() << "SearchExact: " << s.ToString();
    if (k < kAllIds) {
      return CheckTop(result, k, OfDistance(query, 0, kAddressBits),
                      "SearchExact");
    }
    std::map<uint64_t, std::optional<std::string>> seen;
    AssertionResult r = CollectNeighbors(result, &seen);
    if (!r) return r << " (SearchExact)";
    return CheckSnapshot(seen, /*complete=*/true,
                         OfDistance(query, 0, kAddressBits), "SearchExact");
  }

  AssertionResult CheckTop(const SearchResult& result, size_t k,
                           const Fingerprint& fingerprint, const char* what) {
    std::map<uint64_t, std::optional<std::string>> seen;
    AssertionResult r = CollectNeighbors(result, &seen);
    if (!r) return r << " (" << what << ")";
    const size_t expected =
        std::min<uint64_t>(k, result.stats.candidates_reranked);
    if (seen.size() != expected) {
      return AssertionFailure()
             << what << " returned " << seen.size() << " of k=" << k << " from "
             << result.stats.candidates_reranked << " candidates";
    }
    return CheckSnapshot(seen, /*complete=*/false, fingerprint, what);
  }

  // Point reads, each its own snapshot, of ids present or not.
  AssertionResult GetSome() {
    for (int i = 0; i < 8; ++i) {
      const uint64_t id =
          FirstId(rng_() % (kWriters + 1)) + rng_() % (kIdsPerWriter + 1);
      Record record;
      const Status s = db_->Get(id, &record);
      if (!s.ok() && !s.IsNotFound()) {
        return AssertionFailure() << "Get " << id << ": " << s.ToString();
      }
      std::map<uint64_t, std::optional<std::string>> seen;
      if (s.ok()) {
        seen[id] =
            RecordFingerprint(record.address, record.code, record.payload);
      } else if (OwnerOf(id) >= 0) {
        seen[id] = std::nullopt;
      }
      AssertionResult r =
          CheckSnapshot(seen, /*complete=*/false, OfRecord, "Get");
      if (!r) return r;
    }
    return AssertionSuccess();
  }

  // `seen` came from one snapshot: for each writer, some prefix of its
  // writes must produce what it shows of the writer's ids, and not one
  // before what this reader saw last. A shared id must show a version that
  // was written. complete: ids missing from `seen` were read as absent.
  AssertionResult CheckSnapshot(
      const std::map<uint64_t, std::optional<std::string>>& seen, bool complete,
      const Fingerprint& fingerprint, const char* what) {
    std::array<Observation, kWriters> observations;
    for (auto& observation : observations) {
      observation.assign(kIdsPerWriter, Seen{complete, std::nullopt});
    }
    for (const auto& [id, shown] : seen) {
      const int w = OwnerOf(id);
      if (w < 0) return AssertionFailure() << what << ": unknown id " << id;
      if (w < kWriters) {
        observations[w][id - FirstId(w)] = Seen{true, shown};
      } else if (shown && !EverWritten(id, *shown, fingerprint)) {
        return AssertionFailure()
               << what << ": shared id " << id << " as never written";
      }
    }
    for (int w = 0; w < kWriters; ++w) {
      const WriteLog& log = (*logs_)[w];
      const auto range =
          MatchingPrefixes(log, FirstId(w), observations[w], fingerprint);
      if (!range) {
        return AssertionFailure()
               << what << ": no prefix of writer " << w << "'s "
               << log.published() << " writes gives what it saw";
      }
      if (range->last < floor_[w]) {
        return AssertionFailure()
               << what << " went back in time: writer " << w << "'s writes "
               << range->first << ".." << range->last
               << " after an earlier read of " << floor_[w];
      }
      floor_[w] = std::max(floor_[w], range->first);
    }
    return AssertionSuccess();
  }

  bool EverWritten(uint64_t id, const std::string& shown,
                   const Fingerprint& fingerprint) const {
    for (const WriteLog& log : *logs_) {
      const size_t published = log.published();
      for (size_t n = 0; n < published; ++n) {
        for (const Op& op : log.write(n)) {
          if (op.id == id && op.put && fingerprint(op) == shown) return true;
        }
      }
    }
    return false;
  }

  DB* const db_;
  const std::array<WriteLog, kWriters>* const logs_;
  std::mt19937_64 rng_;
  // Per writer: the earliest prefix the last snapshots can have been.
  std::array<size_t, kWriters> floor_{};
};

class Writer {
 public:
  Writer(DB* db, int index, WriteLog* log)
      : db_(db), index_(index), log_(log), rng_(100 + index) {}

  void Run(std::atomic<bool>* failed) {
    for (size_t n = 1; n <= kWritesPerWriter && !failed->load(); ++n) {
      const Write write = MakeWrite(n);
      log_->Append(write);
      const AssertionResult result = Apply(write);
      if (!result) {
        ADD_FAILURE() << "writer " << index_ << ", write " << n << ": "
                      << result.message();
        failed->store(true);
      }
    }
  }

  // Per own id, by offset: the last put, or nullopt if absent.
  const std::vector<std::optional<Op>>& model() const { return model_; }

 private:
  // Single puts (new ids and replacements), deletes and batches of both,
  // some touching one id twice, some shared ids; each write's payloads name
  // it.
  Write MakeWrite(size_t n) {
    const std::string payload =
        "writer " + std::to_string(index_) + " write " + std::to_string(n);
    const int kind = rng_() % 10;
    const int ops = kind < 6 ? 1 : 2 + rng_() % 5;
    Write write;
    for (int i = 0; i < ops; ++i) {
      const bool put = kind < 6 ? kind < 4 : rng_() % 10 < 7;
      Op op;
      op.id = put ? RandomId() : LiveIdOrAny();
      if (rng_() % 8 == 0) op.id = FirstId(kShared) + rng_() % kSharedIds;
      if (i > 0 && rng_() % 4 == 0) op.id = write[0].id;
      op.put = put;
      if (put) {
        op.address = rng_() % 3 == 0 ? kHotAddress
                                     : Address(rng_() % (1u << kAddressBits));
        op.code = RandomCode(&rng_, kCodeBytes);
        op.payload = payload;
      }
      write.push_back(std::move(op));
    }
    return write;
  }

  uint64_t RandomId() { return FirstId(index_) + rng_() % kIdsPerWriter; }

  // Usually a stored id, so most deletes remove something.
  uint64_t LiveIdOrAny() {
    std::vector<uint64_t> live;
    for (uint64_t i = 0; i < kIdsPerWriter; ++i) {
      if (model_[i]) live.push_back(FirstId(index_) + i);
    }
    if (live.empty() || rng_() % 5 == 0) return RandomId();
    return live[rng_() % live.size()];
  }

  AssertionResult Apply(const Write& write) {
    Status s;
    if (write.size() == 1 && write[0].put) {
      s = db_->Put(WriteOptions(), write[0].id, write[0].address, write[0].code,
                   write[0].payload);
    } else if (write.size() == 1) {
      s = db_->Delete(WriteOptions(), write[0].id);
    } else {
      WriteBatch batch;
      for (const Op& op : write) {
        if (op.put) {
          batch.Put(op.id, op.address, op.code, op.payload);
        } else {
          batch.Delete(op.id);
        }
      }
      s = db_->Write(WriteOptions(), batch);
    }
    if (!s.ok()) return AssertionFailure() << s.ToString();
    const Op* last = nullptr;
    for (const Op& op : write) {
      if (OwnerOf(op.id) != index_) continue;
      model_[op.id - FirstId(index_)] =
          op.put ? std::optional(op) : std::nullopt;
      last = &op;
    }
    if (last == nullptr) return AssertionSuccess();
    // A write is visible to its writer as soon as it returns.
    const uint64_t id = last->id;
    const std::optional<Op>& expected = model_[id - FirstId(index_)];
    Record record;
    s = db_->Get(id, &record);
    if (expected && !s.ok()) {
      return AssertionFailure() << "Get " << id << ": " << s.ToString();
    }
    if (!expected && !s.IsNotFound()) {
      return AssertionFailure() << "deleted id " << id << ": " << s.ToString();
    }
    if (expected && RecordFingerprint(record.address, record.code,
                                      record.payload) != OfRecord(*expected)) {
      return AssertionFailure() << "Get " << id << " after its own put";
    }
    return AssertionSuccess();
  }

  DB* const db_;
  const int index_;
  WriteLog* const log_;
  std::mt19937_64 rng_;
  std::vector<std::optional<Op>> model_{kIdsPerWriter};
};

// What each id must hold once every writer is done: its owner's model; for
// a shared id, the last operation of one of the writers on it (nullopt:
// absent), or absent if none touched it.
std::map<uint64_t, std::vector<std::optional<Op>>> FinalStates(
    const std::array<WriteLog, kWriters>& logs,
    const std::vector<std::unique_ptr<Writer>>& writers) {
  std::map<uint64_t, std::vector<std::optional<Op>>> finals;
  for (int w = 0; w < kWriters; ++w) {
    for (uint64_t i = 0; i < kIdsPerWriter; ++i) {
      finals[FirstId(w) + i] = {writers[w]->model()[i]};
    }
  }
  for (uint64_t i = 0; i < kSharedIds; ++i) {
    auto& allowed = finals[FirstId(kShared) + i];
    for (const WriteLog& log : logs) {
      std::optional<std::optional<Op>> last;
      for (size_t n = 0; n < log.published(); ++n) {
        for (const Op& op : log.write(n)) {
          if (op.id != FirstId(kShared) + i) continue;
          last = op.put ? std::optional(op) : std::nullopt;
        }
      }
      if (last) allowed.push_back(*last);
    }
    if (allowed.empty()) allowed.push_back(std::nullopt);
  }
  return finals;
}

// Every id reads back as one of its allowed final states, and the full
// iteration, SearchExact and a full-ball Search show exactly those reads.
void ExpectFinalState(
    DB* db, const std::map<uint64_t, std::vector<std::optional<Op>>>& finals) {
  std::mt19937_64 rng(7);
  const std::vector<uint8_t> query = RandomCode(&rng, kCodeBytes);
  std::map<uint64_t, std::string> expected_records;
  std::vector<Neighbor> expected_neighbors;
  for (const auto& [id, allowed] : finals) {
    Record record;
    const Status s = db->Get(id, &record);
    ASSERT_TRUE(s.ok() || s.IsNotFound())
        << "id " << id << ": " << s.ToString();
    std::optional<std::string> got;
    if (s.ok()) {
      got = RecordFingerprint(record.address, record.code, record.payload);
      expected_records[id] = *got;
      expected_neighbors.push_back({id, HammingDistance(query, record.code)});
    }
    EXPECT_TRUE(std::any_of(allowed.begin(), allowed.end(),
                            [&](const std::optional<Op>& op) {
                              return (op ? OfRecord(*op) : std::nullopt) == got;
                            }))
        << "id " << id << (got ? " holds a version" : " is absent")
        << " that no writer left";
  }
  std::sort(expected_neighbors.begin(), expected_neighbors.end(),
            [](const Neighbor& a, const Neighbor& b) {
              return a.distance != b.distance ? a.distance < b.distance
                                              : a.id < b.id;
            });
  ASSERT_FALSE(expected_neighbors.empty());

  std::map<uint64_t, std::string> records;
  const std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    records[it->id()] =
        RecordFingerprint(it->address(), it->code(), it->payload());
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(records, expected_records);

  SearchResult exact;
  ASSERT_TRUE(db->SearchExact(query, kAllIds, &exact).ok());
  EXPECT_EQ(exact.neighbors, expected_neighbors);

  SearchOptions full_ball;
  full_ball.max_radius = kAddressBits;
  full_ball.min_candidates = kAllIds + 1;
  SearchResult probed;
  ASSERT_TRUE(db->Search(full_ball, kHotAddress, query, kAllIds, &probed).ok());
  EXPECT_EQ(probed.neighbors, expected_neighbors);
}

TEST(Concurrency, ReadersSeeConsistentSnapshotsWhileWritersWrite) {
  TempDir dir;
  const std::unique_ptr<DB> db =
      OpenOrDie(dir.Sub("db"), CreateOptions(kAddressBits, kCodeBits));
  ASSERT_NE(db, nullptr);
  std::array<WriteLog, kWriters> logs;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(db.get(), w, &logs[w]));
  }
  std::atomic<bool> failed{false};
  std::atomic<bool> writers_done{false};
  // Readers, writers and the compactor start together.
  std::latch start(kReaders + kWriters + 1);
  std::vector<std::thread> reader_threads;
  for (int r = 0; r < kReaders; ++r) {
    reader_threads.emplace_back([&, r] {
      Reader reader(db.get(), &logs, 1000 + r);
      start.arrive_and_wait();
      reader.Run(r, writers_done, &failed);
    });
  }
  std::vector<std::thread> writer_threads;
  for (auto& writer : writers) {
    writer_threads.emplace_back([&, w = writer.get()] {
      start.arrive_and_wait();
      w->Run(&failed);
    });
  }
  int compactions = 0;
  uint64_t repacked = 0;
  std::thread compactor([&] {
    start.arrive_and_wait();
    while (!writers_done.load()) {
      CompactReport report;
      const Status s = db->Compact({}, &report);
      if (!s.ok()) {
        ADD_FAILURE() << "Compact: " << s.ToString();
        failed.store(true);
        return;
      }
      ++compactions;
      repacked += report.changes_merged;
    }
  });
  for (auto& t : writer_threads) t.join();
  writers_done.store(true);
  for (auto& t : reader_threads) t.join();
  compactor.join();
  ASSERT_FALSE(failed.load());
  EXPECT_GT(compactions, 1);
  std::cout << compactions << " compactions merged " << repacked
            << " posting lists during the writes\n";
  VerifyReport verified;
  const Status s = db->Verify(VerifyOptions(), &verified);
  EXPECT_TRUE(s.ok()) << s.ToString();

  // The hot address took more appends than one posting chunk holds.
  size_t hot_puts = 0;
  for (const WriteLog& log : logs) {
    ASSERT_EQ(log.published(), kWritesPerWriter);
    for (size_t n = 0; n < kWritesPerWriter; ++n) {
      for (const Op& op : log.write(n)) {
        hot_puts += op.put && op.address == kHotAddress;
      }
    }
  }
  EXPECT_GT(hot_puts, db->info().posting_chunk_capacity);

  ExpectFinalState(db.get(), FinalStates(logs, writers));
}

}  // namespace
}  // namespace semhash

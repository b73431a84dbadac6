// The check after each kill (kill_check.h).
#include "tools/crash_test/kill_check.h"

#include <memory>
#include <set>
#include <vector>

#include "semhash/db.h"
#include "tools/crash_test/operation_log.h"

namespace semhash::crash {
namespace {

// Every id the log names: each must be stored or answer NotFound.
std::vector<uint64_t> IdsNamed(const ExpectedState& acked,
                               const std::optional<Operation>& in_flight) {
  std::set<uint64_t> ids;
  for (const auto& [id, image] : acked.images()) ids.insert(id);
  if (in_flight) {
    for (const Change& change : in_flight->changes) ids.insert(change.id);
  }
  return {ids.begin(), ids.end()};
}

Status VerifyDatabase(DB* db) {
  VerifyReport report;
  const Status s = db->Verify(VerifyOptions(), &report);
  if (!s.ok()) return s.WithContext("Verify");
  if (report.problem_count != 0) {
    return Status::Corruption("Verify returned OK with " +
                              std::to_string(report.problem_count) +
                              " problems: " + report.problems.front());
  }
  return Status::OK();
}

// Opens, verifies and reads the database; *db_state is what it holds.
Status ReadDatabase(const std::string& db_path, const ExpectedState& acked,
                    KillCheckResult* result, ExpectedState* db_state) {
  std::unique_ptr<DB> db;
  Status s = DB::Open(Options(), db_path, &db);
  if (s.IsNotFound() && acked.size() == 0) return Status::OK();
  if (!s.ok()) return s.WithContext("reopening " + db_path);
  result->database_exists = true;
  s = VerifyDatabase(db.get());
  if (!s.ok()) return s;
  result->verified = true;
  return ObserveDatabase(db.get(), IdsNamed(acked, result->in_flight), db_state,
                         &result->observed);
}

}  // namespace

Status CheckAfterKill(const std::string& db_path, const std::string& log_path,
                      KillCheckResult* result) {
  *result = KillCheckResult();
  LogContents log;
  Status s = ReadLog(log_path, &log);
  if (!s.ok()) return s;
  result->in_flight = log.in_flight;
  result->torn_tail = log.torn_tail;
  ExpectedState acked;
  for (const Operation& op : log.acked) {
    acked.Apply(op);
    if (op.kind != OperationKind::kSnapshot) ++result->acked[op.kind];
    result->acked_without_sync += !op.sync;
  }
  ExpectedState db_state, resolved;
  s = ReadDatabase(db_path, acked, result, &db_state);
  if (s.ok()) {
    s = CheckRecovered(acked, log.in_flight, db_state, &result->outcome,
                       &resolved);
  }
  if (!s.ok()) return s;
  std::vector<Operation> snapshot;
  if (log.last_seq > 0) snapshot.push_back(resolved.ToSnapshot(log.last_seq));
  return RewriteLog(log_path, snapshot);
}

}  // namespace semhash::crash

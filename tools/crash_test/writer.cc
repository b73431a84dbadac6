// The crash tester's writer process (writer.h).
#include "tools/crash_test/writer.h"

#include <memory>

#include "semhash/db.h"
#include "tools/crash_test/operation_log.h"
#include "tools/crash_test/workload.h"

namespace semhash::crash {
namespace {

// Half of the bulk loads sort within this budget and so spill sorted runs
// to files in the database directory, which a kill then leaves behind.
constexpr size_t kSmallBulkMemory = size_t{64} << 10;
constexpr size_t kLargeBulkMemory = size_t{64} << 20;

Status RunBulkLoad(DB* db, const PlannedOperation& plan) {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;
  for (const Change& step : plan.steps) {
    ids.push_back(step.id);
    addresses.push_back(step.image->address);
    codes.insert(codes.end(), step.image->code.begin(), step.image->code.end());
  }
  BulkLoadOptions options;
  options.memory_bytes =
      plan.op.seq % 2 == 0 ? kSmallBulkMemory : kLargeBulkMemory;
  std::unique_ptr<BulkLoader> loader;
  Status s = db->NewBulkLoader(options, &loader);
  if (s.ok())
    s = loader->Add(ids.size(), ids.data(), addresses.data(), codes.data());
  if (s.ok()) s = loader->Finish();
  return s;
}

Status Execute(DB* db, const PlannedOperation& plan) {
  WriteOptions write;
  write.sync = plan.op.sync;
  switch (plan.op.kind) {
    case OperationKind::kPut:
    case OperationKind::kReplace: {
      const Change& step = plan.steps[0];
      return db->Put(write, step.id, step.image->address, step.image->code);
    }
    case OperationKind::kDelete:
      return db->Delete(write, plan.steps[0].id);
    case OperationKind::kBatch: {
      WriteBatch batch;
      for (const Change& step : plan.steps) {
        if (step.image) {
          batch.Put(step.id, step.image->address, step.image->code);
        } else {
          batch.Delete(step.id);
        }
      }
      return db->Write(write, batch);
    }
    case OperationKind::kBulkLoad:
      return RunBulkLoad(db, plan);
    case OperationKind::kCompact: {
      CompactReport report;
      return db->Compact(ProgressCallback(), &report);
    }
    case OperationKind::kSnapshot:
      break;
  }
  return Status::InvalidArgument("the writer does not perform snapshots");
}

// The state the log says the database holds.
Status ReplayLog(const std::string& path, ExpectedState* state,
                 uint64_t* last_seq) {
  LogContents log;
  const Status s = ReadLog(path, &log);
  if (!s.ok()) return s;
  if (log.in_flight || log.torn_tail) {
    return Status::InvalidArgument(
        path +
        " ends with an operation in flight; run the driver's check, "
        "which rewrites the log, before resuming");
  }
  for (const Operation& op : log.acked) state->Apply(op);
  *last_seq = log.last_seq;
  return Status::OK();
}

}  // namespace

Status RunWriter(const WriterOptions& options) {
  ExpectedState state;
  uint64_t seq = 0;
  Status s = ReplayLog(options.log_path, &state, &seq);
  if (!s.ok()) return s;
  Options db_options;
  // A log with images and no database means the database was lost.
  db_options.create_if_missing = state.size() == 0;
  db_options.address_bits = kAddressBits;
  db_options.code_bits = kCodeBits;
  std::unique_ptr<DB> db;
  s = DB::Open(db_options, options.db_path, &db);
  if (!s.ok()) return s.WithContext(options.db_path);
  std::unique_ptr<OperationLogWriter> log;
  s = OperationLogWriter::Open(options.log_path, &log);
  if (!s.ok()) return s;

  WorkloadOptions workload_options;
  workload_options.address_bits = kAddressBits;
  workload_options.code_bits = kCodeBits;
  Workload workload(workload_options, options.seed);
  while (true) {
    const PlannedOperation plan = workload.Next(state, ++seq);
    s = log->AppendIntent(plan.op);
    if (s.ok()) s = Execute(db.get(), plan);
    if (s.ok()) s = log->AppendAck(plan.op.seq);
    if (!s.ok()) {
      return s.WithContext(std::string(KindName(plan.op.kind)) + " " +
                           std::to_string(plan.op.seq));
    }
    state.Apply(plan.op);
  }
}

}  // namespace semhash::crash

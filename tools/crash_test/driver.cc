// The crash tester's driver (driver.h).
#include "tools/crash_test/driver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "tools/crash_test/kill_check.h"

namespace semhash::crash {
namespace {

using Clock = std::chrono::steady_clock;

// How often the driver looks whether the writer ended on its own.
constexpr auto kPollInterval = std::chrono::milliseconds(1);

// Starts `binary writer ...` with its stdout discarded; *pid is the child.
Status StartWriter(const DriverOptions& options, uint64_t seed, pid_t* pid) {
  std::vector<std::string> args = {options.writer_binary,
                                   "writer",
                                   "--db",
                                   DatabasePath(options.dir),
                                   "--log",
                                   LogPath(options.dir),
                                   "--seed",
                                   std::to_string(seed)};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  *pid = ::fork();
  if (*pid < 0) return Status::IOError(std::string("fork: ") + strerror(errno));
  if (*pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return Status::OK();
}

// Waits `delay`, then kills the writer. IOError if it ended before.
Status KillAfter(pid_t pid, std::chrono::milliseconds delay) {
  const auto deadline = Clock::now() + delay;
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return Status::IOError(
          "the writer ended before it was killed, " +
          (WIFEXITED(status)
               ? "exit status " + std::to_string(WEXITSTATUS(status))
               : "signal " + std::to_string(WTERMSIG(status))));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return Status::OK();
}

void Tally(const KillCheckResult& result, DriverSummary* summary) {
  for (const auto& [kind, count] : result.acked) {
    summary->acked_by_kind[kind] += count;
    summary->verified += count;
  }
  summary->verified_without_sync += result.acked_without_sync;
  if (result.in_flight) {
    ++summary->in_flight[result.in_flight->kind][result.outcome];
  }
  summary->torn_tails += result.torn_tail;
  summary->verify_runs += result.verified;
  summary->gets += result.observed.gets;
  summary->searches += result.observed.searches;
}

uint64_t Total(const std::map<OperationKind, uint64_t>& counts) {
  uint64_t total = 0;
  for (const auto& [kind, count] : counts) total += count;
  return total;
}

void PrintRound(int round, int delay_ms, const KillCheckResult& result,
                std::chrono::milliseconds check_time, std::ostream& out) {
  out << "round " << round << ": killed after " << delay_ms << " ms, "
      << Total(result.acked) << " ops acked (" << result.acked_without_sync
      << " without sync)";
  if (result.in_flight) {
    out << ", in flight " << KindName(result.in_flight->kind) << " "
        << result.in_flight->seq << " (" << result.in_flight->changes.size()
        << " ids) " << OutcomeName(result.outcome);
  }
  if (!result.database_exists) out << ", no database yet";
  out << ", " << result.observed.images << " images, " << result.observed.gets
      << " gets, " << result.observed.searches << " searches, checked in "
      << check_time.count() << " ms" << std::endl;
}

}  // namespace

std::string DatabasePath(const std::string& dir) { return dir + "/db"; }
std::string LogPath(const std::string& dir) { return dir + "/operations.log"; }

Status RunDriver(const DriverOptions& options, std::ostream& out,
                 DriverSummary* summary) {
  *summary = DriverSummary();
  if (::mkdir(options.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError(options.dir + ": " + strerror(errno));
  }
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<int> delays(options.min_ms, options.max_ms);
  for (int round = 1; round <= options.kills; ++round) {
    const int delay_ms = delays(rng);
    pid_t pid;
    Status s = StartWriter(options, rng(), &pid);
    if (s.ok()) s = KillAfter(pid, std::chrono::milliseconds(delay_ms));
    if (!s.ok()) {
      ++summary->failures;
      return s.WithContext("round " + std::to_string(round));
    }
    ++summary->kills;
    const auto start = Clock::now();
    KillCheckResult result;
    s = CheckAfterKill(DatabasePath(options.dir), LogPath(options.dir),
                       &result);
    summary->acked += Total(result.acked);
    if (!s.ok()) {
      ++summary->failures;
      return s.WithContext("round " + std::to_string(round));
    }
    Tally(result, summary);
    PrintRound(round, delay_ms, result,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   Clock::now() - start),
               out);
  }
  return Status::OK();
}

void PrintSummary(const DriverSummary& summary, std::ostream& out) {
  out << "kills: " << summary.kills << "\n"
      << "operations acknowledged: " << summary.acked << " (";
  const char* separator = "";
  for (const auto& [kind, count] : summary.acked_by_kind) {
    out << separator << KindName(kind) << " " << count;
    separator = ", ";
  }
  out << ")\n"
      << "operations verified after a kill: " << summary.verified << " ("
      << summary.verified_without_sync << " written without sync)\n"
      << "in flight at the kill:";
  std::map<InFlightOutcome, uint64_t> totals;
  for (const auto& [kind, outcomes] : summary.in_flight) {
    out << "\n  " << KindName(kind) << ":";
    for (const auto& [outcome, count] : outcomes) {
      out << " " << count << " " << OutcomeName(outcome);
      totals[outcome] += count;
    }
  }
  out << "\n  all:";
  uint64_t in_flight = 0;
  for (const auto& [outcome, count] : totals) {
    out << " " << count << " " << OutcomeName(outcome);
    in_flight += count;
  }
  out << "; nothing in flight at " << summary.kills - in_flight << " kills\n"
      << "torn log tails: " << summary.torn_tails << "\n"
      << "verify runs: " << summary.verify_runs << ", gets: " << summary.gets
      << ", radius-0 searches: " << summary.searches << "\n"
      << "failures: " << summary.failures << std::endl;
}

}  // namespace semhash::crash

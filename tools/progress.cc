// Progress drawing: "\r" returns to the start of the line and "\x1b[K"
// erases what a longer previous line left after the new one. The 100 ms
// pacing is claimed by compare-and-swap, so of several threads updating at
// once only one draws, and none waits for another.
#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

#include "tools/human_units.h"

namespace semhash::cli {
namespace {

constexpr int kBarWidth = 24;
constexpr int64_t kRedrawMs = 100;

std::string Rate(uint64_t done, double elapsed_seconds) {
  return FormatRate(elapsed_seconds > 0 ? double(done) / elapsed_seconds
                                        : -1.0);
}

// "15k/60k 25%", or "15k" when the total is unknown.
std::string Counts(uint64_t done, uint64_t total) {
  if (total == 0) return FormatCount(done);
  const uint64_t percent = done >= total ? 100 : done * 100 / total;
  return FormatCount(done) + "/" + FormatCount(total) + " " +
         std::to_string(percent) + "%";
}

}  // namespace

std::string FormatProgressLine(const std::string& label, uint64_t done,
                               uint64_t total, double elapsed_seconds) {
  const std::string rate = Rate(done, elapsed_seconds);
  if (total == 0) {
    return label + " " + Counts(done, total) + " " + rate + " " +
           FormatDuration(elapsed_seconds);
  }
  const uint64_t filled = done >= total ? kBarWidth : done * kBarWidth / total;
  const std::string bar =
      std::string(filled, '#') + std::string(kBarWidth - filled, '.');
  const double left = done == 0 || elapsed_seconds <= 0
                          ? -1.0
                          : double(total > done ? total - done : 0) *
                                elapsed_seconds / double(done);
  return label + " [" + bar + "] " + Counts(done, total) + " " + rate +
         " ETA " + FormatDuration(left);
}

std::string FormatFinishLine(const std::string& label, uint64_t done,
                             uint64_t total, double elapsed_seconds) {
  return label + " " + Counts(done, total) + " " + Rate(done, elapsed_seconds) +
         " done in " + FormatDuration(elapsed_seconds);
}

ProgressBar::ProgressBar(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  std::lock_guard<std::mutex> lock(draw_mutex_);
  if (drawn_ && !finished_) std::fputc('\n', stderr);
}

bool ProgressBar::ShouldShow(bool quiet) {
  return !quiet && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO);
}

double ProgressBar::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

void ProgressBar::Update(uint64_t done) {
  uint64_t recorded = done_.load(std::memory_order_relaxed);
  while (recorded < done && !done_.compare_exchange_weak(recorded, done)) {
  }
  if (!enabled_) return;
  const double elapsed = ElapsedSeconds();
  const auto now_ms = static_cast<int64_t>(elapsed * 1000);
  int64_t due = next_draw_ms_.load(std::memory_order_relaxed);
  if (now_ms < due ||
      !next_draw_ms_.compare_exchange_strong(due, now_ms + kRedrawMs)) {
    return;
  }
  Draw(FormatProgressLine(label_, done_.load(), total_, elapsed), false);
}

void ProgressBar::Update(uint64_t done, const std::string& detail) {
  {
    std::lock_guard<std::mutex> lock(draw_mutex_);
    detail_ = detail;
  }
  Update(done);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  Draw(FormatFinishLine(label_, done_.load(), total_, ElapsedSeconds()), true);
}

void ProgressBar::Draw(const std::string& line, bool final) {
  std::lock_guard<std::mutex> lock(draw_mutex_);
  if (finished_) return;
  const std::string shown = detail_.empty() ? line : line + "  " + detail_;
  std::fprintf(stderr, "\r%s\x1b[K%s", shown.c_str(), final ? "\n" : "");
  std::fflush(stderr);
  drawn_ = true;
  finished_ = final;
}

}  // namespace semhash::cli

// ProgressBar: a one-line progress display on stderr for the tools' long
// tasks (build, train, compact, verify): items done of the total, percentage,
// rate and time left, redrawn in place at most ten times a second, then a
// final line with the elapsed time. The line formatting is exposed as pure
// functions so it can be tested without a terminal or a clock.
//
// Thread safety: Update may be called from several threads at once; Finish
// and the destructor from one thread, after the last Update.
#ifndef SEMHASH_TOOLS_PROGRESS_H_
#define SEMHASH_TOOLS_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace semhash::cli {

class ProgressBar {
 public:
  // `total` 0 means unknown: no bar, percentage or time left is shown. A
  // bar that is not enabled prints nothing at all.
  ProgressBar(std::string label, uint64_t total, bool enabled);
  // Ends the line if one was drawn and Finish was not called, so that an
  // error message printed next starts on a line of its own.
  ~ProgressBar();

  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Records that `done` items are complete; a count below one already
  // recorded (from a slower thread) is ignored. Redraws when 100 ms have
  // passed since the last drawing.
  void Update(uint64_t done);
  // The same, and from now on shows `detail` (e.g. loss terms) after the
  // counts, on the progress lines and the final one.
  void Update(uint64_t done, const std::string& detail);
  // Prints the final line, with the elapsed time, and a newline. Later
  // calls do nothing.
  void Finish();

  // Whether to show progress at all: not when `quiet`, and not when stdout
  // or stderr is not a terminal (output piped or logged to a file).
  static bool ShouldShow(bool quiet);

 private:
  double ElapsedSeconds() const;
  void Draw(const std::string& line, bool final);

  const std::string label_;
  const uint64_t total_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> done_{0};
  std::atomic<int64_t> next_draw_ms_{0};  // Since start_.
  std::mutex draw_mutex_;
  bool drawn_ = false;     // Guarded by draw_mutex_.
  bool finished_ = false;  // Guarded by draw_mutex_.
  std::string detail_;     // Guarded by draw_mutex_.
};

// The line Update draws after `elapsed_seconds`, e.g.
//   "build [######..................] 15k/60k 25% 3.0k/s ETA 0:15"
// and, for an unknown total (0), "build 15k 3.0k/s 0:05".
std::string FormatProgressLine(const std::string& label, uint64_t done,
                               uint64_t total, double elapsed_seconds);

// The line Finish prints, e.g. "build 60k/60k 100% 3.0k/s done in 0:20", or
// "build 60k 3.0k/s done in 0:20" for an unknown total.
std::string FormatFinishLine(const std::string& label, uint64_t done,
                             uint64_t total, double elapsed_seconds);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_PROGRESS_H_

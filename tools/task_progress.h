// TaskProgress: shows the progress of a library call that reports it through
// a semhash::ProgressCallback (DB::Verify, DB::Compact) on a ProgressBar.
// The library tells the total only with its first report, so the bar is made
// then; a task that finishes before its first report shows nothing.
//
// Thread safety: the callback may be called from one thread at a time;
// Finish after the task has returned.
#ifndef SEMHASH_TOOLS_TASK_PROGRESS_H_
#define SEMHASH_TOOLS_TASK_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "semhash/maintenance.h"
#include "tools/progress.h"

namespace semhash::cli {

class TaskProgress {
 public:
  // Draws nothing unless `enabled` (see ProgressBar::ShouldShow).
  TaskProgress(std::string label, bool enabled);

  // Feeds the bar. REQUIRES: *this outlives every call of the callback.
  ProgressCallback Callback();
  // Prints the bar's final line, if it was drawn, counting the task as
  // done: the last total it reported, which may have been an estimate.
  void Finish();

 private:
  const std::string label_;
  const bool enabled_;
  std::unique_ptr<ProgressBar> bar_;
  uint64_t total_ = 0;
};

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_TASK_PROGRESS_H_

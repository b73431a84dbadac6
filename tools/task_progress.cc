// TaskProgress (see task_progress.h).
#include "tools/task_progress.h"

#include <utility>

namespace semhash::cli {

TaskProgress::TaskProgress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled) {}

ProgressCallback TaskProgress::Callback() {
  if (!enabled_) return nullptr;
  return [this](uint64_t done, uint64_t total) {
    if (bar_ == nullptr) {
      bar_ = std::make_unique<ProgressBar>(label_, total, true);
      total_ = total;
    }
    bar_->Update(done);
  };
}

void TaskProgress::Finish() {
  if (bar_ == nullptr) return;
  bar_->Update(total_);
  bar_->Finish();
}

}  // namespace semhash::cli

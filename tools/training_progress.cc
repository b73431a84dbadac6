// TrainingProgressPrinter (see training_progress.h).
#include "tools/training_progress.h"

#include <cstdio>
#include <sstream>

namespace semhash::cli {

TrainingProgressPrinter::TrainingProgressPrinter(bool quiet)
    : quiet_(quiet), show_bars_(ProgressBar::ShouldShow(quiet)) {}

std::function<void(const TrainingProgress&)>
TrainingProgressPrinter::Callback() {
  return [this](const TrainingProgress& progress) { Report(progress); };
}

void TrainingProgressPrinter::Report(const TrainingProgress& progress) {
  if (quiet_) return;
  if (!progress.epoch_done) {
    if (!show_bars_) return;
    if (bar_ == nullptr) {
      bar_ = std::make_unique<ProgressBar>(
          progress.model + " epoch " + std::to_string(progress.epoch) + "/" +
              std::to_string(progress.max_epochs),
          progress.examples_per_epoch, true);
    }
    bar_->Update(progress.examples_done, progress.losses);
    return;
  }
  if (bar_ != nullptr) bar_->Finish();
  bar_.reset();
  std::fprintf(stderr, "%s\n", FormatEpochLine(progress).c_str());
  std::fflush(stderr);
}

std::string FormatEpochLine(const TrainingProgress& progress) {
  std::ostringstream line;
  line << progress.model << " epoch " << progress.epoch << "/"
       << progress.max_epochs << ": " << progress.losses << "; held-out loss "
       << progress.holdout_loss;
  if (progress.stopping) line << ", stopping";
  return line.str();
}

}  // namespace semhash::cli

// TrainingProgressPrinter: shows a deep encoder's training (the
// TrainingProgress reports of semhash/encoder.h) on stderr. On a terminal,
// a bar per epoch: examples done, rate, time left and the loss terms so far;
// and, unless quiet, one line per finished epoch with its losses on the
// training and held-out data, so logs keep the learning curve.
//
// Thread safety: the callback is called from the training thread only.
#ifndef SEMHASH_TOOLS_TRAINING_PROGRESS_H_
#define SEMHASH_TOOLS_TRAINING_PROGRESS_H_

#include <functional>
#include <memory>
#include <string>

#include "semhash/encoder_training.h"
#include "tools/progress.h"

namespace semhash::cli {

class TrainingProgressPrinter {
 public:
  explicit TrainingProgressPrinter(bool quiet);

  // REQUIRES: *this outlives every call of the callback.
  std::function<void(const TrainingProgress&)> Callback();

 private:
  void Report(const TrainingProgress& progress);

  const bool quiet_;
  const bool show_bars_;
  std::unique_ptr<ProgressBar> bar_;
};

// The line printed when an epoch ends, e.g.
//   "ssdh epoch 3/30: loss 0.412 class 0.301 push -0.212 mean 0.0021;
//    held-out loss 0.398"
// followed by ", stopping" when training ends there.
std::string FormatEpochLine(const TrainingProgress& progress);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_TRAINING_PROGRESS_H_

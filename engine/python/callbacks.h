// A Python callable as an engine progress callback. The engine calls it
// with the GIL released; each call takes the GIL. The engine's calls
// cannot be cancelled, so the first exception the callable raises is kept,
// later calls are skipped, and Rethrow raises it once the engine call has
// returned.
//
// Thread safety: may be called from any thread (it takes the GIL);
// construct and Rethrow with the GIL held.
#ifndef SEMHASH_ENGINE_PYTHON_CALLBACKS_H_
#define SEMHASH_ENGINE_PYTHON_CALLBACKS_H_

#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "semhash/bulk_load.h"
#include "semhash/encoder_training.h"
#include "semhash/maintenance.h"

namespace semhash::python {

class PythonCallback {
 public:
  // `callable` may be None: then the engine's callbacks are empty.
  explicit PythonCallback(pybind11::object callable);

  // For DB::Verify and DB::Compact: callable(done, total).
  ProgressCallback Progress();
  // For a bulk load: callable(phase, done, total), with Add's progress
  // reported as phase "add".
  std::function<void(const BulkLoadProgress&)> BulkProgress();
  // For itq's rounds: callable(done, total).
  std::function<void(uint64_t, uint64_t)> Rounds();
  // For the deep encoders' training: callable(dict) with the fields of
  // TrainingProgress (semhash/encoder_training.h).
  std::function<void(const TrainingProgress&)> Training();
  // Reports a phase from the binding itself (a bulk load's "add").
  void Report(const char* phase, uint64_t done, uint64_t total);

  // Raises what the callable raised, if it did.
  void Rethrow();

 private:
  template <typename... Args>
  void Call(Args... args);
  // Calls callable(make()) with the GIL held; make builds the argument.
  template <typename Make>
  void CallWith(Make make);

  pybind11::object callable_;
  std::optional<pybind11::error_already_set> error_;
};

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_CALLBACKS_H_

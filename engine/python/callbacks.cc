// PythonCallback (see callbacks.h).
#include "engine/python/callbacks.h"

namespace py = pybind11;

namespace semhash::python {

PythonCallback::PythonCallback(py::object callable)
    : callable_(std::move(callable)) {}

template <typename... Args>
void PythonCallback::Call(Args... args) {
  py::gil_scoped_acquire gil;
  if (error_.has_value()) return;
  try {
    callable_(args...);
  } catch (py::error_already_set& e) {
    error_.emplace(std::move(e));
  }
}

template <typename Make>
void PythonCallback::CallWith(Make make) {
  py::gil_scoped_acquire gil;
  if (error_.has_value()) return;
  try {
    callable_(make());
  } catch (py::error_already_set& e) {
    error_.emplace(std::move(e));
  }
}

ProgressCallback PythonCallback::Progress() {
  if (callable_.is_none()) return nullptr;
  // The engine may copy the callback without the GIL: it holds this
  // object's address, never a reference count of its own.
  return [this](uint64_t done, uint64_t total) { Call(done, total); };
}

std::function<void(const BulkLoadProgress&)> PythonCallback::BulkProgress() {
  if (callable_.is_none()) return nullptr;
  return [this](const BulkLoadProgress& p) {
    Call(std::string(p.phase), p.done, p.total);
  };
}

std::function<void(uint64_t, uint64_t)> PythonCallback::Rounds() {
  if (callable_.is_none()) return nullptr;
  return [this](uint64_t done, uint64_t total) { Call(done, total); };
}

std::function<void(const TrainingProgress&)> PythonCallback::Training() {
  if (callable_.is_none()) return nullptr;
  return [this](const TrainingProgress& p) {
    CallWith([&] {
      py::dict d;
      d["model"] = p.model;
      d["epoch"] = p.epoch;
      d["max_epochs"] = p.max_epochs;
      d["examples_done"] = p.examples_done;
      d["examples_per_epoch"] = p.examples_per_epoch;
      d["losses"] = p.losses;
      d["epoch_done"] = p.epoch_done;
      d["holdout_loss"] = p.holdout_loss;
      d["stopping"] = p.stopping;
      return d;
    });
  };
}

void PythonCallback::Report(const char* phase, uint64_t done, uint64_t total) {
  if (!callable_.is_none()) Call(std::string(phase), done, total);
}

void PythonCallback::Rethrow() {
  if (!error_.has_value()) return;
  py::error_already_set error = std::move(*error_);
  error_.reset();
  error.restore();
  throw py::error_already_set();
}

}  // namespace semhash::python

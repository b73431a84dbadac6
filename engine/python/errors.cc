// The exception classes (see errors.h).
#include "engine/python/errors.h"

#include <array>

namespace py = pybind11;

namespace semhash::python {
namespace {

// Indexed by Status::Code; kOk holds semhash.Error. Set once at import and
// never changed; the module keeps the classes alive.
std::array<PyObject*, 6> exception_types{};

PyObject* NewClass(py::module_& m, const char* name, const char* doc,
                   PyObject* base) {
  const std::string qualified = std::string("semhash.") + name;
  PyObject* type =
      PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

}  // namespace

void RegisterErrors(py::module_& m) {
  using Code = Status::Code;
  PyObject* error =
      NewClass(m, "Error",
               "Base class of every semhash error; the message is the "
               "library's Status message.",
               PyExc_Exception);
  exception_types[size_t(Code::kOk)] = error;
  exception_types[size_t(Code::kNotFound)] = NewClass(
      m, "NotFound", "An id, file or database that is not there.", error);
  exception_types[size_t(Code::kCorruption)] =
      NewClass(m, "Corruption",
               "Damaged data: a checksum or invariant failed. Never folded "
               "into NotFound.",
               error);
  exception_types[size_t(Code::kNotSupported)] = NewClass(
      m, "NotSupported",
      "An operation this database or build cannot do (a write to a "
      "read-only database, a deep encoder's training without LibTorch).",
      error);
  exception_types[size_t(Code::kInvalidArgument)] = NewClass(
      m, "InvalidArgument",
      "A bad argument: wrong dtype, shape or layout of an array, a value "
      "out of range, options that conflict with the stored ones.",
      error);
  exception_types[size_t(Code::kIOError)] =
      NewClass(m, "IOError",
               "The file system failed, or the database is in use.", error);
}

void ThrowIfError(const Status& s, py::object report) {
  if (s.ok()) return;
  PyObject* type = exception_types[size_t(s.code())];
  if (!report) {
    PyErr_SetString(type, s.message().c_str());
    throw py::error_already_set();
  }
  py::object exception = py::reinterpret_borrow<py::object>(type)(s.message());
  exception.attr("report") = report;
  PyErr_SetObject(type, exception.ptr());
  throw py::error_already_set();
}

void ThrowInvalidArgument(const std::string& message) {
  ThrowIfError(Status::InvalidArgument(message));
  __builtin_unreachable();
}

}  // namespace semhash::python

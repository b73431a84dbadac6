// The arrays' checks (see arrays.h).
#include "engine/python/arrays.h"

#include <string>

#include "engine/python/errors.h"

namespace py = pybind11;

namespace semhash::python {
namespace {

// `obj` as an ndarray: itself, or numpy.asarray(obj) for a list or another
// sequence.
py::array AsArray(py::handle obj, const char* name) {
  if (py::isinstance<py::array>(obj)) {
    return py::reinterpret_borrow<py::array>(obj);
  }
  try {
    return py::module_::import("numpy").attr("asarray")(obj);
  } catch (const py::error_already_set&) {
    ThrowInvalidArgument(std::string(name) + ": expected a numpy array, got " +
                         std::string(py::str(obj.get_type().attr("__name__"))));
  }
}

std::string DtypeName(const py::array& a) {
  return std::string(py::str(a.dtype()));
}

std::string Shape(const py::array& a) {
  std::string shape = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) {
    shape += std::to_string(a.shape(i));
    if (a.ndim() == 1 || i + 1 < a.ndim()) shape += ",";
    if (i + 1 < a.ndim()) shape += " ";
  }
  return shape + ")";
}

template <typename T>
bool HasDtype(const py::array& a) {
  return py::isinstance<py::array_t<T>>(a);
}

void CheckDtype(bool ok, const py::array& a, const char* name,
                const char* expected) {
  if (!ok) {
    ThrowInvalidArgument(std::string(name) + ": expected dtype " + expected +
                         ", got " + DtypeName(a));
  }
}

void CheckContiguous(const py::array& a, const char* name) {
  if (!(a.flags() & py::array::c_style)) {
    ThrowInvalidArgument(std::string(name) +
                         ": the array is not C-contiguous (a slice or a "
                         "transpose?); pass numpy.ascontiguousarray(" +
                         name + ")");
  }
}

// A 1-D array of n elements.
void CheckVector(const py::array& a, const char* name, size_t n) {
  if (a.ndim() != 1 || size_t(a.shape(0)) != n) {
    ThrowInvalidArgument(std::string(name) + ": expected shape (" +
                         std::to_string(n) + ",), got " + Shape(a));
  }
  CheckContiguous(a, name);
}

template <typename T>
ArrayView<T> View(py::array a, size_t n) {
  ArrayView<T> view;
  view.data = static_cast<const T*>(a.data());
  view.n = n;
  view.array = std::move(a);
  return view;
}

}  // namespace

ArrayView<uint8_t> CheckCodes(py::handle obj, const char* name,
                              size_t code_bytes) {
  py::array a = AsArray(obj, name);
  CheckDtype(HasDtype<uint8_t>(a), a, name, "uint8");
  if (a.ndim() != 2) {
    ThrowInvalidArgument(std::string(name) + ": expected a 2-D array (n, " +
                         std::to_string(code_bytes) + "), got shape " +
                         Shape(a));
  }
  if (size_t(a.shape(1)) != code_bytes) {
    ThrowInvalidArgument(std::string(name) + ": expected " +
                         std::to_string(code_bytes) + " bytes per row (" +
                         std::to_string(code_bytes * 8) + "-bit codes), got " +
                         std::to_string(a.shape(1)));
  }
  CheckContiguous(a, name);
  const size_t n = a.shape(0);
  return View<uint8_t>(std::move(a), n);
}

ArrayView<uint64_t> CheckIds(py::handle obj, const char* name, size_t n) {
  py::array a = AsArray(obj, name);
  const bool is_signed = HasDtype<int64_t>(a);
  CheckDtype(is_signed || HasDtype<uint64_t>(a), a, name, "uint64 or int64");
  CheckVector(a, name, n);
  ArrayView<uint64_t> view = View<uint64_t>(std::move(a), n);
  if (is_signed) {
    for (size_t i = 0; i < n; ++i) {
      if (int64_t(view.data[i]) < 0) {
        ThrowInvalidArgument(
            std::string(name) + "[" + std::to_string(i) +
            "] is negative: " + std::to_string(int64_t(view.data[i])));
      }
    }
  }
  return view;
}

ArrayView<uint32_t> CheckAddresses(py::handle obj, const char* name, size_t n) {
  py::array a = AsArray(obj, name);
  CheckDtype(HasDtype<uint32_t>(a), a, name, "uint32");
  CheckVector(a, name, n);
  return View<uint32_t>(std::move(a), n);
}

ArrayView<float> CheckVectors(py::handle obj, const char* name, size_t* dim,
                              std::vector<float>* converted) {
  py::array a = AsArray(obj, name);
  const bool is_double = HasDtype<double>(a);
  CheckDtype(is_double || HasDtype<float>(a), a, name, "float32 or float64");
  if (a.ndim() != 2) {
    ThrowInvalidArgument(std::string(name) +
                         ": expected a 2-D array (n, dim), got shape " +
                         Shape(a));
  }
  CheckContiguous(a, name);
  const size_t n = a.shape(0);
  *dim = a.shape(1);
  if (!is_double) return View<float>(std::move(a), n);
  const double* in = static_cast<const double*>(a.data());
  converted->assign(in, in + n * *dim);
  ArrayView<float> view;
  view.data = converted->data();
  view.n = n;
  return view;
}

std::vector<uint32_t> CheckLabels(py::handle obj, const char* name, size_t n) {
  py::array a = AsArray(obj, name);
  const char kind = a.dtype().kind();
  CheckDtype(kind == 'i' || kind == 'u', a, name, "of integers");
  CheckVector(a, name, n);
  py::array_t<int64_t> wide = py::array_t<int64_t>::ensure(a);
  std::vector<uint32_t> labels(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t label = wide.at(i);
    if (label < 0 || label > int64_t(UINT32_MAX)) {
      ThrowInvalidArgument(std::string(name) + "[" + std::to_string(i) +
                           "] is out of range: " + std::to_string(label));
    }
    labels[i] = uint32_t(label);
  }
  return labels;
}

size_t CheckK(int64_t k) {
  if (k < 1) {
    ThrowInvalidArgument("k must be at least 1, not " + std::to_string(k));
  }
  return size_t(k);
}

}  // namespace semhash::python

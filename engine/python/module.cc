// The _semhash extension module: pybind11 over the public API
// (engine/include/semhash/). The package semhash/ (semhash/__init__.py)
// re-exports it; see its docstrings and __init__.pyi.
#include <pybind11/pybind11.h>

#include "engine/python/bindings.h"
#include "engine/python/errors.h"
#include "semhash/codes.h"
#include "semhash/options.h"

namespace py = pybind11;

PYBIND11_MODULE(_semhash, m) {
  m.doc() = "semhash's native API: DB, Encoder and the exceptions.";
  m.attr("__version__") = SEMHASH_PYTHON_VERSION;
  semhash::python::RegisterErrors(m);
  semhash::python::BindReports(m);
  semhash::python::BindEncoder(m);
  semhash::python::BindDB(m);
#ifdef SEMHASH_HAVE_TORCH
  m.attr("built_with_torch") = true;
#else
  m.attr("built_with_torch") = false;
#endif
  m.def("advise_tables", &semhash::AdviseMultiIndexTables, py::arg("code_bits"),
        py::arg("images"),
        "MIH's rule for the number of multi-index tables (DB's tables=): "
        "substrings of about log2(images) bits.");
}

// The parts of the _semhash extension module, each adding its classes and
// functions to it (module.cc calls them in order: the exceptions first,
// then the value classes the others return).
#ifndef SEMHASH_ENGINE_PYTHON_BINDINGS_H_
#define SEMHASH_ENGINE_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace semhash::python {

// Record, DatabaseInfo, VerifyReport, CompactReport, SpaceUsage.
void BindReports(pybind11::module_& m);
// Encoder, train_encoder, load_encoder.
void BindEncoder(pybind11::module_& m);
// DB.
void BindDB(pybind11::module_& m);

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_BINDINGS_H_

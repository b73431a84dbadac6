// The Python exceptions of semhash: one class per Status code (NotFound,
// Corruption, NotSupported, InvalidArgument, IOError), each deriving from
// semhash.Error, whose message is the Status message.
//
// Thread safety: RegisterErrors runs once, at import; the Throw functions
// need the GIL.
#ifndef SEMHASH_ENGINE_PYTHON_ERRORS_H_
#define SEMHASH_ENGINE_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <string>

#include "semhash/status.h"

namespace semhash::python {

// Adds Error and its subclasses to the module.
void RegisterErrors(pybind11::module_& m);

// Raises the exception of s's code with its message; does nothing if s is
// OK. With `report`, the exception's `report` attribute is set to it.
void ThrowIfError(const Status& s,
                  pybind11::object report = pybind11::object());

// Raises semhash.InvalidArgument(message): the arguments' checks.
[[noreturn]] void ThrowInvalidArgument(const std::string& message);

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_ERRORS_H_

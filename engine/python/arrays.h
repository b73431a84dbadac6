// The arrays the module takes, checked at the boundary: dtype, shape and
// layout, each failure a semhash.InvalidArgument that names the argument
// and what is wrong with it. A checked array is used in place (no copy)
// when its layout allows; only float64 vectors and small label arrays are
// converted.
//
// Thread safety: the checks need the GIL; a checked view's data may be read
// without it while the view (which holds the array) is alive.
#ifndef SEMHASH_ENGINE_PYTHON_ARRAYS_H_
#define SEMHASH_ENGINE_PYTHON_ARRAYS_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace semhash::python {

// n elements of T (rows of `width` elements for 2-D views), read in place
// from `array`, which the view keeps alive.
template <typename T>
struct ArrayView {
  pybind11::object array;
  const T* data = nullptr;
  size_t n = 0;
};

// codes: a C-contiguous 2-D uint8 array (n, code_bytes).
ArrayView<uint8_t> CheckCodes(pybind11::handle obj, const char* name,
                              size_t code_bytes);
// ids: 1-D of n, uint64 or int64 (every id >= 0; read as uint64).
ArrayView<uint64_t> CheckIds(pybind11::handle obj, const char* name, size_t n);
// addresses: 1-D uint32 of n.
ArrayView<uint32_t> CheckAddresses(pybind11::handle obj, const char* name,
                                   size_t n);
// vectors: a C-contiguous 2-D float32 array (n, dim) read in place, or
// float64 converted into *converted. *dim is its width.
ArrayView<float> CheckVectors(pybind11::handle obj, const char* name,
                              size_t* dim, std::vector<float>* converted);
// labels: 1-D of n non-negative integers of any integer dtype, copied.
std::vector<uint32_t> CheckLabels(pybind11::handle obj, const char* name,
                                  size_t n);
// k of a k-NN search: at least 1.
size_t CheckK(int64_t k);

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_ARRAYS_H_

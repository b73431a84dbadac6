// Search results as numpy arrays, FAISS's way: k-NN results as (D, I) of
// shape (n, k), D int32 Hamming distances and I int64 ids, each row best
// first, padded with I = -1 and D = 2147483647 (int32 max) where fewer than
// k were found; radius results as (lims, D, I), query i's results at
// [lims[i], lims[i + 1]).
//
// Thread safety: construct and Take with the GIL held; Fill without it.
#ifndef SEMHASH_ENGINE_PYTHON_SEARCH_ARRAYS_H_
#define SEMHASH_ENGINE_PYTHON_SEARCH_ARRAYS_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "semhash/search.h"

namespace semhash::python {

class KnnArrays {
 public:
  // Allocates (n, k) arrays.
  KnnArrays(size_t n, size_t k);
  // Writes results[i] to row i. REQUIRES: results.size() == n.
  void Fill(const std::vector<SearchResult>& results);
  // (D, I).
  pybind11::tuple Take();

 private:
  size_t n_, k_;
  pybind11::array_t<int32_t> distances_;
  pybind11::array_t<int64_t> ids_;
  int32_t* d_;
  int64_t* i_;
};

// (lims uint64 (n + 1,), D int32, I int64).
pybind11::tuple RangeArrays(const std::vector<SearchResult>& results);

}  // namespace semhash::python

#endif  // SEMHASH_ENGINE_PYTHON_SEARCH_ARRAYS_H_

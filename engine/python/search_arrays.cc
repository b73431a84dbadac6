// KnnArrays and RangeArrays (see search_arrays.h).
#include "engine/python/search_arrays.h"

#include <algorithm>
#include <limits>

namespace py = pybind11;

namespace semhash::python {

KnnArrays::KnnArrays(size_t n, size_t k)
    : n_(n),
      k_(k),
      distances_({n, k}),
      ids_({n, k}),
      d_(distances_.mutable_data()),
      i_(ids_.mutable_data()) {}

void KnnArrays::Fill(const std::vector<SearchResult>& results) {
  for (size_t q = 0; q < n_; ++q) {
    const std::vector<Neighbor>& found = results[q].neighbors;
    const size_t m = std::min(found.size(), k_);
    int32_t* d = d_ + q * k_;
    int64_t* i = i_ + q * k_;
    for (size_t j = 0; j < m; ++j) {
      d[j] = int32_t(found[j].distance);
      i[j] = int64_t(found[j].id);
    }
    std::fill(d + m, d + k_, std::numeric_limits<int32_t>::max());
    std::fill(i + m, i + k_, int64_t{-1});
  }
}

py::tuple KnnArrays::Take() { return py::make_tuple(distances_, ids_); }

py::tuple RangeArrays(const std::vector<SearchResult>& results) {
  const size_t n = results.size();
  py::array_t<uint64_t> lims(n + 1);
  uint64_t* l = lims.mutable_data();
  l[0] = 0;
  for (size_t q = 0; q < n; ++q) l[q + 1] = l[q] + results[q].neighbors.size();
  py::array_t<int32_t> distances(l[n]);
  py::array_t<int64_t> ids(l[n]);
  int32_t* d = distances.mutable_data();
  int64_t* i = ids.mutable_data();
  {
    py::gil_scoped_release release;
    for (size_t q = 0; q < n; ++q) {
      for (const Neighbor& found : results[q].neighbors) {
        *d++ = int32_t(found.distance);
        *i++ = int64_t(found.id);
      }
    }
  }
  return py::make_tuple(lims, distances, ids);
}

}  // namespace semhash::python

// Feature vectors and labels in the formats users bring to the semhash
// command-line tool, chosen by the file name:
//   *.npy    2-D float32, float64 or uint8 array (npy_file.h).
//   *.fvecs  per vector: int32 LE dimension d, then d float32 LE.
//   *.bvecs  per vector: int32 LE dimension d, then d uint8.
//   other    3-D IDX images, raw or gzip-compressed (idx_file.h).
// Labels come from 1-D integer .npy files (uint8, int32, uint32, int64,
// uint64) or, for any other name, from 1-D IDX label files.
//
// Every value is checked: floats must be finite (and float64 must fit
// float32), labels must lie in [0, 2^31). Messages name the file, and the
// row (and column) at fault.
//
// Thread safety: no shared state; concurrent calls on distinct outputs are
// safe.
#ifndef SEMHASH_TOOLS_IO_VECTOR_FILE_H_
#define SEMHASH_TOOLS_IO_VECTOR_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash::io {

// Rows of a feature file as float32, row-major.
struct Vectors {
  size_t rows = 0;
  size_t dim = 0;
  std::vector<float> values;  // rows * dim values.
  // IDX images only: each row is an image_height x image_width picture
  // (dim = height * width); 0 for the other formats.
  size_t image_height = 0;
  size_t image_width = 0;
};

// Reads rows [first, first + count) of the feature file at `path`; count 0
// reads to the end, and a count past the end is cut short at the end. Rows
// after the slice are neither read nor checked. first == rows yields no rows;
// first > rows is an error. On failure *out is unchanged.
Status ReadVectors(const std::string& path, size_t first, size_t count,
                   Vectors* out);

// Reads every label of the file at `path`. On failure *labels is unchanged.
Status ReadLabels(const std::string& path, std::vector<int32_t>* labels);

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_VECTOR_FILE_H_

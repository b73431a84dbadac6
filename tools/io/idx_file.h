// Readers for the IDX files of MNIST and Fashion-MNIST, used by the semhash
// command-line tool to load images and labels.
//
// Layout (big-endian): two zero bytes, an element-type byte, a dimension
// count, one u32 per dimension, then the elements in row-major order. Only
// element type 0x08 (unsigned byte) is supported. Files may be gzip-compressed
// or raw: zlib reads both transparently.
//
// Thread safety: no shared state; concurrent calls on distinct outputs are
// safe.
#ifndef SEMHASH_TOOLS_IO_IDX_FILE_H_
#define SEMHASH_TOOLS_IO_IDX_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash::io {

// Images of rows x cols pixels, one byte per pixel.
struct IdxImages {
  size_t count = 0;
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols bytes, row-major.
  size_t dim() const { return rows * cols; }
};

// Reads images [first, first + limit) of the 3-D IDX file at `path`; limit 0
// reads to the end, and a limit past the end is cut short at the end. Images
// after the slice are neither decoded nor checked. first == count yields no
// images; first > count is an error. On failure *out is unchanged.
Status ReadIdxImages(const std::string& path, size_t first, size_t limit,
                     IdxImages* out);

// Reads every label of the 1-D IDX file at `path`. On failure *labels is
// unchanged.
Status ReadIdxLabels(const std::string& path, std::vector<uint8_t>* labels);

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_IDX_FILE_H_

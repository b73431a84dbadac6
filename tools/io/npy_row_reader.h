// NpyRowReader: reads a .npy array a slice of rows at a time, so that a tool
// can stream inputs larger than its memory budget (`semhash build --codes`).
//
// The header is checked as ReadNpy checks it (tools/io/npy_file.h), plus the
// dtype and rank the caller expects and that the file holds exactly the data
// its shape needs, before any row is returned.
#ifndef SEMHASH_TOOLS_IO_NPY_ROW_READER_H_
#define SEMHASH_TOOLS_IO_NPY_ROW_READER_H_

#include <cstddef>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>

#include "semhash/status.h"

namespace semhash::io {

class NpyRowReader {
 public:
  // Opens `path`. InvalidArgument naming the file unless its descr is one of
  // `descrs` (all of `item_size` bytes) and it has `rank` dimensions.
  static Status Open(const std::string& path,
                     std::initializer_list<const char*> descrs,
                     size_t item_size, size_t rank,
                     std::unique_ptr<NpyRowReader>* out);
  ~NpyRowReader();

  size_t rows() const { return rows_; }
  // Elements per row: 1 for a vector, the second dimension of a matrix.
  size_t cols() const { return cols_; }
  const std::string& descr() const { return descr_; }

  // Reads the next `n` rows into `out` (n * cols * item_size bytes).
  // InvalidArgument past the last row; IOError if the file shrank.
  Status Read(size_t n, void* out);
  // Moves to row `row`.
  Status Seek(size_t row);

 private:
  NpyRowReader() = default;

  std::string path_;
  std::string descr_;
  std::FILE* file_ = nullptr;
  size_t rows_ = 0, cols_ = 0, row_bytes_ = 0, next_row_ = 0;
  uint64_t data_offset_ = 0;
};

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_NPY_ROW_READER_H_

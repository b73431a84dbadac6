// NumPy .npy reading and writing for the semhash command-line tool: hash
// codes, ids and (later) float features exchanged with Python.
//
// Reads format versions 1.0, 2.0 and 3.0 of C-order, little-endian arrays of
// the types in NpyType; writes version 1.0. Fortran order, big-endian data,
// structured and other dtypes are refused with a message naming the file,
// what was expected and what was found. Format: numpy.lib.format (NEP 1).
// The host must be little-endian (checked at compile time).
//
// Thread safety: no shared state; concurrent calls on distinct files and
// outputs are safe.
#ifndef SEMHASH_TOOLS_IO_NPY_FILE_H_
#define SEMHASH_TOOLS_IO_NPY_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash::io {

// Element types, with their .npy descr: '|u1' (also read as '<u1'), '<u4',
// '<u8', '<i8', '<f4', '<f8'.
enum class NpyType { kUint8, kUint32, kUint64, kInt64, kFloat32, kFloat64 };

struct NpyArray {
  NpyType type = NpyType::kUint8;
  std::vector<size_t> shape;  // Empty for a 0-d array, which has 1 element.
  std::vector<uint8_t> data;  // Raw little-endian bytes, C order.
};

// Reads the whole array at `path`. On failure *out is unchanged.
Status ReadNpy(const std::string& path, NpyArray* out);

// What a .npy header says, for readers that take the data a slice at a time
// or accept dtypes beyond NpyType.
struct NpyHeader {
  std::string descr;  // As written ('<f4', '<i2'); not checked.
  std::vector<size_t> shape;
  uint64_t data_offset = 0;  // Where the data starts.
  uint64_t file_size = 0;    // The data is file_size - data_offset bytes.
};

// Reads the preamble and header of `path`, checking everything ReadNpy
// checks except the dtype and the data size; reads no data. On failure *out
// is unchanged.
Status ReadNpyHeader(const std::string& path, NpyHeader* out);

// Checks the file of `header` holds exactly the data its shape needs in
// elements of `item_size` bytes, and sets *bytes to that size. The message
// does not name the file: the caller adds it.
Status CheckNpyDataSize(const NpyHeader& header, size_t item_size,
                        uint64_t* bytes);

// Typed readers: check dtype and rank, then convert. On failure the outputs
// are unchanged.
// A 2-D uint8 array ('|u1' or '<u1').
Status ReadNpyMatrixU8(const std::string& path, size_t* rows, size_t* cols,
                       std::vector<uint8_t>* data);
// A 1-D uint32 array ('<u4').
Status ReadNpyVectorU32(const std::string& path, std::vector<uint32_t>* data);
// A 1-D uint64 array ('<u8'), or int64 ('<i8') with no negative value.
Status ReadNpyVectorU64(const std::string& path, std::vector<uint64_t>* data);

// Writes a C-order array as format 1.0, its header padded with spaces so the
// data starts at a multiple of 64 bytes, as numpy does. `data` holds
// product(shape) elements of `type` and may be null only if that is 0.
// A write that fails part-way removes the partial file.
Status WriteNpy(const std::string& path, NpyType type,
                const std::vector<size_t>& shape, const void* data);
// WriteNpy of an array whose dtype is not an NpyType (numpy byte strings,
// '|S8'): `descr` is written as given, each element `item_size` bytes.
Status WriteNpyOfDescr(const std::string& path, const std::string& descr,
                       size_t item_size, const std::vector<size_t>& shape,
                       const void* data);

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_NPY_FILE_H_

// CodeFileInput: the images of `semhash build --codes`, read a slice at a
// time from CODES.npy and the optional ADDR.npy and IDS.npy, so that inputs
// larger than memory stream into a bulk load.
//
// Open checks every file's dtype, shape and row count, and reads the
// addresses and ids once to check their values (an address wider than the
// database's, a negative int64 id, an id given twice: the file and row or id
// are in the message), so a bad input is refused before anything is written.
#ifndef SEMHASH_TOOLS_CODE_FILE_INPUT_H_
#define SEMHASH_TOOLS_CODE_FILE_INPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "semhash/codes.h"
#include "semhash/status.h"
#include "tools/io/npy_row_reader.h"

namespace semhash::cli {

// A slice of images in the layout DB calls take.
struct ImageSlice {
  std::vector<uint64_t> ids;
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;  // ids.size() * code_bytes.
  // One per id, or empty: no payloads (a bulk load stores none).
  std::vector<std::string> payloads;
};

class CodeFileInput {
 public:
  // Empty addresses_path: each address is the first address_bits bits of
  // its code. Empty ids_path: ids are row numbers. `limit` 0: every row.
  static Status Open(const std::string& codes_path,
                     const std::string& addresses_path,
                     const std::string& ids_path, uint32_t code_bits,
                     uint32_t address_bits, size_t limit,
                     std::unique_ptr<CodeFileInput>* out);

  size_t rows() const { return rows_; }
  size_t code_bytes() const { return code_bytes_; }
  // Replaces *slice with the next min(n, rows left) rows.
  Status Read(size_t n, ImageSlice* slice);

 private:
  CodeFileInput() = default;
  // The value checks of Open; leaves every reader at row 0.
  Status CheckValues();

  std::unique_ptr<io::NpyRowReader> codes_, addresses_, ids_;
  std::string addresses_path_, ids_path_;
  uint32_t address_bits_ = 0;
  size_t code_bytes_ = 0, rows_ = 0, next_ = 0;
};

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_CODE_FILE_INPUT_H_

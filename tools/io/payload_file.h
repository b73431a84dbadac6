// Payload files: the bytes an application stores with each image, one per
// row, as `semhash build --payloads` reads them and `semhash export
// --payloads` writes them. By the file name:
//   *.npy  a 1-D array of numpy byte strings ('|S<n>': each payload is its
//          n bytes with the trailing NULs removed, as numpy reads them) or
//          of unicode strings ('<U<n>', written as UTF-8);
//   other  text, one payload per line ('\n' ends a line; the last line
//          may lack it).
// Writing a payload that the format cannot hold (a '\n' in a text file, a
// trailing NUL in .npy) is refused, naming the row, so an export never
// loses a byte without saying so.
//
// Thread safety: no shared state.
#ifndef SEMHASH_TOOLS_IO_PAYLOAD_FILE_H_
#define SEMHASH_TOOLS_IO_PAYLOAD_FILE_H_

#include <string>
#include <vector>

#include "semhash/status.h"

namespace semhash::io {

// Reads every payload of `path`. On failure *payloads is unchanged and the
// message names the file.
Status ReadPayloads(const std::string& path,
                    std::vector<std::string>* payloads);

enum class PayloadFormat { kText, kNpy };
// The format a file name selects.
PayloadFormat PayloadFormatOf(const std::string& name);

// Writes `payloads` to `path` in `format`, replacing any file there; a failed
// write removes the partial file.
Status WritePayloads(const std::string& path, PayloadFormat format,
                     const std::vector<std::string>& payloads);

}  // namespace semhash::io

#endif  // SEMHASH_TOOLS_IO_PAYLOAD_FILE_H_

// ImageList: the image files a --images PATH names, and the name each is
// stored under. PATH is one of:
//   - a directory: every .png, .jpg and .jpeg file under it (recursively,
//     any case), sorted by path, each named relative to the directory;
//   - an image file: itself, named by its file name;
//   - a text file (.txt): one image path per line (blank lines skipped),
//     named as written; relative ones are relative to the list's directory.
// The name is what the database stores as the image's payload, and its id
// is a hash of it (ImageId), so building again from the same root gives
// every file the id it had.
//
// Thread safety: a value once made.
#ifndef SEMHASH_TOOLS_IMAGES_IMAGE_LIST_H_
#define SEMHASH_TOOLS_IMAGES_IMAGE_LIST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/status.h"

namespace semhash::images {

struct ImageList {
  std::string root;                // Names are relative to it.
  std::vector<std::string> names;  // As stored: relative, or absolute.

  size_t size() const { return names.size(); }
  // Where image i is on disk.
  std::string PathOf(size_t i) const;
};

// Whether `path` names images for ListImages (a directory, an image file
// or a .txt list) rather than a file of feature vectors.
bool IsImageInput(const std::string& path);

// Lists the images of `path`. InvalidArgument if a list names a file twice
// or two names hash to one id; NotFound/IOError if `path` cannot be read.
Status ListImages(const std::string& path, ImageList* out);

// The id of the image stored under `name`: the XXH3-64 hash of its bytes
// with the top bit cleared (ids fit int64, for numpy and JSON readers).
uint64_t ImageId(std::string_view name);

}  // namespace semhash::images

#endif  // SEMHASH_TOOLS_IMAGES_IMAGE_LIST_H_

// Listing the images of a --images PATH (see image_list.h).
#include "tools/images/image_list.h"

#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "tools/images/image_decode.h"

namespace semhash::images {
namespace {

namespace fs = std::filesystem;

Status ListDirectory(const std::string& dir, ImageList* out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) ||
        !HasImageExtension(it->path().filename().string())) {
      continue;
    }
    out->names.push_back(fs::relative(it->path(), dir, ec).generic_string());
  }
  if (ec) return Status::IOError(dir + ": " + ec.message());
  std::sort(out->names.begin(), out->names.end());
  return Status::OK();
}

Status ReadList(const std::string& path, ImageList* out) {
  std::ifstream in(path);
  if (!in) return Status::IOError(path + ": cannot open");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out->names.push_back(line);
  }
  if (in.bad()) return Status::IOError(path + ": read failed");
  return Status::OK();
}

// InvalidArgument if two names are equal or share an id.
Status CheckIds(const std::string& path, const ImageList& list) {
  std::unordered_map<uint64_t, size_t> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto [it, fresh] = seen.emplace(ImageId(list.names[i]), i);
    if (fresh) continue;
    const std::string& other = list.names[it->second];
    return Status::InvalidArgument(
        other == list.names[i]
            ? path + " lists " + other + " twice"
            : other + " and " + list.names[i] + " hash to the same id " +
                  std::to_string(it->first) + "; rename one");
  }
  return Status::OK();
}

}  // namespace

std::string ImageList::PathOf(size_t i) const {
  const std::string& name = names[i];
  if (root.empty() || fs::path(name).is_absolute()) return name;
  return (fs::path(root) / name).string();
}

bool IsImageInput(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) || HasImageExtension(path) ||
         path.ends_with(".txt");
}

Status ListImages(const std::string& path, ImageList* out) {
  ImageList list;
  std::error_code ec;
  const fs::path p(path);
  Status s;
  if (fs::is_directory(p, ec)) {
    list.root = path;
    s = ListDirectory(path, &list);
  } else if (!fs::exists(p, ec)) {
    s = Status::NotFound(path + ": no such file or directory");
  } else if (HasImageExtension(path)) {
    list.root = p.parent_path().string();
    list.names.push_back(p.filename().string());
  } else {
    list.root = p.parent_path().string();
    s = ReadList(path, &list);
  }
  if (s.ok()) s = CheckIds(path, list);
  if (s.ok()) *out = std::move(list);
  return s;
}

uint64_t ImageId(std::string_view name) {
  return XXH3_64bits(name.data(), name.size()) & (~uint64_t{0} >> 1);
}

}  // namespace semhash::images

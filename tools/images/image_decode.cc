// Reading an image file and choosing its decoder (see image_decode.h).
#include "tools/images/image_decode.h"

#include <cctype>
#include <fstream>
#include <iterator>

#include "tools/io/regular_file.h"

namespace semhash::images {
namespace {

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
constexpr std::string_view kJpegStart("\xff\xd8\xff", 3);

bool EndsWithNoCase(std::string_view name, std::string_view suffix) {
  if (name.size() < suffix.size()) return false;
  name.remove_prefix(name.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool HasImageExtension(std::string_view name) {
  return EndsWithNoCase(name, ".png") || EndsWithNoCase(name, ".jpg") ||
         EndsWithNoCase(name, ".jpeg");
}

Status DecodeImageFile(const std::string& path, Picture* out, int min_side) {
  Status s = io::CheckRegularFile(path);
  if (!s.ok()) return s.WithContext(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path + ": read failed");
  if (std::string_view(bytes).starts_with(kPngSignature)) {
    s = DecodePng(bytes, out);
  } else if (std::string_view(bytes).starts_with(kJpegStart)) {
    s = DecodeJpeg(bytes, out, min_side);
  } else {
    s = Status::InvalidArgument(
        bytes.empty() ? "empty file" : "neither a PNG nor a JPEG file");
  }
  return s.WithContext(path);
}

}  // namespace semhash::images

// Image files as the commands' input (`build --images`, `train --input`,
// `query --images` with a directory, an image or a .txt list; see
// images/image_list.h): the flags that choose the built-in features, the
// policy for files that do not decode, and the two ways a command consumes
// a list: as feature vectors in memory (training, queries) or encoded a
// chunk at a time (build), so that a folder larger than memory builds.
//
// Decoding runs on every core; a bad file is named with its reason, and
// stops the command unless --skip-bad, when it is reported on stderr and
// left out.
//
// Thread safety: none needed; called on the command's thread.
#ifndef SEMHASH_TOOLS_IMAGE_INPUT_H_
#define SEMHASH_TOOLS_IMAGE_INPUT_H_

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "semhash/encoder.h"
#include "semhash/status.h"
#include "tools/code_file_input.h"
#include "tools/images/image_features.h"
#include "tools/images/image_list.h"
#include "tools/io/vector_file.h"

namespace semhash::cli {

struct ImageFlags {
  std::optional<int> side;            // --image-size.
  std::optional<std::string> colour;  // --colour: "grey" or "colour".
  bool skip_bad = false;              // --skip-bad.
  // Whether a skipped file is named on stderr (once per command: a second
  // pass over the same files is silent).
  bool report_skipped = true;
  // Threads that decode and encode, 0 for one per core: the command's own
  // --threads.
  unsigned threads = 0;

  // --image-size and --colour; --skip-bad with `with_skip_bad`.
  void AddTo(boost::program_options::options_description* options,
             bool with_skip_bad);
  // Reads --image-size and --colour from `vm`.
  void Read(const boost::program_options::variables_map& vm);
  // The usage error of the flags given, or "".
  std::string UsageProblem() const;
  // The features of images for `encoder` (its input dimension; null: a new
  // encoder, the flags' shape or 32x32 colour). InvalidArgument if the
  // encoder takes no image shape or the flags ask for another one.
  Status ShapeFor(const Encoder* encoder, images::FeatureShape* shape) const;
};

// Decodes the images at `indexes` of `list` into out->values (rows in the
// order of *kept, the indexes that decoded). A file that does not decode
// fails the call naming it, unless flags.skip_bad.
Status ReadImageVectors(const images::ImageList& list,
                        const std::vector<size_t>& indexes,
                        const images::FeatureShape& shape,
                        const ImageFlags& flags, bool quiet, io::Vectors* out,
                        std::vector<size_t>* kept);

// The images an encoder trains on when a list is larger than this and no
// --sample is given: training holds its images' features in memory (64 Ki
// 32x32 colour images are 768 MiB), and a folder may be larger than memory.
inline constexpr size_t kDefaultImageTrainingSample = size_t{1} << 16;

// --sample for training on `list`: `sample` if given, else
// kDefaultImageTrainingSample when the list is larger (said on stderr),
// else unset (all of them).
std::optional<size_t> ImageTrainingSample(const images::ImageList& list,
                                          std::optional<size_t> sample);

// Every index of `list`, or `sample` of them drawn with `seed` (in list
// order) when sample is set and smaller.
std::vector<size_t> SampleIndexes(const images::ImageList& list,
                                  std::optional<size_t> sample, uint64_t seed);

// Decodes and encodes every image of `list` a chunk at a time, keeping only
// the results: *out gets each decoded image's id (images::ImageId), address,
// code and payload (its name), in list order.
Status EncodeImageList(const images::ImageList& list, const Encoder& encoder,
                       const images::FeatureShape& shape,
                       const ImageFlags& flags, bool quiet, ImageSlice* out);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_IMAGE_INPUT_H_

// Image files as input (see image_input.h).
#include "tools/image_input.h"

#include <algorithm>
#include <iostream>
#include <numeric>
#include <random>

#include "tools/human_units.h"
#include "tools/images/image_features_batch.h"
#include "tools/number_flags.h"
#include "tools/progress.h"

namespace semhash::cli {
namespace {

namespace po = boost::program_options;

// Images decoded at once: bounds memory (4096 32x32 colour images are 48
// MiB of floats) while giving every thread many files.
constexpr size_t kChunk = 4096;
// Rows per Encode call when a chunk is spread over threads.
constexpr size_t kEncodeRows = 256;
constexpr uint32_t kMaxSide = 1024;

// Keeps the decoded images of `statuses`, reporting or refusing the others.
Status SortOutBad(const std::vector<Status>& statuses, const ImageFlags& flags,
                  std::vector<size_t>* good) {
  good->clear();
  for (size_t k = 0; k < statuses.size(); ++k) {
    if (statuses[k].ok()) {
      good->push_back(k);
      continue;
    }
    if (!flags.skip_bad) {
      return statuses[k].WithContext(
          "not an image semhash reads (--skip-bad leaves such files out)");
    }
    if (flags.report_skipped) {
      std::cerr << "skipped " << statuses[k].message() << "\n";
    }
  }
  return Status::OK();
}

// Moves the rows `good` of `values` (dim floats each) to the front.
void Compact(const std::vector<size_t>& good, size_t dim,
             std::vector<float>* values) {
  for (size_t r = 0; r < good.size(); ++r) {
    if (good[r] == r) continue;
    std::copy_n(values->begin() + good[r] * dim, dim,
                values->begin() + r * dim);
  }
}

}  // namespace

void ImageFlags::AddTo(po::options_description* options, bool with_skip_bad) {
  // clang-format off
  options->add_options()
      ("image-size", WholeNumber<uint32_t>(nullptr, 1, kMaxSide), "image inputs: the built-in features are the picture resized (area averaging) to N x N pixels (default 32; an existing encoder's own)")
      ("colour", po::value<std::string>(), "image inputs: features in 'colour' (3 planes, R G B) or 'grey' (default colour)");
  // clang-format on
  if (with_skip_bad) {
    options->add_options()(
        "skip-bad", po::bool_switch(&skip_bad),
        "image inputs: leave out files that do not decode, naming each on "
        "stderr (without it a bad file refuses the whole input, writing "
        "nothing)");
  }
}

void ImageFlags::Read(const po::variables_map& vm) {
  if (vm.count("image-size")) side = int(vm["image-size"].as<uint32_t>());
  if (vm.count("colour")) colour = vm["colour"].as<std::string>();
}

std::string ImageFlags::UsageProblem() const {
  if (colour && *colour != "grey" && *colour != "colour") {
    return "--colour takes 'colour' or 'grey', not '" + *colour + "'";
  }
  return "";
}

Status ImageFlags::ShapeFor(const Encoder* encoder,
                            images::FeatureShape* shape) const {
  images::FeatureShape want;
  if (side) want.side = *side;
  if (colour) want.channels = *colour == "grey" ? 1 : 3;
  if (encoder == nullptr) {
    *shape = want;
    return Status::OK();
  }
  const std::optional<images::FeatureShape> has =
      images::ShapeOfDim(encoder->input_dim());
  if (!has) {
    return Status::InvalidArgument(
        "the encoder takes vectors of " + std::to_string(encoder->input_dim()) +
        " values, which are not the pixels of a square grey or colour image");
  }
  if ((side && *side != has->side) ||
      (colour && want.channels != has->channels)) {
    return Status::InvalidArgument(
        "the encoder takes " + has->ToString() +
        " images; --image-size/--colour ask for " +
        images::FeatureShape{side.value_or(has->side),
                             colour ? want.channels : has->channels}
            .ToString());
  }
  *shape = *has;
  return Status::OK();
}

std::optional<size_t> ImageTrainingSample(const images::ImageList& list,
                                          std::optional<size_t> sample) {
  if (sample || list.size() <= kDefaultImageTrainingSample) return sample;
  std::cerr << "training on " << kDefaultImageTrainingSample << " of "
            << list.size() << " images, drawn with the seed (--sample N "
            << "chooses how many)\n";
  return kDefaultImageTrainingSample;
}

std::vector<size_t> SampleIndexes(const images::ImageList& list,
                                  std::optional<size_t> sample, uint64_t seed) {
  std::vector<size_t> all(list.size());
  std::iota(all.begin(), all.end(), size_t{0});
  if (!sample || *sample == 0 || *sample >= all.size()) return all;
  std::mt19937_64 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(*sample);
  std::sort(all.begin(), all.end());
  return all;
}

Status ReadImageVectors(const images::ImageList& list,
                        const std::vector<size_t>& indexes,
                        const images::FeatureShape& shape,
                        const ImageFlags& flags, bool quiet, io::Vectors* out,
                        std::vector<size_t>* kept) {
  const size_t dim = shape.dim();
  std::vector<float> values(indexes.size() * dim);
  std::vector<Status> statuses;
  ProgressBar bar("decode", indexes.size(), ProgressBar::ShouldShow(quiet));
  images::DecodeFeatures(list, indexes, shape, flags.threads, values.data(),
                         &statuses);
  std::vector<size_t> good;
  Status s = SortOutBad(statuses, flags, &good);
  if (!s.ok()) return s;
  bar.Update(indexes.size());
  bar.Finish();
  Compact(good, dim, &values);
  values.resize(good.size() * dim);
  kept->clear();
  for (size_t k : good) kept->push_back(indexes[k]);
  out->rows = good.size();
  out->dim = dim;
  out->values = std::move(values);
  out->image_height = out->image_width = shape.channels == 1 ? shape.side : 0;
  return Status::OK();
}

Status EncodeImageList(const images::ImageList& list, const Encoder& encoder,
                       const images::FeatureShape& shape,
                       const ImageFlags& flags, bool quiet, ImageSlice* out) {
  const size_t dim = shape.dim(), code_bytes = encoder.code_bits() / 8;
  ProgressBar bar("encode", list.size(), ProgressBar::ShouldShow(quiet));
  std::vector<float> values(kChunk * dim);
  std::vector<Status> statuses;
  std::vector<size_t> indexes, good;
  *out = ImageSlice();
  for (size_t first = 0; first < list.size(); first += kChunk) {
    indexes.resize(std::min(kChunk, list.size() - first));
    std::iota(indexes.begin(), indexes.end(), first);
    images::DecodeFeatures(list, indexes, shape, flags.threads, values.data(),
                           &statuses);
    Status s = SortOutBad(statuses, flags, &good);
    if (!s.ok()) return s;
    Compact(good, dim, &values);
    const size_t base = out->ids.size(), n = good.size();
    out->addresses.resize(base + n);
    out->codes.resize((base + n) * code_bytes);
    std::vector<Status> encoded((n + kEncodeRows - 1) / kEncodeRows);
    images::ParallelFor(encoded.size(), flags.threads, [&](size_t b) {
      const size_t row = b * kEncodeRows;
      const size_t rows = std::min(kEncodeRows, n - row);
      encoded[b] = encoder.Encode(rows, &values[row * dim], dim,
                                  &out->addresses[base + row],
                                  &out->codes[(base + row) * code_bytes]);
    });
    for (size_t b = 0; b < encoded.size(); ++b) {
      if (!encoded[b].ok()) {
        return encoded[b].WithContext(
            list.PathOf(indexes[good[b * kEncodeRows]]));
      }
    }
    for (size_t k : good) {
      out->ids.push_back(images::ImageId(list.names[indexes[k]]));
      out->payloads.push_back(list.names[indexes[k]]);
    }
    bar.Update(first + indexes.size());
  }
  bar.Finish();
  return Status::OK();
}

}  // namespace semhash::cli

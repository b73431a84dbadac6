// `semhash build --images` of image files (see build_steps.h): the list is
// decoded and encoded a chunk at a time (image_input.h), keeping only the
// codes; against an existing database, images whose stored address and code
// are unchanged are dropped, so a re-build writes only new and changed
// files; then everything is written in batches with the names as payloads.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "tools/build_steps.h"
#include "tools/images/image_list.h"

namespace semhash::cli {
namespace {

// The encoder of a new database built from the image files of `list`: read
// from --model, or trained on the images (--sample of them, drawn with
// --seed), or the TorchScript module run on a few of them. Sets *shape.
Status NewImageEncoder(BuildArgs args, const images::ImageList& list,
                       images::FeatureShape* shape,
                       std::unique_ptr<Encoder>* encoder) {
  constexpr size_t kTorchScriptProbe = 64;
  if (!args.model.empty() && !args.encoder.torchscript()) {
    Status s = LoadModelFile(args.model, encoder);
    return s.ok() ? args.image.ShapeFor(encoder->get(), shape) : s;
  }
  Status s = args.image.ShapeFor(nullptr, shape);
  if (!s.ok()) return s;
  // The encoder's params record the sample it was trained on.
  if (!args.encoder.torchscript()) {
    args.encoder.sample = ImageTrainingSample(list, args.encoder.sample);
  }
  const std::optional<size_t> decoded =
      args.encoder.torchscript() ? std::optional<size_t>(kTorchScriptProbe)
                                 : args.encoder.sample;
  io::Vectors input;
  std::vector<size_t> kept;
  ImageFlags silent = args.image;  // The encoding pass names bad files.
  silent.report_skipped = false;
  s = ReadImageVectors(
      list,
      SampleIndexes(list, decoded,
                    args.encoder.seed.value_or(EncoderOptions().seed)),
      *shape, silent, args.quiet, &input, &kept);
  if (s.ok() && input.rows == 0) {
    s = Status::InvalidArgument(args.images + ": no image decoded to train on");
  }
  return s.ok() ? NewEncoder(args, input, encoder) : s;
}

// The stored encoder of an existing database, checked against the flags
// (and --model, compared on a few decoded images); sets *shape.
Status ExistingImageEncoder(const BuildArgs& args, const DB& db,
                            const images::ImageList& list,
                            images::FeatureShape* shape) {
  const Encoder* encoder = db.encoder();
  if (encoder == nullptr) {
    return Status::InvalidArgument(
        args.db + " holds codes brought by the user; add to it with --codes");
  }
  Status s = args.image.ShapeFor(encoder, shape);
  if (!s.ok() || args.model.empty()) {
    if (s.ok()) s = args.encoder.CheckMatches(*encoder);
    return s.ok() ? s : s.WithContext(args.db);
  }
  io::Vectors probe;
  std::vector<size_t> kept;
  ImageFlags silent = args.image;  // The encoding pass names bad files.
  silent.report_skipped = false;
  s = ReadImageVectors(list, SampleIndexes(list, 64, 0), *shape, silent,
                       args.quiet, &probe, &kept);
  return s.ok() ? CheckExistingEncoder(args, db, probe) : s;
}

// Leaves in *images only what an existing database lacks: images it does not
// hold, and images whose address or code changed (the file changed since it
// was stored). InvalidArgument if an id holds another name's image (a
// database not built from this root, or a hash collision).
Status DropUnchanged(DB* db, ImageSlice* images, size_t* unchanged,
                     size_t* changed) {
  const size_t code_bytes = db->info().code_bits / 8;
  ImageSlice kept;
  *unchanged = *changed = 0;
  for (size_t i = 0; i < images->ids.size(); ++i) {
    Record record;
    const Status s = db->Get(images->ids[i], &record);
    const CodeView code(&images->codes[i * code_bytes], code_bytes);
    if (s.ok() && record.payload != images->payloads[i]) {
      return Status::InvalidArgument(
          "id " + std::to_string(images->ids[i]) + " of " +
          images->payloads[i] + " already holds '" + record.payload +
          "': was the database built from another root?");
    }
    if (!s.ok() && !s.IsNotFound()) return s;
    if (s.ok() && record.address == images->addresses[i] &&
        std::equal(code.begin(), code.end(), record.code.begin(),
                   record.code.end())) {
      ++*unchanged;
      continue;
    }
    *changed += s.ok();
    kept.ids.push_back(images->ids[i]);
    kept.addresses.push_back(images->addresses[i]);
    kept.codes.insert(kept.codes.end(), code.begin(), code.end());
    kept.payloads.push_back(std::move(images->payloads[i]));
  }
  *images = std::move(kept);
  return Status::OK();
}

}  // namespace

Status BuildFromImageFiles(BuildArgs* args, std::unique_ptr<DB>* db,
                           size_t* added) {
  if (args->limit != 0 || args->id_offset != 0) {
    return Status::InvalidArgument(
        "--limit and --id-offset go with feature files; " + args->images +
        " names image files, whose ids come from their names");
  }
  images::ImageList list;
  Status s = images::ListImages(args->images, &list);
  if (s.ok() && list.size() == 0) {
    s = Status::InvalidArgument(args->images + ": no .png, .jpg or .jpeg file");
  }
  if (s.ok()) s = InspectExisting(*args, db);
  if (!s.ok()) return s;
  args->image.threads = args->encoder.deep.threads.value_or(0);
  images::FeatureShape shape;
  std::unique_ptr<Encoder> fresh;
  s = *db != nullptr ? ExistingImageEncoder(*args, **db, list, &shape)
                     : NewImageEncoder(*args, list, &shape, &fresh);
  const Encoder* encoder = *db != nullptr ? (*db)->encoder() : fresh.get();
  ImageSlice images;
  if (s.ok()) {
    s = EncodeImageList(list, *encoder, shape, args->image, args->quiet,
                        &images);
  }
  size_t unchanged = 0, changed = 0;
  if (s.ok() && *db != nullptr) {
    s = DropUnchanged(db->get(), &images, &unchanged, &changed);
  }
  if (!s.ok()) return s;
  const size_t skipped = list.size() - images.ids.size() - unchanged;
  args->image_report =
      shape.ToString() +
      " images: " + std::to_string(images.ids.size() - changed) + " new, " +
      std::to_string(changed) + " changed, " + std::to_string(unchanged) +
      " unchanged, " + std::to_string(skipped) + " skipped\n";
  *added = images.ids.size();
  if (*added == 0) return Status::OK();  // Nothing to write.
  const size_t code_bytes = encoder->code_bits() / 8;
  s = OpenForWriting(args, std::move(fresh), *added, db);
  if (!s.ok()) return s;
  bool read = false;
  return StoreImages(db->get(), *args, *added, code_bytes, true,
                     [&](size_t, ImageSlice* slice) {
                       *slice = read ? ImageSlice() : std::move(images);
                       read = true;
                       return Status::OK();
                     });
}

}  // namespace semhash::cli

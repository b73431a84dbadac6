// The steps of `semhash build` that its input kinds share: the flags as
// read (BuildArgs), checking inputs against a read-only view of the
// database, opening it for writing (or staging a new one), storing the
// images, and the encoder of a new database or the checks of an existing
// one's. build_command.cc builds from feature vectors and codes;
// image_build.cc from image files.
//
// Thread safety: none needed; called on the command's thread.
#ifndef SEMHASH_TOOLS_BUILD_STEPS_H_
#define SEMHASH_TOOLS_BUILD_STEPS_H_

#include <functional>
#include <memory>
#include <string>

#include "semhash/db.h"
#include "semhash/encoder.h"
#include "tools/cli.h"
#include "tools/code_file_input.h"
#include "tools/image_input.h"

namespace semhash::cli {

struct BuildArgs {
  std::string db, images, codes, addresses, ids, model, payloads;
  std::string tables;  // --tables: empty, "auto" or a count.
  size_t memory = BulkLoadOptions().memory_bytes;
  size_t limit = 0;
  uint64_t id_offset = 0;
  bool quiet = false;
  EncoderFlags encoder;
  ImageFlags image;
  // Image files: what the build did with them, printed after its summary.
  std::string image_report;
  // Whether this build creates the database: staged, it appears at args.db
  // when published at the end.
  bool created = false;
};

// The database at args.db opened read-only, so that checking the inputs
// against it changes no file; null (and OK) if there is none yet.
Status InspectExisting(const BuildArgs& args, std::unique_ptr<DB>* db);

// Replaces the read-only handle, once every input has been checked, with a
// writable one, or a new database made with `new_encoder`.
Status OpenForWriting(BuildArgs* args,
                      std::shared_ptr<const Encoder> new_encoder, size_t rows,
                      std::unique_ptr<DB>* db);

// Fills *slice with the next (at most n) images; empty at the end.
using SliceReader = std::function<Status(size_t n, ImageSlice* slice)>;

// Stores `rows` images read through `read`: one bulk load for a new
// database or a large input, batched writes otherwise and whenever the
// slices carry `payloads` (a bulk load stores none).
Status StoreImages(DB* db, const BuildArgs& args, size_t rows,
                   size_t code_bytes, bool payloads, const SliceReader& read);

// The encoder of a new database: read from --model, or trained on `input`
// (with --encoder torchscript: made of the module --model names).
Status NewEncoder(const BuildArgs& args, const io::Vectors& input,
                  std::unique_ptr<Encoder>* encoder);

// What an existing database's encoder must agree with: the flags, the
// input's dimension and --model (compared on `input`).
Status CheckExistingEncoder(const BuildArgs& args, const DB& db,
                            const io::Vectors& input);

// --images naming image files (image_build.cc): each is decoded, resized
// and encoded, and stored under the id of its name with the name as its
// payload; *added counts those written (new or changed).
Status BuildFromImageFiles(BuildArgs* args, std::unique_ptr<DB>* db,
                           size_t* added);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_BUILD_STEPS_H_

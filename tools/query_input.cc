// The query flags of `query` and `eval` (see query_input.h).
#include "tools/query_input.h"

#include <algorithm>

#include "semhash/encoder.h"
#include "tools/image_input.h"
#include "tools/number_flags.h"

namespace semhash::cli {

namespace po = boost::program_options;

void QueryInput::AddTo(po::options_description* options) {
  // clang-format off
  options->add_options()
      ("images", po::value(&images), "query images: image files (a directory, a .png/.jpg/.jpeg file or a .txt list of paths) or features (IDX images, .npy, .fvecs, .bvecs), encoded by the database's encoder")
      ("codes", po::value(&codes), "instead of --images: 2-D uint8 .npy of packed query codes")
      ("addresses", po::value(&addresses), "with --codes: 1-D uint32 .npy of the queries' addresses (default each code's first address-bits bits, which only a database of external codes uses)")
      ("first", WholeNumber(&first, size_t{0}), "first query row (default 0)")
      ("count", WholeNumber(&count, size_t{1}), "number of queries (default to the end)");
  // clang-format on
}

std::string QueryInput::UsageProblem() const {
  if (images.empty() == codes.empty()) {
    return "give exactly one of --images and --codes";
  }
  if (!addresses.empty() && codes.empty()) {
    return "--addresses goes with --codes";
  }
  return "";
}

namespace {

// The images of an image-file --images rows [first, first + count), decoded
// into features for `encoder`; *queries lists those that were read.
Status ReadImageQueries(const QueryInput& input, const Encoder& encoder,
                        size_t* n, size_t* dim, std::vector<float>* vectors,
                        images::ImageList* queries) {
  images::ImageList list;
  Status s = images::ListImages(input.images, &list);
  if (s.ok() && input.first > list.size()) {
    s = Status::InvalidArgument(
        input.images + " names " + std::to_string(list.size()) +
        " images; --first is " + std::to_string(input.first));
  }
  images::FeatureShape shape;
  if (s.ok()) s = ImageFlags().ShapeFor(&encoder, &shape);
  if (!s.ok()) return s;
  const size_t end = input.count == 0
                         ? list.size()
                         : std::min(list.size(), input.first + input.count);
  std::vector<size_t> indexes;
  for (size_t i = input.first; i < end; ++i) indexes.push_back(i);
  ImageFlags flags;
  flags.threads = input.threads;
  io::Vectors decoded;
  std::vector<size_t> kept;
  s = ReadImageVectors(list, indexes, shape, flags, /*quiet=*/true, &decoded,
                       &kept);
  if (!s.ok()) return s;
  *n = decoded.rows;
  *dim = decoded.dim;
  *vectors = std::move(decoded.values);
  if (queries != nullptr) {
    queries->root = list.root;
    queries->names.clear();
    for (size_t i : kept) queries->names.push_back(list.names[i]);
  }
  return Status::OK();
}

}  // namespace

Status QueryInput::Read(const DB& db, bool probes_addresses, CodeRows* rows,
                        std::vector<float>* vectors, size_t* dim,
                        images::ImageList* queries) const {
  if (queries != nullptr) *queries = images::ImageList();
  const Encoder* encoder = db.encoder();
  const DatabaseInfo& info = db.info();
  vectors->clear();
  *dim = 0;
  if (!codes.empty()) {
    if (probes_addresses && addresses.empty() && encoder != nullptr) {
      return Status::InvalidArgument(
          "the addresses of " + info.encoder_kind +
          " codes come from the encoder, not from the codes' first bits: "
          "give the queries' addresses with --addresses (or search with "
          "--exact)");
    }
    return ReadCodeRows(codes, addresses, info.code_bits, info.address_bits,
                        first, count, rows);
  }
  if (encoder == nullptr) {
    return Status::InvalidArgument(
        "the database holds codes brought by the user and has no encoder; "
        "query it with --codes");
  }
  size_t n = 0;
  Status s = images::IsImageInput(images)
                 ? ReadImageQueries(*this, *encoder, &n, dim, vectors, queries)
                 : ReadFeatureVectors(images, first, count, &n, dim, vectors);
  if (!s.ok()) return s;
  if (*dim != encoder->input_dim()) {
    return Status::InvalidArgument(images + ": vectors of " +
                                   std::to_string(*dim) +
                                   " values; the database's encoder takes " +
                                   std::to_string(encoder->input_dim()));
  }
  rows->file_rows = n;
  rows->rows = n;
  rows->code_bytes = encoder->code_bits() / 8;
  rows->addresses.resize(n);
  rows->codes.resize(n * rows->code_bytes);
  return encoder->Encode(n, vectors->data(), *dim, rows->addresses.data(),
                         rows->codes.data());
}

void AddProbeFlags(SearchOptions* search, po::options_description* options) {
  // clang-format off
  options->add_options()
      ("target-recall", RealNumber(&search->target_recall, {0, 1, true}), "recall@k wanted against the exact answer: the database's calibration picks the cheapest search that reaches it, 1 for the exact answer (default 0.95)")
      ("max-radius", WholeNumber<uint32_t>(nullptr, 0u, kMaxAddressBits), "expert: largest Hamming radius probed around the query's address (default 3); any expert flag replaces the plan by the probe it describes")
      ("min-candidates", WholeNumber<size_t>(nullptr, size_t{0}), "expert: stop probing once this many candidates are found, 0 for max(k, 100) (default 0)")
      ("max-candidates", WholeNumber<size_t>(nullptr, size_t{0}), "expert: re-rank at most this many candidates, even mid-address, 0 for no limit (default 0)")
      ("no-tables", po::bool_switch(), "expert: probe the address table even if the database has multi-index tables")
      ("max-table-radius", WholeNumber<uint32_t>(nullptr, 0u, kMaxAddressBits), "expert: largest substring radius probed in each multi-index table (default 2)");
  // clang-format on
}

void ReadProbeFlags(const po::variables_map& vm, SearchOptions* search) {
  if (vm.count("max-radius")) {
    search->max_radius = vm["max-radius"].as<uint32_t>();
  }
  if (vm.count("min-candidates")) {
    search->min_candidates = vm["min-candidates"].as<size_t>();
  }
  if (vm.count("max-candidates")) {
    search->max_candidates = vm["max-candidates"].as<size_t>();
  }
  if (vm["no-tables"].as<bool>()) search->use_tables = false;
  if (vm.count("max-table-radius")) {
    search->max_table_radius = vm["max-table-radius"].as<uint32_t>();
  }
}

Status ClampToImages(DB* db, size_t k, size_t* clamped) {
  size_t images = 0;
  const std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid() && images < k; it->Next()) ++images;
  *clamped = std::max<size_t>(images, 1);
  return it->status();
}

}  // namespace semhash::cli

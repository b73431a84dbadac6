// `semhash query`: searches a database (opened read-only) with images
// encoded by its stored encoder, or with codes the user brings, and prints
// either readable results with precision@k or one JSON line per query, and
// with --sheet a contact sheet of the first queries' results as a PNG.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "semhash/db.h"
#include "semhash/encoder.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/image_sheet.h"
#include "tools/images/image_list.h"
#include "tools/io/idx_file.h"
#include "tools/io/vector_file.h"
#include "tools/json_writer.h"
#include "tools/number_flags.h"
#include "tools/pictures/contact_sheet.h"
#include "tools/query_input.h"
#include "tools/record_text.h"
#include "tools/retrieval_metrics.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "query";

struct QueryArgs {
  std::string db, query_labels, db_labels;
  std::string sheet, db_images, image_root = ".", memory_index = "open";
  QueryInput input;
  size_t k = 10, show = 3, sheet_queries = 10;
  size_t search_k = 10;  // k, or the number of images if fewer.
  unsigned threads = 0;
  bool exact = false, json = false, compare_exact = false, no_tables = false;
  std::optional<uint32_t> radius;
  SearchOptions search;
};

// The class an ssdh encoder's classifier predicts for each query image, and
// its probability; empty for other encoders and for --codes queries.
struct Predictions {
  std::vector<uint32_t> classes;
  std::vector<float> probabilities;
};

// The queries when they are image files; empty otherwise.
using QueryNames = images::ImageList;

// Reads the queries of `args`, and for an ssdh encoder's images the class
// its classifier predicts for each.
Status ReadQueries(const QueryArgs& args, const DB& db, CodeRows* rows,
                   Predictions* predictions, QueryNames* names) {
  std::vector<float> vectors;
  size_t dim = 0;
  const bool probes = !args.exact && !args.radius;
  Status s = args.input.Read(db, probes, rows, &vectors, &dim, names);
  const Encoder* encoder = db.encoder();
  if (!s.ok() || vectors.empty() || encoder->class_count() == 0) return s;
  const size_t n = rows->rows;
  predictions->classes.resize(n);
  predictions->probabilities.resize(n);
  return encoder->Classify(n, vectors.data(), dim, predictions->classes.data(),
                           predictions->probabilities.data());
}

Status ReadLabels(const QueryArgs& args, std::vector<int32_t>* query_labels,
                  std::vector<int32_t>* db_labels) {
  if (args.query_labels.empty() != args.db_labels.empty()) {
    return Status::InvalidArgument(
        "--query-labels and --db-labels go together");
  }
  if (args.query_labels.empty()) return Status::OK();
  Status s = io::ReadLabels(args.query_labels, query_labels);
  if (s.ok()) s = io::ReadLabels(args.db_labels, db_labels);
  if (s.ok() && query_labels->size() < args.input.first + 1) {
    s = Status::InvalidArgument(args.query_labels + ": no label for query " +
                                std::to_string(args.input.first));
  }
  return s;
}

// Relevant results (same label) among the first k, over k.
Status PrecisionAtK(const QueryArgs& args, const std::vector<Neighbor>& found,
                    int32_t query_label, const std::vector<int32_t>& db_labels,
                    double* precision) {
  for (const Neighbor& n : found) {
    if (n.id >= db_labels.size()) {
      return Status::InvalidArgument(args.db_labels + " has no label for id " +
                                     std::to_string(n.id));
    }
  }
  *precision = PrecisionAt(args.k, found.size(), [&](size_t rank) {
    return db_labels[found[rank].id] == query_label;
  });
  return Status::OK();
}

// How many results a k search (not --radius) fell short of k by: 0 when
// complete.
size_t Shortfall(const QueryArgs& args, const SearchResult& result) {
  return args.radius || result.neighbors.size() >= args.k
             ? 0
             : args.k - result.neighbors.size();
}

// Why a k search returned fewer than k results, for the text output.
std::string ShortfallReason(const QueryArgs& args, const SearchResult& result) {
  if (args.search_k < args.k) {
    return "the database holds " + Counted(args.search_k, "image", "images");
  }
  if (args.exact) return "the exact search found no more";
  return "the probe found no more candidates by radius " +
         std::to_string(result.stats.radius_reached) +
         " (see --max-radius, --max-candidates, or --exact)";
}

// The payloads of a result's images, read from `db`: empty when none has
// one.
Status ResultPayloads(DB* db, const SearchResult& result,
                      std::vector<std::string>* payloads) {
  payloads->clear();
  bool any = false;
  for (const Neighbor& n : result.neighbors) {
    Record record;
    Status s = db->Get(n.id, &record);
    if (!s.ok()) return s.WithContext("id " + std::to_string(n.id));
    any = any || !record.payload.empty();
    payloads->push_back(std::move(record.payload));
  }
  if (!any) payloads->clear();
  return Status::OK();
}

void PrintJson(const QueryArgs& args, size_t query, const SearchResult& result,
               const std::vector<std::string>& payloads,
               const QueryNames& names, const Predictions& predictions,
               size_t i) {
  std::cout << "{\"query\": " << query;
  if (names.size() > 0) {
    std::cout << ", \"query_name\": "
              << JsonWriter().String(names.names[i]).str();
  }
  if (!predictions.classes.empty()) {
    std::cout << ", \"predicted_class\": " << predictions.classes[i]
              << ", \"probability\": " << predictions.probabilities[i];
  }
  std::cout << ", \"results\": [";
  for (size_t i = 0; i < result.neighbors.size(); ++i) {
    JsonWriter entry;
    entry.BeginObject().Key("id").Uint(result.neighbors[i].id);
    entry.Key("distance").Uint(result.neighbors[i].distance);
    if (!payloads.empty() && !payloads[i].empty()) {
      entry.Key("payload").String(PayloadShown(payloads[i]));
      entry.Key("payload_encoding").String(PayloadEncoding(payloads[i]));
    }
    std::cout << (i ? ", " : "") << entry.EndObject().str();
  }
  const SearchStats& st = result.stats;
  std::cout << "], \"stats\": {\"path\": \"" << SearchPathName(st.path)
            << "\", \"radius_reached\": " << st.radius_reached
            << ", \"addresses_probed\": " << st.addresses_probed
            << ", \"addresses_occupied\": " << st.addresses_occupied
            << ", \"range_bits\": " << st.range_bits
            << ", \"lookups\": " << st.lookups
            << ", \"lookups_empty\": " << st.lookups_empty
            << ", \"candidates_reranked\": " << st.candidates_reranked << "}";
  if (!args.radius) {
    std::cout << ", \"k\": " << args.k << ", \"fewer_than_k\": "
              << (Shortfall(args, result) > 0 ? "true" : "false");
  }
  std::cout << "}\n";
}

void PrintText(const QueryArgs& args, size_t query, const SearchResult& result,
               const std::vector<std::string>& payloads,
               const QueryNames& names,
               const std::vector<int32_t>& query_labels,
               const std::vector<int32_t>& db_labels,
               const Predictions& predictions, size_t i) {
  const bool labelled = !query_labels.empty();
  std::cout << "query " << query;
  if (names.size() > 0) std::cout << " (" << names.names[i] << ")";
  if (labelled) std::cout << " (label " << query_labels[query] << ")";
  if (!predictions.classes.empty()) {
    std::cout << std::fixed << std::setprecision(3) << " predicted class "
              << predictions.classes[i] << " (probability "
              << predictions.probabilities[i] << ")";
    std::cout.unsetf(std::ios::floatfield);
  }
  const SearchStats& st = result.stats;
  std::cout << ": " << SearchPathName(st.path) << ", radius "
            << st.radius_reached << ", " << st.addresses_probed
            << " addresses probed, " << st.addresses_occupied << " occupied, "
            << st.lookups << " lookups (" << st.lookups_empty << " empty), "
            << st.candidates_reranked << " candidates re-ranked\n"
            << "  rank        id" << (labelled ? "  label" : "") << "  distance"
            << (payloads.empty() ? "" : "  payload") << "\n";
  for (size_t i = 0; i < result.neighbors.size(); ++i) {
    const Neighbor& n = result.neighbors[i];
    std::cout << std::setw(6) << i + 1 << std::setw(10) << n.id;
    if (labelled) std::cout << std::setw(7) << db_labels.at(n.id);
    std::cout << std::setw(10) << n.distance;
    if (!payloads.empty()) std::cout << "  " << PayloadShown(payloads[i]);
    std::cout << "\n";
  }
  if (Shortfall(args, result) > 0) {
    std::cout << "  only " << result.neighbors.size() << " of the k=" << args.k
              << " results: " << ShortfallReason(args, result) << "\n";
  }
}

struct Totals {
  size_t queries = 0;
  double seconds = 0, precision = 0, exact_precision = 0, recall = 0;
  size_t predicted = 0, predicted_right = 0;  // ssdh's classifier.
  uint64_t candidates = 0, probed = 0, found = 0;
  size_t short_of_k = 0;  // k searches that returned fewer than k.
  std::map<SearchPath, size_t> paths;
};

std::string SearchKind(const QueryArgs& args) {
  if (args.radius) return "radius " + std::to_string(*args.radius) + " search";
  return args.exact ? "exact search" : "two-stage search";
}

void PrintSummary(const QueryArgs& args, const Totals& t, bool labelled) {
  const double n = static_cast<double>(t.queries);
  std::ostream& out = args.json ? std::cerr : std::cout;
  out << std::fixed << std::setprecision(3)
      << Counted(t.queries, "query", "queries") << " in " << t.seconds << " s ("
      << 1000.0 * t.seconds / n << " ms each, batched over threads), "
      << SearchKind(args) << ": mean candidates re-ranked " << t.candidates / n
      << ", mean addresses probed " << t.probed / n << ", mean results "
      << t.found / n << "\n";
  if (t.short_of_k > 0) {
    out << t.short_of_k << " of " << Counted(t.queries, "query", "queries")
        << " returned fewer than k=" << args.k << " results\n";
  }
  out << "paths:";
  for (const auto& [path, count] : t.paths) {
    out << " " << SearchPathName(path) << " " << count;
  }
  out << "\n";
  if (labelled) {
    out << "precision@" << args.k << ": " << t.precision / n;
    if (args.compare_exact) {
      out << " (exact Hamming ranking: " << t.exact_precision / n << "; recall@"
          << args.k << " of the exact top " << args.k << ": " << t.recall / n
          << ")";
    }
    out << "\n";
  }
  if (t.predicted > 0) {
    out << "classifier: predicted class equals the label for "
        << t.predicted_right << " of "
        << Counted(t.predicted, "query", "queries") << " ("
        << double(t.predicted_right) / double(t.predicted) << ")\n";
  }
}

// Writes --sheet: each query's image from --images, then its results' images
// from --db-images (the row of an image is its id) with their distances.
Status WriteContactSheet(const QueryArgs& args,
                         const std::vector<SearchResult>& results,
                         const std::vector<int32_t>& query_labels,
                         const std::vector<int32_t>& db_labels) {
  uint64_t max_id = 0;
  for (const SearchResult& result : results) {
    for (const Neighbor& n : result.neighbors) max_id = std::max(max_id, n.id);
  }
  io::IdxImages queries, stored;
  Status s = io::ReadIdxImages(args.input.images, args.input.first,
                               results.size(), &queries);
  if (s.ok()) s = io::ReadIdxImages(args.db_images, 0, max_id + 1, &stored);
  if (!s.ok()) return s.WithContext("--sheet");
  if (stored.count <= max_id) {
    return Status::InvalidArgument(
        args.db_images + " holds " + std::to_string(stored.count) +
        " images; it has none for id " + std::to_string(max_id));
  }
  if (stored.rows != queries.rows || stored.cols != queries.cols) {
    return Status::InvalidArgument(
        args.db_images + ": images of " + std::to_string(stored.rows) + "x" +
        std::to_string(stored.cols) + "; the queries' are " +
        std::to_string(queries.rows) + "x" + std::to_string(queries.cols));
  }
  // 28x28 images drawn at twice their size; small ones larger, big ones 1:1.
  const int side = int(std::max(queries.rows, queries.cols));
  const pictures::SheetGeometry geometry{int(queries.cols), int(queries.rows),
                                         std::clamp(56 / side, 1, 3)};
  std::vector<pictures::SheetRow> sheet(results.size());
  for (size_t q = 0; q < results.size(); ++q) {
    const size_t query = args.input.first + q;
    sheet[q].query_pixels = &queries.pixels[q * queries.dim()];
    sheet[q].caption = "query " + std::to_string(query);
    for (const Neighbor& n : results[q].neighbors) {
      std::optional<bool> relevant;
      if (!query_labels.empty()) {
        relevant = db_labels.at(n.id) == query_labels.at(query);
      }
      sheet[q].results.push_back(
          {&stored.pixels[n.id * stored.dim()], n.distance, relevant, ""});
    }
  }
  s = pictures::WritePng(pictures::RenderContactSheet(geometry, sheet),
                         args.sheet);
  if (s.ok()) std::cerr << "wrote " << args.sheet << "\n";
  return s;
}

// Writes --sheet for image-file queries: each query's file, then its
// results' files, found at --image-root joined with their payloads.
Status WriteImageFileSheet(const QueryArgs& args, DB* db,
                           const std::vector<SearchResult>& results,
                           const QueryNames& queries) {
  std::vector<SheetImageRow> rows(results.size());
  for (size_t q = 0; q < results.size(); ++q) {
    rows[q].caption = "query " + std::to_string(args.input.first + q);
    rows[q].head = {queries.PathOf(q), queries.names[q], 0};
    std::vector<std::string> payloads;
    Status s = ResultPayloads(db, results[q], &payloads);
    if (!s.ok()) return s.WithContext("--sheet");
    for (size_t i = 0; i < results[q].neighbors.size(); ++i) {
      const Neighbor& n = results[q].neighbors[i];
      const std::string name = payloads.empty() ? std::string() : payloads[i];
      const images::ImageList stored{args.image_root, {name}};
      rows[q].others.push_back(
          {name.empty() ? std::string() : stored.PathOf(0),
           name.empty() ? "id " + std::to_string(n.id) : name, n.distance});
    }
  }
  return WriteImageSheet(rows, args.sheet);
}

Status RunQueries(const QueryArgs& args, DB* db, const CodeRows& rows,
                  const Predictions& predictions, const QueryNames& names) {
  std::vector<int32_t> query_labels, db_labels;
  Status s = ReadLabels(args, &query_labels, &db_labels);
  if (!s.ok()) return s;
  const bool labelled = !query_labels.empty();
  Totals totals;
  std::vector<SearchResult> results, exact_results;
  const auto start = std::chrono::steady_clock::now();
  if (args.radius) {
    s = db->SearchRadiusBatch(rows.rows, rows.codes.data(), *args.radius,
                              args.threads, &results);
  } else if (args.exact) {
    s = db->SearchExactBatch(rows.rows, rows.codes.data(), args.search_k,
                             args.threads, &results);
  } else {
    s = db->SearchBatch(args.search, rows.rows, rows.addresses.data(),
                        rows.codes.data(), args.search_k, args.threads,
                        &results);
  }
  totals.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (s.ok() && labelled && args.compare_exact) {
    s = db->SearchExactBatch(rows.rows, rows.codes.data(), args.search_k,
                             args.threads, &exact_results);
  }
  if (!s.ok()) return s;
  std::vector<SearchResult> sheet_results;
  for (size_t i = 0; i < rows.rows; ++i) {
    const size_t query = args.input.first + i;
    SearchResult& result = results[i];
    ++totals.queries;
    totals.candidates += result.stats.candidates_reranked;
    totals.probed += result.stats.addresses_probed;
    totals.found += result.neighbors.size();
    totals.short_of_k += Shortfall(args, result) > 0;
    ++totals.paths[result.stats.path];
    if (labelled && query >= query_labels.size()) {
      return Status::InvalidArgument(
          args.query_labels + ": no label for query " + std::to_string(query));
    }
    if (labelled) {
      double p;
      s = PrecisionAtK(args, result.neighbors, query_labels[query], db_labels,
                       &p);
      if (!s.ok()) return s;
      totals.precision += p;
      if (!predictions.classes.empty()) {
        ++totals.predicted;
        totals.predicted_right +=
            int64_t(predictions.classes[i]) == query_labels[query];
      }
    }
    if (labelled && args.compare_exact) {
      const SearchResult& exact = exact_results[i];
      double p = 0;
      s = PrecisionAtK(args, exact.neighbors, query_labels[query], db_labels,
                       &p);
      if (!s.ok()) return s;
      totals.exact_precision += p;
      totals.recall += IdRecall(result.neighbors, exact.neighbors);
    }
    std::vector<std::string> payloads;
    if (args.json || i < args.show) s = ResultPayloads(db, result, &payloads);
    if (!s.ok()) return s;
    if (args.json) {
      PrintJson(args, query, result, payloads, names, predictions, i);
    } else if (i < args.show) {
      PrintText(args, query, result, payloads, names, query_labels, db_labels,
                predictions, i);
    }
    if (!args.sheet.empty() && i < args.sheet_queries) {
      sheet_results.push_back(std::move(result));
    }
  }
  PrintSummary(args, totals, labelled);
  if (args.sheet.empty()) return Status::OK();
  if (names.size() > 0) {
    return WriteImageFileSheet(args, db, sheet_results, names);
  }
  return WriteContactSheet(args, sheet_results, query_labels, db_labels);
}

Status Query(QueryArgs args) {
  Options options;
  options.read_only = true;
  options.memory_index = args.memory_index == "off" ? Options::MemoryIndex::kOff
                         : args.memory_index == "background"
                             ? Options::MemoryIndex::kLoadInBackground
                             : Options::MemoryIndex::kLoadAtOpen;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, args.db, &db);
  if (!s.ok()) return s;
  CodeRows rows;
  Predictions predictions;
  QueryNames names;
  args.input.threads = args.threads;
  s = ReadQueries(args, *db, &rows, &predictions, &names);
  if (s.ok() && !args.radius)
    s = ClampToImages(db.get(), args.k, &args.search_k);
  if (s.ok() && rows.rows == 0)
    s = Status::InvalidArgument("no queries to run");
  if (!s.ok()) return s;
  return RunQueries(args, db.get(), rows, predictions, names);
}

}  // namespace

int RunQuery(int argc, char** argv) {
  QueryArgs args;
  po::options_description options("options");
  options.add_options()("db", po::value(&args.db)->required(),
                        "database directory");
  args.input.AddTo(&options);
  // clang-format off
  options.add_options()
      ("k", WholeNumber(&args.k, size_t{1}), "results per query; more than the database holds means all of them (default 10)")
      ("exact", po::bool_switch(&args.exact), "the exact k nearest (multi-index tables if the database has them, else a scan)")
      ("radius", WholeNumber<uint32_t>(nullptr, 0, kMaxCodeBits), "every image within R bits instead of the k nearest (exact)")
      ("memory-index", po::value(&args.memory_index), "load the in-memory index: open (before querying), background (query RocksDB meanwhile) or off (default open)")
      ("no-tables", po::bool_switch(&args.no_tables), "probe the address table even if the database has multi-index tables")
      ("max-table-radius", WholeNumber(&args.search.max_table_radius, 0u, kMaxAddressBits), "largest substring radius probed in each multi-index table (default 2)");
  // clang-format on
  AddProbeFlags(&args.search, &options);
  // clang-format off
  options.add_options()
      ("json", po::bool_switch(&args.json), "one JSON line per query on stdout")
      ("query-labels", po::value(&args.query_labels), "labels of the queries, IDX or 1-D integer .npy (for precision@k)")
      ("db-labels", po::value(&args.db_labels), "labels of the stored images, indexed by id")
      ("compare-exact", po::bool_switch(&args.compare_exact), "also rank exactly: precision and recall against the exact answer")
      ("show", WholeNumber(&args.show, size_t{0}), "queries whose results are printed (text output) (default 3)")
      ("threads", WholeNumber(&args.threads, 0u, kMaxThreads), "threads the queries are spread over, 0 for one per core (default 0)")
      ("sheet", po::value(&args.sheet), "write a contact sheet PNG of the first queries and their results: thumbnails of image-file queries and of the files their results' payloads name (under --image-root), or IDX --images with --db-images")
      ("image-root", po::value(&args.image_root), "with --sheet: the directory the stored image names are relative to, the one the database was built from (default the current directory)")
      ("sheet-queries", WholeNumber(&args.sheet_queries, size_t{1}), "queries drawn on the contact sheet (default 10)")
      ("db-images", po::value(&args.db_images), "with --sheet: the IDX images the database was built from; an image's id is its row");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR (--images FILE | --codes FILE) [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  const std::string input_problem = args.input.UsageProblem();
  if (!input_problem.empty()) return UsageError(kCommand, input_problem);
  if (vm.count("radius")) args.radius = vm["radius"].as<uint32_t>();
  args.search.use_tables = !args.no_tables;
  if (args.radius && (args.exact || args.compare_exact ||
                      !args.query_labels.empty() || !args.sheet.empty())) {
    return UsageError(kCommand,
                      "--radius goes without --exact, --compare-exact, labels "
                      "and --sheet");
  }
  if (args.memory_index != "open" && args.memory_index != "background" &&
      args.memory_index != "off") {
    return UsageError(kCommand,
                      "--memory-index takes open, background or off, not '" +
                          args.memory_index + "'");
  }
  if (!args.sheet.empty() && args.input.images.empty()) {
    return UsageError(kCommand,
                      "--sheet draws the query images: give them with "
                      "--images (image files, or IDX with --db-images)");
  }
  const bool image_files =
      !args.input.images.empty() && images::IsImageInput(args.input.images);
  if (!args.db_images.empty() && (args.sheet.empty() || image_files)) {
    return UsageError(kCommand,
                      "--db-images goes with --sheet and IDX --images");
  }
  if (!args.sheet.empty() && !image_files && args.db_images.empty()) {
    return UsageError(kCommand,
                      "--sheet with IDX --images needs --db-images, the IDX "
                      "images the database was built from");
  }
  const Status s = Query(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

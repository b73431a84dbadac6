// `semhash eval`: retrieval quality of a database's codes, measured as
// hashing papers do. For each query (encoded by the database's encoder) the
// whole database is ranked by Hamming distance (ties by id) to give mAP and
// precision@10/100/1000; the same for the address bits alone; the two-stage
// search gives precision@k, candidates re-ranked and the fraction of the
// database examined; --euclidean adds the raw-feature kNN baseline.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "semhash/db.h"
#include "semhash/encoder.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/euclidean_baseline.h"
#include "tools/human_units.h"
#include "tools/io/vector_file.h"
#include "tools/number_flags.h"
#include "tools/query_input.h"
#include "tools/retrieval_metrics.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "eval";
const std::vector<size_t> kDepths = {10, 100, 1000};

struct EvalArgs {
  std::string db, query_labels, db_labels, db_vectors;
  QueryInput input;
  size_t k = 100, threads = 2;
  size_t search_k = 100;  // k, or the number of images if fewer.
  bool json = false, euclidean = false;
  SearchOptions search;
};

// The database side, row i being the i-th id in ascending order.
struct Database {
  std::vector<uint64_t> ids;
  std::vector<uint8_t> codes;
  std::vector<Address> addresses;
  std::vector<int32_t> labels;
  std::vector<float> vectors;  // --euclidean only
  size_t dim = 0;
};

struct Queries {
  CodeRows rows;
  std::vector<float> vectors;
  size_t dim = 0;
  std::vector<int32_t> labels;
  // An ssdh encoder's classifier: queries whose predicted class is their
  // label (classified is 0 for encoders without one).
  size_t classified = 0, classified_right = 0;
};

// Sums over queries of one ranking's quality.
struct QualitySum {
  double average_precision = 0;
  std::vector<double> precision_at = std::vector<double>(kDepths.size(), 0.0);
  void Add(const RankingQuality& q) {
    average_precision += q.average_precision;
    for (size_t i = 0; i < kDepths.size(); ++i)
      precision_at[i] += q.precision_at[i];
  }
  void Add(const QualitySum& other) {
    average_precision += other.average_precision;
    for (size_t i = 0; i < kDepths.size(); ++i)
      precision_at[i] += other.precision_at[i];
  }
};

struct Totals {
  QualitySum hamming, address, euclidean;
  double two_stage_p10 = 0, two_stage_pk = 0, candidates = 0, probed = 0;
  // Recall@k against the exact ranking (ties with its k-th counted), as
  // measured and as the plan's calibration expected it.
  double recall = 0, expected_recall = 0;
  std::map<SearchPlan, size_t> plans;
  Status status;
  void Add(const Totals& o) {
    hamming.Add(o.hamming);
    address.Add(o.address);
    euclidean.Add(o.euclidean);
    two_stage_p10 += o.two_stage_p10;
    two_stage_pk += o.two_stage_pk;
    candidates += o.candidates;
    probed += o.probed;
    recall += o.recall;
    expected_recall += o.expected_recall;
    for (const auto& [plan, count] : o.plans) plans[plan] += count;
    if (status.ok()) status = o.status;
  }
};

Status LoadDatabase(const EvalArgs& args, DB* db, Database* out) {
  std::vector<int32_t> labels;
  Status s = io::ReadLabels(args.db_labels, &labels);
  if (!s.ok()) return s;
  const auto it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->id() >= labels.size()) {
      return Status::InvalidArgument(args.db_labels + " has no label for id " +
                                     std::to_string(it->id()));
    }
    out->ids.push_back(it->id());
    out->codes.insert(out->codes.end(), it->code().begin(), it->code().end());
    out->addresses.push_back(it->address());
    out->labels.push_back(labels[it->id()]);
  }
  s = it->status();
  if (s.ok() && out->ids.empty())
    s = Status::InvalidArgument(args.db + " is empty");
  if (!s.ok() || !args.euclidean) return s;
  size_t rows = 0;
  s = ReadFeatureVectors(args.db_vectors, 0, 0, &rows, &out->dim,
                         &out->vectors);
  if (s.ok() && (rows != out->ids.size() || out->ids.back() != rows - 1)) {
    s = Status::InvalidArgument(
        "--euclidean needs the database's ids to be the rows 0..N-1 of " +
        args.db_vectors + " (" + std::to_string(rows) + " rows, " +
        std::to_string(out->ids.size()) + " images stored)");
  }
  return s;
}

Status LoadQueries(const EvalArgs& args, const DB& db, Queries* out) {
  Status s = args.input.Read(db, /*probes_addresses=*/true, &out->rows,
                             &out->vectors, &out->dim);
  const size_t n = out->rows.rows;
  if (s.ok() && n == 0) s = Status::InvalidArgument("no queries to run");
  std::vector<int32_t> labels;
  if (s.ok()) s = io::ReadLabels(args.query_labels, &labels);
  const size_t first = args.input.first;
  if (s.ok() && labels.size() < first + n) {
    s = Status::InvalidArgument(
        args.query_labels + " has " + std::to_string(labels.size()) +
        " labels; the queries need " + std::to_string(first + n));
  }
  if (!s.ok()) return s;
  out->labels.assign(labels.begin() + first, labels.begin() + first + n);
  const Encoder* encoder = db.encoder();
  if (out->vectors.empty() || encoder->class_count() == 0) return s;
  std::vector<uint32_t> classes(n);
  std::vector<float> probabilities(n);
  s = encoder->Classify(n, out->vectors.data(), out->dim, classes.data(),
                        probabilities.data());
  out->classified = n;
  for (size_t i = 0; i < n; ++i) {
    out->classified_right += int64_t(classes[i]) == out->labels[i];
  }
  return s;
}

double Precision(const std::vector<Neighbor>& found, size_t depth,
                 const Database& db, int32_t label) {
  return PrecisionAt(depth, found.size(), [&](size_t rank) {
    const auto row =
        std::lower_bound(db.ids.begin(), db.ids.end(), found[rank].id);
    return db.labels[row - db.ids.begin()] == label;
  });
}

// Scores queries [begin, end) into *totals.
void ScoreQueries(const EvalArgs& args, DB* db, const Database& data,
                  const Queries& queries, size_t begin, size_t end,
                  Totals* totals) {
  const size_t n = data.ids.size();
  const size_t bytes = queries.rows.code_bytes;
  std::vector<uint32_t> order, order_by_code;
  for (size_t q = begin; q < end; ++q) {
    const CodeView code(&queries.rows.codes[q * bytes], bytes);
    const int32_t label = queries.labels[q];
    HammingRanking(code, data.codes.data(), n, &order_by_code);
    totals->hamming.Add(
        ScoreRanking(order_by_code, data.labels, label, kDepths));
    AddressRanking(queries.rows.addresses[q], data.addresses.data(), n, &order);
    totals->address.Add(ScoreRanking(order, data.labels, label, kDepths));
    SearchResult result;
    totals->status = db->Search(args.search, queries.rows.addresses[q], code,
                                args.search_k, &result);
    if (!totals->status.ok()) return;
    totals->two_stage_p10 += Precision(result.neighbors, 10, data, label);
    totals->two_stage_pk += Precision(result.neighbors, args.k, data, label);
    totals->candidates += result.stats.candidates_reranked;
    totals->probed += result.stats.addresses_probed;
    totals->expected_recall += result.stats.expected_recall;
    ++totals->plans[result.stats.plan];
    // The ranking above is the exact one (ties by row, any tie as good).
    if (args.search_k > 0) {
      const CodeView kth(&data.codes[order_by_code[args.search_k - 1] * bytes],
                         bytes);
      std::vector<uint32_t> distances;
      for (const Neighbor& found : result.neighbors) {
        distances.push_back(found.distance);
      }
      totals->recall +=
          RecallAtK(HammingDistance(code, kth), distances, args.search_k);
    }
  }
  if (!args.euclidean) return;
  EuclideanRankings(data.vectors.data(), n,
                    queries.vectors.data() + begin * queries.dim, end - begin,
                    queries.dim, [&](size_t i, const std::vector<uint32_t>& o) {
                      totals->euclidean.Add(ScoreRanking(
                          o, data.labels, queries.labels[begin + i], kDepths));
                    });
}

void PrintQuality(std::ostream& out, const char* name, const QualitySum& sum,
                  double n, bool json) {
  if (json) {
    out << "\"" << name << "\": {\"map\": " << sum.average_precision / n;
    for (size_t i = 0; i < kDepths.size(); ++i) {
      out << ", \"p@" << kDepths[i] << "\": " << sum.precision_at[i] / n;
    }
    out << "}";
    return;
  }
  out << std::left << std::setw(24) << name << std::right << std::setw(8)
      << sum.average_precision / n;
  for (double p : sum.precision_at) out << std::setw(9) << p / n;
  out << "\n";
}

void PrintReport(const EvalArgs& args, const DB& db, const Database& data,
                 const Queries& q, const Totals& t, double seconds) {
  const size_t queries = q.rows.rows;
  const double n = static_cast<double>(queries);
  const double accuracy =
      q.classified == 0 ? 0 : double(q.classified_right) / q.classified;
  const double examined =
      t.candidates / n / static_cast<double>(data.ids.size());
  const DatabaseInfo& info = db.info();
  std::cout << std::fixed << std::setprecision(4);
  if (args.json) {
    std::cout << "{\"encoder\": \"" << info.encoder_kind << "("
              << info.encoder_params
              << ")\", \"address_bits\": " << info.address_bits
              << ", \"code_bits\": " << info.code_bits
              << ", \"database\": " << data.ids.size()
              << ", \"queries\": " << queries << ", ";
    PrintQuality(std::cout, "hamming", t.hamming, n, true);
    std::cout << ", ";
    PrintQuality(std::cout, "address", t.address, n, true);
    if (args.euclidean) {
      std::cout << ", ";
      PrintQuality(std::cout, "euclidean", t.euclidean, n, true);
    }
    std::cout << ", \"two_stage\": {\"k\": " << args.k
              << ", \"p@10\": " << t.two_stage_p10 / n
              << ", \"p@k\": " << t.two_stage_pk / n
              << ", \"mean_candidates\": " << t.candidates / n
              << ", \"fraction_examined\": " << examined
              << ", \"mean_addresses_probed\": " << t.probed / n
              << ", \"plans\": {";
    bool first = true;
    for (const auto& [plan, count] : t.plans) {
      std::cout << (first ? "" : ", ") << "\"" << SearchPlanName(plan)
                << "\": " << count;
      first = false;
    }
    std::cout << "}, \"target_recall\": " << args.search.target_recall
              << ", \"expected_recall\": " << t.expected_recall / n
              << ", \"recall\": " << t.recall / n << "}";
    if (q.classified > 0) {
      std::cout << ", \"classifier\": {\"accuracy\": " << accuracy << "}";
    }
    std::cout << ", \"seconds\": " << seconds << "}\n";
    return;
  }
  std::cout << "encoder " << info.encoder_kind << "(" << info.encoder_params
            << "), " << info.address_bits << "-bit addresses, "
            << info.code_bits << "-bit codes; "
            << Counted(data.ids.size(), "image", "images") << ", "
            << Counted(queries, "query", "queries") << "\n"
            << std::left << std::setw(24) << "ranking" << std::right
            << std::setw(8) << "mAP" << std::setw(9) << "P@10" << std::setw(9)
            << "P@100" << std::setw(9) << "P@1000\n";
  PrintQuality(std::cout, "hamming, long code", t.hamming, n, false);
  PrintQuality(std::cout, "hamming, address", t.address, n, false);
  if (args.euclidean)
    PrintQuality(std::cout, "euclidean, raw", t.euclidean, n, false);
  std::cout << "two-stage search (k=" << args.k << "): P@10 "
            << t.two_stage_p10 / n << ", P@" << args.k << " "
            << t.two_stage_pk / n << ", mean candidates re-ranked "
            << t.candidates / n << " (" << 100.0 * examined
            << "% of the database), mean addresses probed " << t.probed / n
            << "\n"
            << "plans:";
  for (const auto& [plan, count] : t.plans) {
    std::cout << " " << SearchPlanName(plan) << " " << count;
  }
  std::cout << "; recall@" << args.k << " against the exact ranking "
            << t.recall / n << " (expected " << t.expected_recall / n
            << ", target " << args.search.target_recall << ")\n";
  if (q.classified > 0) {
    std::cout << "classifier: accuracy " << accuracy << " ("
              << q.classified_right << " of "
              << Counted(q.classified, "query", "queries") << ")\n";
  }
  std::cout << "evaluated in " << seconds << " s\n";
}

Status Evaluate(EvalArgs args) {
  const auto start = std::chrono::steady_clock::now();
  Options options;
  options.read_only = true;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, args.db, &db);
  if (!s.ok()) return s;
  Database data;
  Queries queries;
  s = LoadDatabase(args, db.get(), &data);
  if (s.ok()) s = LoadQueries(args, *db, &queries);
  if (s.ok() && args.euclidean && data.dim != queries.dim) {
    s = Status::InvalidArgument(args.db_vectors + " and " + args.input.images +
                                " differ in dimension");
  }
  if (!s.ok()) return s;
  args.search_k = std::min(args.k, data.ids.size());
  const size_t n = queries.rows.rows;
  // More threads than queries would score nothing.
  args.threads = std::min(args.threads, n);
  std::vector<Totals> parts(args.threads);
  std::vector<std::thread> workers;
  for (size_t t = 0; t < args.threads; ++t) {
    workers.emplace_back(ScoreQueries, std::cref(args), db.get(),
                         std::cref(data), std::cref(queries),
                         n * t / args.threads, n * (t + 1) / args.threads,
                         &parts[t]);
  }
  Totals totals;
  for (size_t t = 0; t < args.threads; ++t) {
    workers[t].join();
    totals.Add(parts[t]);
  }
  if (!totals.status.ok()) return totals.status;
  PrintReport(
      args, *db, data, queries, totals,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return Status::OK();
}

}  // namespace

int RunEval(int argc, char** argv) {
  EvalArgs args;
  std::string queries;  // --queries, the older name of --images.
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (with an encoder)")
      ("queries", po::value(&queries), "another name for --images");
  // clang-format on
  args.input.AddTo(&options);
  // clang-format off
  options.add_options()
      ("query-labels", po::value(&args.query_labels)->required(), "labels of the queries (IDX or 1-D integer .npy)")
      ("db-labels", po::value(&args.db_labels)->required(), "labels of the stored images, indexed by id")
      ("k", WholeNumber(&args.k, size_t{1}), "results of the two-stage search (default 100)");
  // clang-format on
  AddProbeFlags(&args.search, &options);
  // clang-format off
  options.add_options()
      ("euclidean", po::bool_switch(&args.euclidean), "also rank the raw features by Euclidean distance")
      ("db-vectors", po::value(&args.db_vectors), "with --euclidean: the database's features, row i = id i")
      ("threads", WholeNumber(&args.threads, size_t{1}, size_t{kMaxThreads}), "worker threads (default 2)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR (--images FILE | --codes FILE) --query-labels "
                    "FILE --db-labels FILE [options]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  ReadProbeFlags(vm, &args.search);
  if (args.euclidean != !args.db_vectors.empty()) {
    return UsageError(kCommand, "--euclidean and --db-vectors go together");
  }
  if (!queries.empty() && !args.input.images.empty()) {
    return UsageError(kCommand,
                      "--queries is another name for --images: "
                      "give one of them");
  }
  if (!queries.empty()) args.input.images = queries;
  const std::string input_problem = args.input.UsageProblem();
  if (!input_problem.empty()) return UsageError(kCommand, input_problem);
  if (args.euclidean && !args.input.codes.empty()) {
    return UsageError(kCommand,
                      "--euclidean ranks the queries' features: give them "
                      "with --images, not --codes");
  }
  const Status s = Evaluate(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

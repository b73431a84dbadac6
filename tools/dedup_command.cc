// `semhash dedup`: the groups of near-duplicate images of a database (the
// connected components of its radius join, near_duplicates.h), printed as
// each is found: readable lines, one JSON line per group, or CSV rows; with
// --sheet a contact sheet of the largest groups. The database is opened
// read-only, with its in-memory index (and multi-index tables, when it has
// them) for the radius searches.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>

#include "semhash/db.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/image_sheet.h"
#include "tools/images/image_list.h"
#include "tools/json_writer.h"
#include "tools/near_duplicates.h"
#include "tools/number_flags.h"
#include "tools/progress.h"
#include "tools/record_text.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "dedup";

struct DedupArgs {
  std::string db, sheet, image_root = ".";
  uint32_t radius = 0;
  size_t sheet_groups = 10;
  bool json = false, csv = false, quiet = false;
};

// A CSV field: quoted when it holds a comma, a quote or a line break, with
// quotes doubled (RFC 4180).
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void PrintGroup(const DedupArgs& args, size_t number,
                const DuplicateGroup& group) {
  if (args.json) {
    JsonWriter json;
    json.BeginObject().Key("group").Uint(number);
    json.Key("size").Uint(group.members.size());
    json.Key("members").BeginArray();
    for (const auto& m : group.members) {
      json.BeginObject().Key("id").Uint(m.id).Key("distance").Uint(m.distance);
      if (!m.payload.empty()) {
        json.Key("payload").String(PayloadShown(m.payload));
        json.Key("payload_encoding").String(PayloadEncoding(m.payload));
      }
      json.EndObject();
    }
    std::cout << json.EndArray().EndObject().str() << "\n";
  } else if (args.csv) {
    for (const auto& m : group.members) {
      std::cout << number << "," << m.id << "," << m.distance << ","
                << CsvField(PayloadShown(m.payload)) << "\n";
    }
  } else {
    std::cout << "group " << number << ": "
              << Counted(group.members.size(), "image", "images") << "\n";
    for (const auto& m : group.members) {
      std::cout << std::setw(22) << m.id << std::setw(6) << m.distance;
      if (!m.payload.empty()) std::cout << "  " << PayloadShown(m.payload);
      std::cout << "\n";
    }
  }
}

// Keeps the `keep` largest groups (ties: the earlier), for the sheet.
void KeepLargest(const DuplicateGroup& group, size_t keep,
                 std::vector<DuplicateGroup>* largest) {
  auto smaller = [](const DuplicateGroup& a, const DuplicateGroup& b) {
    return a.members.size() > b.members.size();
  };
  const auto at =
      std::upper_bound(largest->begin(), largest->end(), group, smaller);
  if (size_t(at - largest->begin()) >= keep) return;
  largest->insert(at, group);
  if (largest->size() > keep) largest->pop_back();
}

Status WriteSheet(const DedupArgs& args,
                  const std::vector<DuplicateGroup>& largest) {
  if (largest.empty()) {
    return Status::InvalidArgument("--sheet: no group to draw at radius " +
                                   std::to_string(args.radius));
  }
  auto image = [&](const DuplicateGroup::Member& m) {
    const images::ImageList stored{args.image_root, {m.payload}};
    return SheetImage{stored.PathOf(0), m.payload, m.distance};
  };
  std::vector<SheetImageRow> rows;
  for (const DuplicateGroup& group : largest) {
    SheetImageRow row;
    row.caption = Counted(group.members.size(), "image", "images");
    row.head = image(group.members[0]);
    for (size_t i = 1; i < group.members.size(); ++i) {
      row.others.push_back(image(group.members[i]));
    }
    rows.push_back(std::move(row));
  }
  return WriteImageSheet(rows, args.sheet);
}

Status Dedup(const DedupArgs& args) {
  Options options;
  options.read_only = true;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, args.db, &db);
  if (!s.ok()) return s;
  const auto start = std::chrono::steady_clock::now();
  if (args.csv) std::cout << "group,id,distance,payload\n";
  std::unique_ptr<ProgressBar> bar;
  size_t groups = 0, grouped = 0;
  uint64_t images = 0;
  std::vector<DuplicateGroup> largest;
  s = FindNearDuplicates(
      db.get(), args.radius,
      [&](const DuplicateGroup& group) {
        ++groups;
        grouped += group.members.size();
        PrintGroup(args, groups, group);
        if (!args.sheet.empty()) {
          KeepLargest(group, args.sheet_groups, &largest);
        }
        return Status::OK();
      },
      [&](uint64_t done, uint64_t total) {
        if (!bar) {
          bar = std::make_unique<ProgressBar>(
              "dedup", total, ProgressBar::ShouldShow(args.quiet));
        }
        images = total;
        bar->Update(done);
      });
  if (!s.ok()) return s;
  if (bar) bar->Finish();
  std::cout.flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::ostream& out = args.json || args.csv ? std::cerr : std::cout;
  out << Counted(groups, "group", "groups") << " of near-duplicates within "
      << args.radius << " bits: " << grouped << " of "
      << Counted(images, "image", "images") << " in " << seconds << " s\n";
  return args.sheet.empty() ? Status::OK() : WriteSheet(args, largest);
}

}  // namespace

int RunDedup(int argc, char** argv) {
  DedupArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only)")
      ("radius", WholeNumber(&args.radius, 0u, kMaxCodeBits), "images whose codes lie within R bits are near-duplicates; groups are the connected components")
      ("json", po::bool_switch(&args.json), "one JSON line per group: group, size, members (id, distance to the first member, payload)")
      ("csv", po::bool_switch(&args.csv), "CSV rows group,id,distance,payload, one per member, after a header")
      ("sheet", po::value(&args.sheet), "write a contact sheet PNG of the largest groups, drawn from the image files the payloads name")
      ("sheet-groups", WholeNumber(&args.sheet_groups, size_t{1}), "groups drawn on the sheet (default 10)")
      ("image-root", po::value(&args.image_root), "with --sheet: the directory the stored image names are relative to (default the current directory)")
      ("quiet,q", po::bool_switch(&args.quiet), "no progress bar");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR --radius R [--json | --csv] [--sheet PNG]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  if (!vm.count("radius")) return UsageError(kCommand, "--radius is required");
  if (args.json && args.csv) {
    return UsageError(kCommand, "give at most one of --json and --csv");
  }
  const Status s = Dedup(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

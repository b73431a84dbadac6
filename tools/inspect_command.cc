// `semhash inspect`: what a database holds and how well its addresses spread
// the images, read through the public API with the database opened
// read-only. Without --address or --id it prints a summary (address_stats.h
// says what each figure means) and with --plot draws two of them as PNG
// charts; --address shows one posting list decoded, and --id one image as
// `semhash get` shows it.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "semhash/db.h"
#include "tools/address_stats.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/human_units.h"
#include "tools/json_writer.h"
#include "tools/number_flags.h"
#include "tools/pictures/charts.h"
#include "tools/record_text.h"

namespace semhash::cli {
namespace {

constexpr char kCommand[] = "inspect";

struct InspectArgs {
  std::string db, plot;
  std::optional<uint64_t> address, id;
  bool json = false;
};

std::string BucketLabel(const LengthBucket& bucket) {
  if (bucket.min_length == bucket.max_length) {
    return std::to_string(bucket.min_length);
  }
  return std::to_string(bucket.min_length) + "-" +
         std::to_string(bucket.max_length);
}

// One pass over the images in id order, collecting their addresses.
Status ReadAddresses(DB* db, std::vector<Address>* addresses) {
  std::unique_ptr<Iterator> it = db->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    addresses->push_back(it->address());
  }
  return it->status();
}

void JsonDatabase(const std::string& path, const DatabaseInfo& info,
                  JsonWriter* json) {
  json->Key("db").String(path);
  json->Key("format_version").Uint(info.format_version);
  json->Key("address_bits").Uint(info.address_bits);
  json->Key("code_bits").Uint(info.code_bits);
  json->Key("posting_chunk_capacity").Uint(info.posting_chunk_capacity);
  json->Key("mih_tables").Uint(info.mih_tables);
  json->Key("encoder").BeginObject();
  json->Key("kind").String(info.encoder_kind);
  json->Key("params").String(info.encoder_params);
  json->EndObject();
}

void JsonSpace(const SpaceUsage& space, uint64_t images, JsonWriter* json) {
  json->Key("space").BeginObject().Key("families").BeginArray();
  for (const FamilySpace& family : space.families) {
    json->BeginObject();
    json->Key("name").String(family.name);
    json->Key("table_bytes").Uint(family.table_bytes);
    json->Key("table_files").Uint(family.table_files);
    json->Key("memtable_bytes").Uint(family.memtable_bytes);
    json->EndObject();
  }
  json->EndArray();
  json->Key("log_bytes").Uint(space.log_bytes);
  json->Key("segment").BeginObject();
  json->Key("number").Uint(space.segment);
  json->Key("rows").Uint(space.segment_rows);
  json->Key("bytes").Uint(space.segment_bytes);
  json->EndObject();
  json->Key("total_bytes").Uint(space.total_bytes);
  json->Key("bytes_per_image")
      .Double(images == 0 ? 0.0 : double(space.total_bytes) / double(images));
  json->EndObject();
}

void JsonStats(const AddressStats& stats, JsonWriter* json) {
  json->Key("images").Uint(stats.images);
  json->Key("occupied_addresses").Uint(stats.occupied_addresses);
  json->Key("posting_list_lengths").BeginArray();
  for (const LengthBucket& bucket : stats.length_histogram) {
    json->BeginObject();
    json->Key("min_length").Uint(bucket.min_length);
    json->Key("max_length").Uint(bucket.max_length);
    json->Key("addresses").Uint(bucket.addresses);
    json->EndObject();
  }
  json->EndArray().Key("largest_posting_lists").BeginArray();
  for (const PostingList& list : stats.largest_lists) {
    json->BeginObject();
    json->Key("address").Uint(list.address);
    json->Key("length").Uint(list.length);
    json->EndObject();
  }
  json->EndArray().Key("address_bit_ones").BeginArray();
  for (const double fraction : stats.fraction_of_ones) json->Double(fraction);
  json->EndArray().Key("correlated_address_bits").BeginArray();
  for (const BitPair& pair : stats.most_correlated_pairs) {
    json->BeginObject();
    json->Key("bits").BeginArray().Uint(pair.first).Uint(pair.second);
    json->EndArray().Key("correlation").Double(pair.correlation);
    json->EndObject();
  }
  json->EndArray().Key("probe_cost").BeginObject();
  json->Key("method").String(stats.probe_cost_exact ? "exact" : "sample");
  json->Key("images_averaged").Uint(stats.probe_cost_images);
  json->Key("radii").BeginArray();
  for (const ProbeCost& cost : stats.probe_cost) {
    json->BeginObject();
    json->Key("radius").Uint(cost.radius);
    json->Key("addresses_probed").Uint(cost.addresses_probed);
    json->Key("expected_candidates").Double(cost.expected_candidates);
    json->EndObject();
  }
  json->EndArray().EndObject();
}

void PrintStats(const AddressStats& stats) {
  std::cout << "images: " << stats.images
            << ", occupied addresses: " << stats.occupied_addresses << "\n"
            << "posting-list lengths (images per address: addresses)\n";
  for (const LengthBucket& bucket : stats.length_histogram) {
    std::cout << std::setw(16) << BucketLabel(bucket) << ": "
              << bucket.addresses << "\n";
  }
  std::cout << "largest posting lists (address: images)\n";
  for (const PostingList& list : stats.largest_lists) {
    std::cout << std::setw(16) << list.address << ": " << list.length << "\n";
  }
  std::cout << "fraction of ones per address bit, bit 0 first\n ";
  for (size_t bit = 0; bit < stats.fraction_of_ones.size(); ++bit) {
    std::cout << (bit % 16 == 0 && bit > 0 ? "\n " : "") << " "
              << stats.fraction_of_ones[bit];
  }
  std::cout << "\nmost correlated address bits (Pearson correlation, largest "
               "magnitude first)\n";
  for (const BitPair& pair : stats.most_correlated_pairs) {
    std::cout << "  bits " << pair.first << " and " << pair.second << ": "
              << std::showpos << pair.correlation << std::noshowpos << "\n";
  }
  std::cout << "probe cost per query drawn like the stored images ("
            << (stats.probe_cost_exact ? "exact over all "
                                       : "estimated from a sample of ")
            << stats.probe_cost_images
            << " images; the query's own image counts)\n"
            << "  radius  addresses probed  expected candidates\n";
  for (const ProbeCost& cost : stats.probe_cost) {
    std::cout << std::setw(8) << cost.radius << std::setw(18)
              << cost.addresses_probed << std::setw(21)
              << cost.expected_candidates << "\n";
  }
}

void PrintDatabase(const std::string& path, const DatabaseInfo& info) {
  std::cout << "database " << path << ": format version " << info.format_version
            << ", " << info.address_bits << "-bit addresses, " << info.code_bits
            << "-bit codes, posting chunks of up to "
            << info.posting_chunk_capacity << " images, " << info.mih_tables
            << " multi-index tables\nencoder: " << info.encoder_kind;
  if (!info.encoder_params.empty())
    std::cout << "(" << info.encoder_params << ")";
  std::cout << "\n";
}

void PrintSpace(const SpaceUsage& space, uint64_t images) {
  std::cout << "disk: " << space.total_bytes << " bytes";
  if (images > 0) {
    std::cout << " (" << double(space.total_bytes) / double(images)
              << " per image)";
  }
  std::cout << ", of which write-ahead log " << space.log_bytes << "\n";
  if (space.segment != 0) {
    std::cout << "         segment: " << space.segment << " ("
              << space.segment_rows << " rows, " << space.segment_bytes
              << " bytes)\n";
  } else {
    std::cout << "         segment: none\n";
  }
  for (const FamilySpace& family : space.families) {
    std::cout << std::setw(16) << family.name << ": " << family.table_bytes
              << " bytes in " << family.table_files << " table files, "
              << family.memtable_bytes << " in memory\n";
  }
}

Status WritePlots(const std::string& dir, const AddressStats& stats) {
  if (stats.images == 0) {
    return Status::InvalidArgument("--plot: the database holds no images");
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::IOError("--plot " + dir +
                           ": cannot create: " + error.message());
  }
  std::vector<pictures::HistogramBar> bars;
  for (const LengthBucket& bucket : stats.length_histogram) {
    bars.push_back({BucketLabel(bucket), bucket.addresses});
  }
  const pictures::HistogramAxes axes{"Posting-list lengths",
                                     "images per address", "addresses", true};
  Status s =
      pictures::WriteHistogramChart(bars, axes, dir + "/posting_lengths.png");
  if (s.ok()) {
    s = pictures::WriteBitBalanceChart(stats.fraction_of_ones,
                                       dir + "/bit_balance.png");
  }
  return s;
}

Status Summary(const InspectArgs& args, DB* db) {
  std::vector<Address> addresses;
  Status s = ReadAddresses(db, &addresses);
  SpaceUsage space;
  if (s.ok()) s = db->GetSpaceUsage(&space);
  if (!s.ok()) return s;
  const AddressStats stats =
      ComputeAddressStats(std::move(addresses), db->info().address_bits);
  if (args.json) {
    JsonWriter json;
    json.BeginObject();
    JsonDatabase(args.db, db->info(), &json);
    JsonStats(stats, &json);
    JsonSpace(space, stats.images, &json);
    std::cout << json.EndObject().str() << "\n";
  } else {
    PrintDatabase(args.db, db->info());
    PrintStats(stats);
    PrintSpace(space, stats.images);
  }
  return args.plot.empty() ? Status::OK() : WritePlots(args.plot, stats);
}

// The images at one address, in id order. One search at radius 0 counts
// them (every image there is a candidate); a second, with k that count,
// returns them all.
Status ShowAddress(const InspectArgs& args, DB* db) {
  const uint32_t address_bits = db->info().address_bits;
  if (address_bits < 32 && *args.address >> address_bits != 0) {
    return Status::InvalidArgument(
        "--address " + std::to_string(*args.address) + " is wider than the " +
        "database's " + std::to_string(address_bits) + "-bit addresses");
  }
  const Address address = static_cast<Address>(*args.address);
  const std::vector<uint8_t> query(db->info().code_bits / 8, 0);
  SearchOptions only_this_address;
  only_this_address.max_radius = 0;
  SearchResult counted, found;
  Status s = db->Search(only_this_address, address, query, 1, &counted);
  const size_t images = counted.stats.candidates_reranked;
  if (s.ok() && images > 0) {
    s = db->Search(only_this_address, address, query, images, &found);
  }
  if (!s.ok()) return s;
  std::sort(found.neighbors.begin(), found.neighbors.end(),
            [](const Neighbor& a, const Neighbor& b) { return a.id < b.id; });
  std::vector<Record> records(found.neighbors.size());
  for (size_t i = 0; i < records.size() && s.ok(); ++i) {
    s = db->Get(found.neighbors[i].id, &records[i]);
  }
  if (!s.ok()) return s;
  if (args.json) {
    JsonWriter json;
    json.BeginObject().Key("address").Uint(address);
    json.Key("address_binary").String(Binary(address, address_bits));
    json.Key("images").Uint(records.size()).Key("entries").BeginArray();
    for (size_t i = 0; i < records.size(); ++i) {
      json.BeginObject().Key("id").Uint(found.neighbors[i].id);
      json.Key("code").String(Hex(records[i].code)).EndObject();
    }
    std::cout << json.EndArray().EndObject().str() << "\n";
    return Status::OK();
  }
  std::cout << "address " << address << " (" << Binary(address, address_bits)
            << "): " << Counted(records.size(), "image", "images") << "\n";
  for (size_t i = 0; i < records.size(); ++i) {
    std::cout << std::setw(20) << found.neighbors[i].id << "  "
              << Hex(records[i].code) << "\n";
  }
  return Status::OK();
}

Status ShowId(const InspectArgs& args, DB* db) {
  Record record;
  Status s = db->Get(*args.id, &record);
  if (s.ok()) PrintRecord(*args.id, record, db->info().address_bits, args.json);
  return s;
}

Status Inspect(const InspectArgs& args) {
  std::unique_ptr<DB> db;
  Status s = OpenToRead(args.db, &db);
  if (!s.ok()) return s;
  if (args.address) return ShowAddress(args, db.get());
  if (args.id) return ShowId(args, db.get());
  return Summary(args, db.get());
}

}  // namespace

int RunInspect(int argc, char** argv) {
  InspectArgs args;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value(&args.db)->required(), "database directory (opened read-only)")
      ("json", po::bool_switch(&args.json), "one JSON object on stdout")
      ("address", WholeNumber<uint32_t>(nullptr, 0), "show the images stored at this address, decimal or hex (0x...)")
      ("id", WholeNumber<uint64_t>(nullptr, 0), "show this image decoded, as semhash get does; decimal or hex (0x...)")
      ("plot", po::value(&args.plot), "write posting_lengths.png and bit_balance.png to this directory");
  // clang-format on
  po::variables_map vm;
  int exit_code;
  if (!ParseOptions(kCommand,
                    "--db DIR [--json] [--address A | --id I | --plot DIR]",
                    options, argc, argv, &vm, &exit_code)) {
    return exit_code;
  }
  if (vm.count("address")) args.address = vm["address"].as<uint32_t>();
  if (vm.count("id")) args.id = vm["id"].as<uint64_t>();
  if (int(args.address.has_value()) + int(args.id.has_value()) +
          int(!args.plot.empty()) >
      1) {
    return UsageError(kCommand,
                      "--address, --id and --plot are alternatives: give one");
  }
  const Status s = Inspect(args);
  return s.ok() ? kExitOk : Fail(kCommand, s);
}

}  // namespace semhash::cli

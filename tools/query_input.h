// QueryInput: the query flags `query` and `eval` share, one convention for
// both: --images (feature vectors the database's encoder encodes, or image
// files: a directory, an image or a .txt list, image_input.h) or --codes
// (packed codes the user brings, with --addresses), and the rows --first
// and --count select.
//
// Thread safety: none needed; read on the command's thread.
#ifndef SEMHASH_TOOLS_QUERY_INPUT_H_
#define SEMHASH_TOOLS_QUERY_INPUT_H_

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "semhash/db.h"
#include "semhash/status.h"
#include "tools/cli.h"
#include "tools/images/image_list.h"

namespace semhash::cli {

struct QueryInput {
  std::string images, codes, addresses;
  size_t first = 0, count = 0;  // count 0: to the end.
  // Threads that decode image files, 0 for one per core.
  unsigned threads = 0;

  // --images, --codes, --addresses, --first and --count.
  void AddTo(boost::program_options::options_description* options);
  // The usage error of the flags given, or "": exactly one of --images
  // and --codes; --addresses only with --codes.
  std::string UsageProblem() const;

  // The queries as codes and addresses in *rows; for --images also their
  // vectors (*vectors, *dim), for --codes none. `probes_addresses`: the
  // search starts at each query's address (two-stage), so codes on a
  // database whose encoder makes its addresses need --addresses (a code's
  // first bits are not its address there): InvalidArgument saying so.
  // For image files, *queries (if not null) lists the queries read, row by
  // row; otherwise it is left empty.
  Status Read(const DB& db, bool probes_addresses, CodeRows* rows,
              std::vector<float>* vectors, size_t* dim,
              images::ImageList* queries = nullptr) const;
};

// The search's flags: --target-recall, into *search, and the expert
// knobs (--max-radius, --min-candidates, --max-candidates, --no-tables,
// --max-table-radius), which ReadProbeFlags copies into *search once
// parsed: only those given are set, so that any one of them replaces the
// planner's choice (SearchOptions).
void AddProbeFlags(SearchOptions* search,
                   boost::program_options::options_description* options);
void ReadProbeFlags(const boost::program_options::variables_map& vm,
                    SearchOptions* search);

// k, or the number of images `db` holds (at least 1) if that is smaller,
// found by stepping through at most k of them: search buffers are sized by
// k, and "--k 10000000000" means all of the images.
Status ClampToImages(DB* db, size_t k, size_t* clamped);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_QUERY_INPUT_H_

// semhash: the command-line tool over the public API.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "semhash/version.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Subcommand kSubcommands[] = {
    {"train", "train an encoder and write it to a model file",
     semhash::cli::RunTrain},
    {"build", "fill a database from images, feature vectors or codes",
     semhash::cli::RunBuild},
    {"query", "search a database; print results or JSON lines",
     semhash::cli::RunQuery},
    {"dedup", "groups of near-duplicate images within a radius",
     semhash::cli::RunDedup},
    {"eval", "retrieval quality: mAP, precision@k, two-stage cost",
     semhash::cli::RunEval},
    {"inspect", "what a database holds and how its addresses spread it",
     semhash::cli::RunInspect},
    {"verify", "check every checksum and invariant; exit 1 on any problem",
     semhash::cli::RunVerify},
    {"compact", "repack sparse posting lists and compact the tables",
     semhash::cli::RunCompact},
    {"calibrate",
     "measure the search plans' recall and cost; store it for the planner",
     semhash::cli::RunCalibrate},
    {"export", "write the stored codes, addresses and ids as .npy files",
     semhash::cli::RunExport},
    {"get", "show one image: address, code and payload", semhash::cli::RunGet},
    {"delete", "remove images by id, in one atomic write; count them",
     semhash::cli::RunDelete},
    {"backup",
     "a consistent copy of a live database, hard-linked where "
     "possible",
     semhash::cli::RunBackup},
    {"bench", "semhash against FAISS on the same codes: speed, recall, bytes",
     semhash::cli::RunBench},
};

int Usage(std::ostream& out, int exit_code) {
  out << "usage: semhash COMMAND [options]   (semhash COMMAND --help)\n"
      << "       semhash --version\n\n";
  for (const auto& sub : kSubcommands) {
    out << "  " << sub.name << "\t" << sub.summary << "\n";
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(std::cerr, semhash::cli::kExitUsage);
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    return Usage(std::cout, semhash::cli::kExitOk);
  }
  if (name == "--version") {
    // The loaded library's versions, which an upgraded libsemhash.so can
    // change under this program.
    std::cout << "semhash " << semhash::Version() << " (database format "
              << semhash::FormatVersion() << ")\n";
    return semhash::cli::kExitOk;
  }
  for (const auto& sub : kSubcommands) {
    if (name != sub.name) continue;
    try {
      return sub.run(argc - 1, argv + 1);
    } catch (const std::exception& e) {
      std::cerr << "semhash " << name << ": error: " << e.what() << "\n";
      return semhash::cli::kExitFailure;
    }
  }
  std::cerr << "semhash: unknown command '" << name << "'\n";
  return Usage(std::cerr, semhash::cli::kExitUsage);
}

// Runs the semhash binary (SEMHASH_CLI, set by CMake) for the end-to-end
// tests of its commands, and snapshots a database directory so a test can
// show that a command left every byte of it unchanged.
#ifndef SEMHASH_TESTS_TOOLS_CLI_RUNNER_H_
#define SEMHASH_TESTS_TOOLS_CLI_RUNNER_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace semhash::testing {

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr
};

inline Outcome Semhash(const std::string& args) {
  const std::string command = std::string(SEMHASH_CLI) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = ::pclose(pipe);
  return {WEXITSTATUS(status), output};
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every file of a directory with its contents: equal snapshots mean nothing
// on disk changed.
inline std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;  // segments/: its files are.
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().lexically_relative(dir)] = std::string(
        std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

// A command that must be refused: its exit code and a piece of its message.
struct BadCall {
  std::string args;
  int exit_code;
  std::string says;
};

// Runs each call and expects its exit code and message; with a non-empty
// `db_dir`, also that the call left every byte of it unchanged. With
// `require_output`, an empty message fails too (for calls whose `says` is "").
inline void ExpectRefused(const std::vector<BadCall>& calls,
                          const std::string& db_dir,
                          bool require_output = false) {
  const auto before =
      db_dir.empty() ? std::map<std::string, std::string>() : Snapshot(db_dir);
  for (const BadCall& call : calls) {
    const Outcome run = Semhash(call.args);
    EXPECT_EQ(run.exit_code, call.exit_code) << call.args << "\n" << run.output;
    EXPECT_NE(run.output.find(call.says), std::string::npos)
        << call.args << "\nsaid: " << run.output;
    if (require_output) {
      EXPECT_FALSE(run.output.empty()) << call.args;
    }
    if (!db_dir.empty()) {
      EXPECT_TRUE(Snapshot(db_dir) == before)
          << "database changed by " << call.args;
    }
  }
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_TOOLS_CLI_RUNNER_H_

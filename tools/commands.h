// The semhash subcommands; each takes argv from its own name on and returns
// the process exit code (0 ok, 1 failure, 2 usage error).
#ifndef SEMHASH_TOOLS_COMMANDS_H_
#define SEMHASH_TOOLS_COMMANDS_H_

namespace semhash::cli {

int RunBuild(int argc, char** argv);
int RunQuery(int argc, char** argv);
int RunEval(int argc, char** argv);
int RunTrain(int argc, char** argv);
int RunInspect(int argc, char** argv);
int RunVerify(int argc, char** argv);
int RunCompact(int argc, char** argv);
int RunCalibrate(int argc, char** argv);
int RunExport(int argc, char** argv);
int RunBackup(int argc, char** argv);
int RunDelete(int argc, char** argv);
int RunGet(int argc, char** argv);
int RunBench(int argc, char** argv);
int RunDedup(int argc, char** argv);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_COMMANDS_H_

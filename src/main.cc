// adflag: ranks exported public ad listings for human review. main() sets
// up logging, hands the command line to the parser and maps each
// command's outcome to the documented exit codes; nothing else.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>

#include "adflag/logging.h"
#include "adflag/scan.h"
#include "check_command.h"
#include "cli.h"
#include "diff_command.h"
#include "eval_command.h"
#include "interrupt.h"
#include "link_command.h"
#include "rules_command.h"
#include "test_command.h"

namespace {

constexpr int kExitDone = 0;
constexpr int kExitFailOn = 1;
constexpr int kExitCannotRun = 2;
constexpr int kExitTooManyRejects = 3;
// A run stopped by a signal exits with 128 plus its number, as shells do.
constexpr int kExitSignalBase = 128;

int ScanExitCode(const adflag::ScanReport& report) {
  switch (report.status) {
    case adflag::ScanStatus::kFailed:
      return kExitCannotRun;
    case adflag::ScanStatus::kTooManyRejects:
      return kExitTooManyRejects;
    case adflag::ScanStatus::kInterrupted:
      return kExitSignalBase + report.signal;
    case adflag::ScanStatus::kDone:
      break;
  }
  return report.fail_on_reached ? kExitFailOn : kExitDone;
}

int Run(int argc, char** argv) {
  // Usage errors are logged in the format asked for, before parsing.
  adflag::SetUpLogging(adflag::PeekLogFormat(argc, argv), false);
  adflag::CommandLine command_line;
  adflag::ParseResult parsed =
      adflag::ParseCommandLine(argc, argv, &command_line);
  if (!parsed.run) return parsed.exit_code;

  adflag::SetUpLogging(command_line.log_format, command_line.verbose);
  switch (command_line.command) {
    case adflag::Command::kScan:
      return ScanExitCode(adflag::RunScan(command_line.scan));
    case adflag::Command::kRules:
      return adflag::RunRulesCommand(command_line.rules);
    case adflag::Command::kCheck:
      return adflag::RunCheckCommand(command_line.check);
    case adflag::Command::kTest:
      return adflag::RunTestCommand(command_line.test);
    case adflag::Command::kDiff:
      return adflag::RunDiffCommand(command_line.diff);
    case adflag::Command::kEval:
      return adflag::RunEvalCommand(command_line.eval);
    case adflag::Command::kLink:
      return adflag::RunLinkCommand(command_line.link);
  }
  return kExitCannotRun;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed output pipe is reported by write() as EPIPE, not a signal.
  signal(SIGPIPE, SIG_IGN);
  // SIGINT and SIGTERM leave no temporary output file behind.
  adflag::RemoveTempFilesOnSignal();
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    // Run sets up logging first; should that have failed, plain text.
    if (spdlog::get("adflag") == nullptr) {
      std::fprintf(stderr, "adflag: internal error: %s\n", error.what());
    } else {
      spdlog::error("adflag: internal error: {}", error.what());
    }
    return kExitCannotRun;
  }
}

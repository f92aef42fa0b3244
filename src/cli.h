// The command line: parsed in one place into validated option structs, so
// nothing else in the program sees CLI11.

#ifndef ADFLAG_CLI_H_
#define ADFLAG_CLI_H_

#include <string>
#include <vector>

#include "adflag/scan.h"

namespace adflag {

// What `adflag rules` was asked to do.
struct RulesOptions {
  // Packs to list; empty means the built-in pack.
  std::vector<std::string> packs;
  // "table" or "json".
  std::string format = "table";
  // Write the built-in pack into this directory instead of listing.
  std::string export_dir;
};

enum class Command { kScan, kRules };

// The parsed command line.
struct CommandLine {
  Command command = Command::kScan;
  ScanOptions scan;
  RulesOptions rules;
  bool verbose = false;
};

// The result of parsing: either a command to run, or an exit code to end
// with (after --help, --version or a usage error, all printed already).
struct ParseResult {
  bool run = false;
  int exit_code = 0;
};

// Parses argv into *command_line. Help goes to stdout, usage errors to
// stderr with exit code 2.
ParseResult ParseCommandLine(int argc, char** argv, CommandLine* command_line);

}  // namespace adflag

#endif  // ADFLAG_CLI_H_

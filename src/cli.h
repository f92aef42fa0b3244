// The command line: parsed in one place into validated option structs, so
// nothing else in the program sees CLI11.

#ifndef ADFLAG_CLI_H_
#define ADFLAG_CLI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "adflag/logging.h"
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

// What `adflag check` was asked to do.
struct CheckOptions {
  // Packs to check; empty means the built-in pack.
  std::vector<std::string> packs;
  // Warnings fail the check too.
  bool strict = false;
};

// What `adflag test` was asked to do.
struct TestOptions {
  // Packs to test; empty means the built-in pack.
  std::vector<std::string> packs;
  // Rewrite the expected files of the regression cases from the pack.
  bool update = false;
  // Also write the results as JUnit XML here; empty: no.
  std::string junit_path;
};

// What `adflag diff` was asked to do.
struct DiffOptions {
  // The pack before and after the change; empty means the built-in pack.
  std::string base_rules;
  std::string head_rules;
  // Listing files; "-" is standard input. Empty means standard input.
  std::vector<std::string> inputs;
  // "text" or "jsonl".
  std::string format = "text";
  // Exit 1 when any listing's flag changed.
  bool fail_on_change = false;
  std::string id_field = "/id";
  uint64_t max_line_bytes = uint64_t{16} << 20;
};

// What `adflag eval` was asked to do.
struct EvalOptions {
  // Listing files; "-" is standard input. Empty means standard input.
  std::vector<std::string> inputs;
  // The label file ("-" for standard input).
  std::string labels_path;
  // The pack to measure; empty means the built-in pack.
  std::string rules_path;
  // "text" or "json".
  std::string format = "text";
  std::string id_field = "/id";
  // Break recall at medium down by this field's values; empty: no.
  std::string by_field;
  uint64_t max_line_bytes = uint64_t{16} << 20;
};

// What `adflag link` was asked to do.
struct LinkOptions {
  // Summary files, one per shard; "-" is standard input.
  std::vector<std::string> summaries;
  // Output file; empty means standard output.
  std::string output_path;
};

enum class Command { kScan, kRules, kCheck, kTest, kDiff, kEval, kLink };

// The parsed command line.
struct CommandLine {
  Command command = Command::kScan;
  ScanOptions scan;
  RulesOptions rules;
  CheckOptions check;
  TestOptions test;
  DiffOptions diff;
  EvalOptions eval;
  LinkOptions link;
  // scan -v: debug messages too.
  bool verbose = false;
  // --log-format, for every command.
  LogFormat log_format = LogFormat::kText;
};

// The result of parsing: either a command to run, or an exit code to end
// with (after --help, --version or a usage error, all printed already).
struct ParseResult {
  bool run = false;
  int exit_code = 0;
};

// Returns the log format argv asks for, before it is parsed, so that
// the errors of parsing can be logged in it: kJson when the last
// `--log-format` (before any `--`) is `json`, kText otherwise. A
// malformed value is reported by ParseCommandLine, as text.
LogFormat PeekLogFormat(int argc, char** argv);

// Parses argv into *command_line. Help and the version go to stdout;
// usage errors are logged through spdlog with exit code 2, so logging
// must be set up first (SetUpLogging with PeekLogFormat's format).
ParseResult ParseCommandLine(int argc, char** argv, CommandLine* command_line);

}  // namespace adflag

#endif  // ADFLAG_CLI_H_

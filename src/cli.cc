#include "cli.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>
#include <string_view>
#include <thread>

#include "adflag/entities.h"
#include "adflag/listing_parser.h"

namespace adflag {
namespace {

constexpr int kUsageError = 2;
constexpr int kMaxShards = 100000;

// Scan options that need a conversion or a check after parsing.
struct RawScanFlags {
  std::string fail_on;
  std::string format = "jsonl";
  std::string include;
  double min_score = -1;
  int64_t max_rejects = -1;
  int threads = 0;
  std::string shard;
  bool redact = false;
  std::string progress = "auto";
};

void AddScanLinking(CLI::App* scan, ScanOptions* options, RawScanFlags* raw) {
  scan->add_flag("--link", options->link,
                 "Link listings through shared contacts and templates, "
                 "even when no rule on links is scored");
  auto* links = scan->add_option(
      "--links", options->links_path,
      "Score with this merged link summary (from 'adflag link')");
  scan->add_option("--emit-summary", options->emit_summary_path,
                   "Write the link summary of the inputs here instead of "
                   "flags, for 'adflag link'")
      ->excludes(links)
      ->excludes(scan->get_option("--output"));
  scan->add_option("--phone-region", options->phone_region,
                   "Region of phone numbers without a country code "
                   "(default US)");
  scan->add_option("--shard", raw->shard,
                   "K/N: read only the K-th of N equal parts of the input "
                   "file, as one shard of a split run");
}

void AddScanSharing(CLI::App* scan, ScanOptions* options, RawScanFlags* raw) {
  scan->add_option("--baseline", options->baseline_path,
                   "An earlier JSONL output: give each record a status, "
                   "new, changed or seen");
  scan->add_flag("--new-only", options->new_only,
                 "With --baseline: leave out the records it has seen");
  scan->add_flag("--redact", raw->redact,
                 "Replace phones, emails and handles by keyed hashes");
  scan->add_option("--redact-key-file", options->redact_key_path,
                   "The key of --redact (at least 16 bytes)");
}

// The options of what a scan says on stderr besides its data.
void AddScanDiagnostics(CLI::App* scan, CommandLine* line, RawScanFlags* raw) {
  scan->add_flag("-q,--quiet", line->scan.quiet,
                 "No summary, no notes on rejected lines and no progress "
                 "line (unless --progress always)");
  scan->add_flag("-v,--verbose", line->verbose, "Say more on stderr");
  scan->add_flag("--profile", line->scan.profile,
                 "Print the time per stage and per rule to stderr");
  scan->add_option("--progress", raw->progress,
                   "Progress line on stderr: auto (on a terminal, not in "
                   "CI nor with -q), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

void AddScan(CLI::App& app, CommandLine* line, RawScanFlags* raw) {
  CLI::App* scan = app.add_subcommand(
      "scan", "Flag the listings of JSON-lines inputs for review");
  ScanOptions& options = line->scan;
  scan->add_option("inputs", options.inputs,
                   "Listing files (.jsonl, .gz, .zst); '-' or none: stdin");
  scan->add_option("-r,--rules", options.rules_path,
                   "Rule pack directory or file (default: built-in pack)");
  scan->add_option("-o,--output", options.output_path,
                   "Write flags here (atomically) instead of stdout");
  scan->add_option("-f,--format", raw->format,
                   "Output format: jsonl, csv (RFC 4180, a header row) or "
                   "html (a review page sorted by score)")
      ->check(CLI::IsMember({"jsonl", "csv", "html"}));
  scan->add_flag("--all", options.all, "Write every listing, flagged or not");
  scan->add_option("--min-score", raw->min_score,
                   "Write listings from this score (default: pack threshold)")
      ->check(CLI::Range(0.0, 1.0));
  scan->add_option("--include", raw->include,
                   "Copy these fields into the output, comma-separated");
  scan->add_option("--id-field", options.id_field,
                   "JSON pointer or name of the listing id (default /id)");
  scan->add_option("--threads", raw->threads,
                   "Worker threads (default: the machine's cores)")
      ->check(CLI::Range(1, 256));
  scan->add_option("--rejects", options.rejects_path,
                   "Write every rejected line here, byte for byte");
  scan->add_option("--max-rejects", raw->max_rejects,
                   "Exit 3 once more than N lines are rejected")
      ->check(CLI::NonNegativeNumber);
  scan->add_option("--max-line-bytes", options.max_line_bytes,
                   "Reject lines longer than this (default 16 MiB)")
      ->check(CLI::PositiveNumber);
  scan->add_option("--stats", options.stats_path,
                   "Write the run summary as JSON here");
  scan->add_option("--fail-on", raw->fail_on,
                   "Exit 1 when a listing is flagged at this level or above")
      ->check(CLI::IsMember({"low", "medium", "high"}));
  scan->add_flag("--strict-utf8", options.strict_utf8,
                 "Reject lines with invalid UTF-8 instead of repairing them");
  AddScanDiagnostics(scan, line, raw);
  AddScanLinking(scan, &options, raw);
  AddScanSharing(scan, &options, raw);
  scan->callback([line] { line->command = Command::kScan; });
}

void AddRules(CLI::App& app, CommandLine* line) {
  CLI::App* rules =
      app.add_subcommand("rules", "List the rules of a pack, or export one");
  RulesOptions& options = line->rules;
  rules->add_option("packs", options.packs,
                    "Rule pack directories or files (default: built-in)");
  rules->add_option("--format", options.format, "Listing format")
      ->check(CLI::IsMember({"table", "json"}));
  rules->add_option("--export", options.export_dir,
                    "Write the built-in pack into this directory");
  rules->callback([line] { line->command = Command::kRules; });
}

void AddCheck(CLI::App& app, CommandLine* line) {
  CLI::App* check = app.add_subcommand(
      "check", "Lint rule packs: FILE:LINE:COL: error|warning: message");
  check->add_option("packs", line->check.packs,
                    "Rule pack directories or files (default: built-in)");
  check->add_flag("--strict", line->check.strict, "Warnings fail too");
  check->callback([line] { line->command = Command::kCheck; });
}

void AddTest(CLI::App& app, CommandLine* line) {
  CLI::App* test = app.add_subcommand(
      "test", "Run rule examples and the pack's regression cases");
  TestOptions& options = line->test;
  test->add_option("packs", options.packs,
                   "Rule pack directories (default: built-in)");
  test->add_flag("--update", options.update,
                 "Rewrite the expected files from the current pack");
  test->add_option("--junit", options.junit_path,
                   "Also write the results as JUnit XML here");
  test->callback([line] { line->command = Command::kTest; });
}

void AddDiff(CLI::App& app, CommandLine* line) {
  CLI::App* diff = app.add_subcommand(
      "diff", "Show which listings change flags between two packs");
  DiffOptions& options = line->diff;
  diff->add_option("--base", options.base_rules, "The pack before")->required();
  diff->add_option("--head", options.head_rules, "The pack after")->required();
  diff->add_option("inputs", options.inputs,
                   "Listing files (.jsonl, .gz, .zst); '-' or none: stdin");
  diff->add_option("--format", options.format, "Report format")
      ->check(CLI::IsMember({"text", "jsonl"}));
  diff->add_flag("--fail-on-change", options.fail_on_change,
                 "Exit 1 when any listing's flag changed");
  diff->add_option("--id-field", options.id_field,
                   "JSON pointer or name of the listing id (default /id)");
  diff->add_option("--max-line-bytes", options.max_line_bytes,
                   "Reject lines longer than this (default 16 MiB)")
      ->check(CLI::PositiveNumber);
  diff->callback([line] { line->command = Command::kDiff; });
}

void AddLink(CLI::App& app, CommandLine* line) {
  CLI::App* link = app.add_subcommand(
      "link", "Merge the link summaries of the shards of one run");
  LinkOptions& options = line->link;
  link->add_option("summaries", options.summaries,
                   "Summaries written by 'adflag scan --emit-summary'")
      ->required();
  link->add_option("-o,--output", options.output_path,
                   "Output file (default: standard output)");
  link->callback([line] { line->command = Command::kLink; });
}

void AddEval(CLI::App& app, CommandLine* line) {
  CLI::App* eval = app.add_subcommand(
      "eval", "Measure a pack against labeled listings: precision, recall");
  EvalOptions& options = line->eval;
  eval->add_option("inputs", options.inputs,
                   "Listing files (.jsonl, .gz, .zst); '-' or none: stdin");
  eval->add_option("--labels", options.labels_path,
                   "Labels: id<TAB>0|1, or id<TAB>families<TAB>weight")
      ->required();
  eval->add_option("-r,--rules", options.rules_path,
                   "Rule pack directory or file (default: built-in pack)");
  eval->add_option("--format", options.format, "Report format")
      ->check(CLI::IsMember({"text", "json"}));
  eval->add_option("--id-field", options.id_field,
                   "JSON pointer or name of the listing id (default /id)");
  eval->add_option("--by", options.by_field,
                   "Break recall at medium down by this field's values");
  eval->add_option("--max-line-bytes", options.max_line_bytes,
                   "Reject lines longer than this (default 16 MiB)")
      ->check(CLI::PositiveNumber);
  eval->callback([line] { line->command = Command::kEval; });
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

// Reads --shard K/N into *options. Returns an error message, or an empty
// string.
std::string ParseShard(const std::string& text, ScanOptions* options) {
  int shard = 0;
  int shards = 0;
  char slash = 0;
  char extra = 0;
  std::istringstream in(text);
  in >> shard >> slash >> shards;
  if (!in || slash != '/' || in.get(extra) || shard < 1 || shards < 1 ||
      shard > shards || shards > kMaxShards) {
    return "--shard: '" + text +
           "' is not K/N with 1 <= K <= N <= " + std::to_string(kMaxShards);
  }
  if (options->inputs.size() != 1 || options->inputs[0] == "-") {
    return "--shard: give exactly one input file, the file split into "
           "shards";
  }
  options->shard = shard;
  options->shards = shards;
  return "";
}

// Checks the options of the output format, baselines and redaction.
// Returns an error message, or an empty string.
std::string FinishSharing(const RawScanFlags& raw, ScanOptions* options) {
  if (raw.format == "csv") options->format = OutputFormat::kCsv;
  if (options->new_only && options->baseline_path.empty()) {
    return "--new-only needs --baseline PREVIOUS.jsonl";
  }
  if (raw.redact && options->redact_key_path.empty()) {
    return "--redact needs --redact-key-file FILE";
  }
  if (!raw.redact && !options->redact_key_path.empty()) {
    return "--redact-key-file needs --redact";
  }
  if (options->emit_summary_path.empty()) return "";
  if (raw.redact) {
    return "--emit-summary writes a link summary, which holds contacts; "
           "--redact applies to flags, in the run with --links";
  }
  if (!options->baseline_path.empty() || options->new_only) {
    return "--emit-summary writes a link summary, not flags: --baseline "
           "applies to the run with --links";
  }
  if (options->format != OutputFormat::kJsonl) {
    return "--emit-summary writes a link summary, not flags: --format "
           "applies to the run with --links";
  }
  return "";
}

// Reads the fields of --include and checks them and --id-field. Returns
// an error message, or an empty string.
std::string FinishFields(const RawScanFlags& raw, ScanOptions* options) {
  options->include_fields = SplitList(raw.include);
  for (const std::string& field : options->include_fields) {
    if (!IsValidPointer(FieldPointer(field))) {
      return "--include: '" + field + "' is not a valid JSON pointer";
    }
  }
  if (!IsValidPointer(FieldPointer(options->id_field))) {
    return "--id-field: '" + options->id_field +
           "' is not a valid JSON pointer";
  }
  return "";
}

// Turns the raw flags into the validated ScanOptions. Returns an error
// message, or an empty string.
std::string FinishScan(const RawScanFlags& raw, ScanOptions* options) {
  if (raw.format == "html") options->format = OutputFormat::kHtml;
  if (raw.progress == "always") options->progress = ProgressMode::kAlways;
  if (raw.progress == "never") options->progress = ProgressMode::kNever;
  // An analyst who says -q wants silence; only `always` still draws.
  if (options->quiet && options->progress == ProgressMode::kAuto) {
    options->progress = ProgressMode::kNever;
  }
  std::string sharing = FinishSharing(raw, options);
  if (!sharing.empty()) return sharing;
  if (raw.min_score >= 0) options->min_score = raw.min_score;
  if (raw.max_rejects >= 0) options->max_rejects = raw.max_rejects;
  if (!raw.fail_on.empty()) {
    Level level;
    ParseLevel(raw.fail_on, &level);
    options->fail_on = level;
  }
  options->threads = raw.threads > 0
                         ? raw.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  std::string fields = FinishFields(raw, options);
  if (!fields.empty()) return fields;
  if (options->format == OutputFormat::kHtml &&
      !options->emit_summary_path.empty()) {
    return "--format html: --emit-summary writes a link summary, not flags";
  }
  if (!raw.shard.empty()) {
    std::string problem = ParseShard(raw.shard, options);
    if (!problem.empty()) return problem;
  }
  if (!IsKnownPhoneRegion(options->phone_region)) {
    return "--phone-region: '" + options->phone_region +
           "' is not a region code such as US, MX or GB";
  }
  return "";
}

// Logs what CLI11 says of a parse error, one log line a line of its
// text: the reason as an error, its hint ("Run with --help ...") as info.
void LogParseError(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (first) {
      spdlog::error("{}", line);
    } else {
      spdlog::info("{}", line);
    }
    first = false;
  }
}

}  // namespace

LogFormat PeekLogFormat(int argc, char** argv) {
  constexpr std::string_view kOption = "--log-format";
  LogFormat format = LogFormat::kText;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    std::string_view value;
    if (arg == kOption && i + 1 < argc) {
      value = argv[++i];
    } else if (arg.size() > kOption.size() && arg.starts_with(kOption) &&
               arg[kOption.size()] == '=') {
      value = arg.substr(kOption.size() + 1);
    } else {
      continue;
    }
    format = value == "json" ? LogFormat::kJson : LogFormat::kText;
  }
  return format;
}

ParseResult ParseCommandLine(int argc, char** argv, CommandLine* command_line) {
  CLI::App app{
      "adflag: ranks exported ad listings for human review, with the "
      "evidence for every flag"};
  app.set_version_flag("--version", "adflag 0.1.0");
  app.require_subcommand(1);
  // Options of the app may follow the subcommand too.
  app.fallthrough();
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "Diagnostics on stderr as text lines, or as JSON lines "
                 "(time, level, message) for log collectors")
      ->check(CLI::IsMember({"text", "json"}));
  RawScanFlags raw;
  AddScan(app, command_line, &raw);
  AddRules(app, command_line);
  AddCheck(app, command_line);
  AddTest(app, command_line);
  AddDiff(app, command_line);
  AddEval(app, command_line);
  AddLink(app, command_line);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help and the version go to stdout; the reason of a usage error is
    // logged, so that it is a JSON line under --log-format json.
    std::ostringstream failure;
    int code = app.exit(error, std::cout, failure);
    LogParseError(failure.str());
    return {false, code == 0 ? 0 : kUsageError};
  }

  if (log_format == "json") {
    command_line->log_format = LogFormat::kJson;
    command_line->scan.json_log = true;
  }
  if (command_line->command == Command::kScan) {
    std::string problem = FinishScan(raw, &command_line->scan);
    if (!problem.empty()) {
      spdlog::error("adflag scan: {}", problem);
      return {false, kUsageError};
    }
  }
  return {true, 0};
}

}  // namespace adflag

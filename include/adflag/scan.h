// `adflag scan`: reads listings, matches them against a rule pack and
// writes a flag for each listing that deserves review.
//
// The run is a streaming pipeline. A reader cuts the
// inputs into batches of lines; a pool of workers parses, normalizes,
// matches and scores each batch and formats its output; the writer puts
// the batches back in input order. At most a few batches per worker are
// in flight, so memory does not grow with the input, and the output is
// the same byte for byte whatever the number of threads.

#ifndef ADFLAG_SCAN_H_
#define ADFLAG_SCAN_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adflag/progress.h"
#include "adflag/scorer.h"

namespace adflag {

// How flags are written.
enum class OutputFormat {
  // One JSON object per line, in input order.
  kJsonl,
  // A header row, then one CSV row per listing (csv_writer.h).
  kCsv,
  // One self-contained review page, sorted by score (review_page.h).
  kHtml,
};

// Everything `adflag scan` was asked to do, validated by the command line
// parser.
struct ScanOptions {
  // Input paths; "-" is standard input. Empty means standard input.
  std::vector<std::string> inputs;
  // Rule pack directory or file; empty means the built-in pack.
  std::string rules_path;
  // Output file; empty means standard output.
  std::string output_path;
  OutputFormat format = OutputFormat::kJsonl;
  // File that receives every rejected line byte for byte; empty: none.
  std::string rejects_path;
  // File that receives the run summary as JSON; empty: none.
  std::string stats_path;
  bool all = false;
  std::optional<double> min_score;
  std::vector<std::string> include_fields;
  std::string id_field = "/id";
  // Worker threads; at least 1.
  int threads = 1;
  std::optional<uint64_t> max_rejects;
  std::optional<Level> fail_on;
  bool strict_utf8 = false;
  uint64_t max_line_bytes = uint64_t{16} << 20;
  // Suppress the summary and the notes about rejected lines.
  bool quiet = false;
  // Print the time per stage and per rule to stderr at the end.
  bool profile = false;
  // When to show the progress line on stderr.
  ProgressMode progress = ProgressMode::kAuto;
  // Logs are JSON lines (--log-format json): progress is then never drawn
  // in place.
  bool json_log = false;
  // --link: link the listings of the run even when no rule on links
  // counts toward the score.
  bool link = false;
  // --links: a merged link summary to score with; empty: none.
  std::string links_path;
  // --emit-summary: write the run's link summary here ("-": standard
  // output) instead of flags; empty: none.
  std::string emit_summary_path;
  // The region of phone numbers written without a country code.
  std::string phone_region = "US";
  // --shard K/N: read only part `shard` (1-based) of `shards` equal byte
  // ranges of the one input file, numbering lines as in the whole file.
  int shard = 1;
  int shards = 1;
  // --baseline: an earlier JSONL output of adflag scan; records get a
  // status against it. Empty: none.
  std::string baseline_path;
  // --new-only: records the baseline has seen are not written.
  bool new_only = false;
  // --redact --redact-key-file: replace contacts by tokens keyed with the
  // key in this file (redaction.h). Empty: no redaction.
  std::string redact_key_path;
};

// The counts of one run. For every run,
// lines == listings + blank + rejected.
struct RunStats {
  uint64_t lines = 0;
  uint64_t listings = 0;
  uint64_t blank = 0;
  uint64_t rejected = 0;
  uint64_t repaired = 0;
  // Flagged listings by Level (none, low, medium, high).
  std::array<uint64_t, 4> flagged = {0, 0, 0, 0};
  // Listings that fired each rule of the pack, in pack order.
  std::vector<uint64_t> rule_hits;
  // With a baseline: the listings to be written by BaselineStatus (new,
  // changed, seen), counting the seen ones --new-only leaves out.
  std::array<uint64_t, 3> baseline = {0, 0, 0};
  double seconds = 0;

  // Adds the counts of `other`, which covers later lines of the same run.
  void Add(const RunStats& other);
  uint64_t flagged_total() const;
};

// How a scan ended.
enum class ScanStatus {
  // Every line was read and accounted for.
  kDone,
  // The job could not be done: bad rules, unreadable input, output error.
  kFailed,
  // More lines were rejected than --max-rejects allows.
  kTooManyRejects,
  // SIGINT or SIGTERM stopped the run before the end of its input.
  kInterrupted,
};

// The outcome of a scan.
struct ScanReport {
  ScanStatus status = ScanStatus::kDone;
  // True when a listing reached the --fail-on level.
  bool fail_on_reached = false;
  // The signal that stopped an interrupted run, or 0.
  int signal = 0;
  RunStats stats;
};

// Runs a scan. Diagnostics go to the log (standard error); data goes to
// the output. Never throws for bad input. SIGINT and SIGTERM stop the
// scan while it runs (kInterrupted), leaving no file at the output path.
ScanReport RunScan(const ScanOptions& options);

}  // namespace adflag

#endif  // ADFLAG_SCAN_H_

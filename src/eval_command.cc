#include "eval_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/diagnostic.h"
#include "adflag/evaluation.h"
#include "adflag/line_reader.h"
#include "adflag/listing_parser.h"
#include "adflag/pack_scanner.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"
#include "output_file.h"

namespace adflag {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kDone = 0;
constexpr int kCannotRun = 2;

// Only the first few rejected lines are named on stderr.
constexpr uint64_t kNotesShown = 10;

// The group of a listing that lacks the --by field, or holds null there.
constexpr const char* kNoGroup = "(none)";

// The line counts of a run. lines == listings + blank + rejected.
struct LineCounts {
  uint64_t lines = 0;
  uint64_t listings = 0;
  uint64_t blank = 0;
  uint64_t rejected = 0;
};

// Everything the report shows.
struct EvalReport {
  const EvalOptions* options = nullptr;
  const RulePack* pack = nullptr;
  LineCounts lines;
  const EvaluationCounts* counts = nullptr;
  uint64_t labels_without_listing = 0;
};

// Returns a ratio as the text report prints it.
std::string Ratio(double value) { return fmt::format("{:.4f}", value); }

// Returns `text` with control characters, which would break the report's
// lines, replaced by '?'.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

// "3 listings", "1 listing".
std::string Count(uint64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Returns true when the rule is run and so can fire.
bool IsRun(const Rule& rule) { return rule.status != RuleStatus::kDeprecated; }

}  // namespace

// The text report.
namespace {

using Row = std::vector<std::string>;

// Lays out rows as columns two spaces apart. `align` holds 'l' or 'r' per
// column; the first row is the header.
std::string FormatTable(const std::vector<Row>& rows,
                        const std::string& align) {
  std::vector<size_t> widths(align.size(), 0);
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }

  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      line += align[i] == 'l' ? fmt::format("{:<{}}", row[i], widths[i])
                              : fmt::format("{:>{}}", row[i], widths[i]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string TextHeader(const EvalReport& report) {
  const EvaluationCounts& counts = *report.counts;
  const LineCounts& lines = report.lines;
  std::string pack = report.pack->settings.name;
  if (!report.pack->settings.version.empty()) {
    pack += " " + report.pack->settings.version;
  }
  std::string out =
      "pack " + pack + ", " + Count(counts.labeled, "labeled listing") + " (" +
      std::to_string(counts.positive) + " positive, " +
      std::to_string(counts.labeled - counts.positive) + " negative)\n";
  out += Count(lines.listings, "listing") + " read (" +
         Count(lines.lines, "line") + ": " + std::to_string(lines.blank) +
         " blank, " + std::to_string(lines.rejected) + " rejected), " +
         std::to_string(counts.unlabeled) + " unlabeled; " +
         std::to_string(report.labels_without_listing) +
         (report.labels_without_listing == 1 ? " label" : " labels") +
         " with no listing\n";
  return out;
}

std::string TextLevels(const EvaluationCounts& counts) {
  std::vector<Row> rows = {
      {"flagged at", "TP", "FP", "FN", "TN", "precision", "recall", "F1"}};
  for (size_t i = 0; i < kEvaluatedLevels.size(); ++i) {
    const Confusion& c = counts.levels[i];
    rows.push_back(
        {LevelName(kEvaluatedLevels[i]), std::to_string(c.true_positive),
         std::to_string(c.false_positive), std::to_string(c.false_negative),
         std::to_string(c.true_negative), Ratio(c.precision()),
         Ratio(c.recall()), Ratio(c.f1())});
  }
  return FormatTable(rows, "lrrrrrrr");
}

std::string TextRules(const RulePack& pack, const EvaluationCounts& counts) {
  std::vector<Row> rows = {
      {"rule", "status", "fired", "positive", "precision"}};
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    const Rule& rule = pack.rules[r];
    if (!IsRun(rule)) continue;
    const RuleTally& tally = counts.rules[r];
    bool shadow = rule.status == RuleStatus::kExperimental;
    rows.push_back({rule.id, shadow ? "shadow" : "counted",
                    std::to_string(tally.fired), std::to_string(tally.positive),
                    Ratio(tally.precision())});
  }
  return FormatTable(rows, "llrrr");
}

std::string TextGroups(const std::string& field,
                       const EvaluationCounts& counts) {
  std::vector<Row> rows = {{field, "positive", "found", "recall"}};
  for (const auto& [group, c] : counts.groups) {
    rows.push_back({Printable(group),
                    std::to_string(c.true_positive + c.false_negative),
                    std::to_string(c.true_positive), Ratio(c.recall())});
  }
  return "recall at medium by " + Printable(field) + ":\n" +
         FormatTable(rows, "lrrr");
}

std::string TextReport(const EvalReport& report) {
  std::string out = TextHeader(report) + "\n" + TextLevels(*report.counts);
  out += '\n';
  out += TextRules(*report.pack, *report.counts);
  if (!report.options->by_field.empty()) {
    out += '\n';
    out += TextGroups(report.options->by_field, *report.counts);
  }
  out +=
      "\nA level counts the listings flagged at that level or above; "
      "precision,\nrecall and F1 are 0 where they would be 0/0.\n";
  return out;
}

}  // namespace

// The JSON report.
namespace {

Json ConfusionJson(const Confusion& c) {
  Json json;
  json["tp"] = c.true_positive;
  json["fp"] = c.false_positive;
  json["fn"] = c.false_negative;
  json["tn"] = c.true_negative;
  json["precision"] = RoundRatio(c.precision());
  json["recall"] = RoundRatio(c.recall());
  json["f1"] = RoundRatio(c.f1());
  return json;
}

Json RulesJson(const RulePack& pack, const EvaluationCounts& counts) {
  Json rules = Json::array();
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    const Rule& rule = pack.rules[r];
    if (!IsRun(rule)) continue;
    const RuleTally& tally = counts.rules[r];
    rules.push_back({{"id", rule.id},
                     {"shadow", rule.status == RuleStatus::kExperimental},
                     {"fired", tally.fired},
                     {"positive", tally.positive},
                     {"precision", RoundRatio(tally.precision())}});
  }
  return rules;
}

Json GroupsJson(const std::string& field, const EvaluationCounts& counts) {
  Json groups = Json::object();
  for (const auto& [group, c] : counts.groups) {
    groups[group] = {{"positive", c.true_positive + c.false_negative},
                     {"found", c.true_positive},
                     {"recall", RoundRatio(c.recall())}};
  }
  return {{"field", field}, {"level", "medium"}, {"groups", groups}};
}

std::string JsonReport(const EvalReport& report) {
  const EvaluationCounts& counts = *report.counts;
  Json json;
  json["pack"] = {{"name", report.pack->settings.name},
                  {"version", report.pack->settings.version}};
  json["lines"] = report.lines.lines;
  json["listings"] = report.lines.listings;
  json["blank"] = report.lines.blank;
  json["rejected"] = report.lines.rejected;
  json["labeled"] = counts.labeled;
  json["positive"] = counts.positive;
  json["negative"] = counts.labeled - counts.positive;
  json["unlabeled"] = counts.unlabeled;
  json["labels_without_listing"] = report.labels_without_listing;
  Json levels;
  for (size_t i = 0; i < kEvaluatedLevels.size(); ++i) {
    levels[LevelName(kEvaluatedLevels[i])] = ConfusionJson(counts.levels[i]);
  }
  json["levels"] = std::move(levels);
  json["rules"] = RulesJson(*report.pack, counts);
  if (!report.options->by_field.empty()) {
    json["by"] = GroupsJson(report.options->by_field, counts);
  }
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace

// The run.
namespace {

// Returns the --by group of a listing from the minified JSON of its field.
std::string GroupOf(const std::optional<std::string>& value) {
  if (!value.has_value() || *value == "null") return kNoGroup;
  if (value->empty() || value->front() != '"') return *value;
  Json text = Json::parse(*value, nullptr, false);
  return text.is_string() ? text.get<std::string>() : *value;
}

// Reads the inputs through the pack and counts every listing.
class EvalRun {
 public:
  EvalRun(const EvalOptions& options, PackScanner* scanner, LabelSet labels)
      : options_(options),
        scanner_(scanner),
        evaluation_(std::move(labels), scanner->pack().rules.size()) {}

  // Reads one input to its end. Returns false, having logged why, when it
  // cannot be read or turns out corrupt.
  bool Read(const std::string& input) {
    std::string error;
    auto reader = LineReader::Open(input, options_.max_line_bytes, &error);
    if (reader == nullptr) return Fail(error);

    Line line;
    while (reader->Next(&line)) EvalLine(reader->name(), line);
    if (!reader->error().empty()) return Fail(reader->error());
    return true;
  }

  // Writes the report. Returns the exit code.
  int Finish() {
    uint64_t unnamed = lines_.rejected - std::min(lines_.rejected, shown_);
    if (unnamed > 0) {
      spdlog::warn("adflag: {} more rejected lines not named here", unnamed);
    }
    if (lines_.listings > 0 && evaluation_.counts().labeled == 0) {
      spdlog::warn("adflag eval: no listing has a label; check --id-field");
    }
    EvalReport report{&options_, &scanner_->pack(), lines_,
                      &evaluation_.counts(),
                      evaluation_.labels_without_listing()};
    std::string text =
        options_.format == "json" ? JsonReport(report) : TextReport(report);

    OutputFile output;
    std::string error;
    if (!output.Open("", &error) || !output.Write(text, &error)) {
      Fail(error);
      return kCannotRun;
    }
    return kDone;
  }

 private:
  void EvalLine(const std::string& source, const Line& line) {
    ++lines_.lines;
    if (line.too_long) {
      Reject(source, line, TooLongReason(options_.max_line_bytes));
      return;
    }
    std::string_view content = line.content();
    if (IsBlankLine(content)) {
      ++lines_.blank;
      return;
    }

    RejectReason reason;
    if (!scanner_->Scan(content, &reason)) {
      Reject(source, line, reason);
      return;
    }
    ++lines_.listings;
    const Listing& listing = scanner_->listing();
    std::string id =
        listing.has_id ? listing.id : FormatLinePlace(source, line.number);
    evaluation_.Add(id, PredictionOf(listing));
  }

  Prediction PredictionOf(const Listing& listing) const {
    const Verdict& verdict = scanner_->verdict();
    Prediction prediction;
    prediction.flagged = scanner_->flagged();
    prediction.level = verdict.level;
    for (const RuleMatch& match : verdict.counted) {
      prediction.fired_rules.push_back(match.rule);
    }
    for (const RuleMatch& match : verdict.shadow) {
      prediction.fired_rules.push_back(match.rule);
    }
    if (!options_.by_field.empty()) {
      prediction.group = GroupOf(listing.included[0]);
    }
    return prediction;
  }

  void Reject(const std::string& source, const Line& line,
              const RejectReason& reason) {
    ++lines_.rejected;
    if (shown_ >= kNotesShown) return;
    ++shown_;
    spdlog::warn("{}", RejectNote(source, line.number, reason));
  }

  // Logs the error that ends the run. Returns false.
  bool Fail(const std::string& message) {
    spdlog::error("adflag: error: {}", message);
    return false;
  }

  const EvalOptions& options_;
  PackScanner* scanner_;
  Evaluation evaluation_;
  LineCounts lines_;
  uint64_t shown_ = 0;
};

// Loads and compiles the pack of the options, printing every diagnostic.
// Returns null when the pack has errors.
std::unique_ptr<PackScanner> LoadScanner(const EvalOptions& options) {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  std::unique_ptr<PackScanner> scanner;
  if (LoadPackOrBuiltin(options.rules_path, &pack, &diagnostics)) {
    ListingFields fields;
    fields.id_field = options.id_field;
    if (!options.by_field.empty()) fields.included_fields = {options.by_field};
    scanner = PackScanner::Create(std::move(pack), fields, &diagnostics);
  }
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  return scanner;
}

// Returns an error message for options that cannot work together, or an
// empty string.
std::string ValidateOptions(const EvalOptions& options,
                            const std::vector<std::string>& inputs) {
  if (!IsValidPointer(FieldPointer(options.id_field))) {
    return "--id-field: '" + options.id_field + "' is not a valid JSON pointer";
  }
  if (!options.by_field.empty() &&
      !IsValidPointer(FieldPointer(options.by_field))) {
    return "--by: '" + options.by_field + "' is not a valid JSON pointer";
  }
  bool stdin_input = std::count(inputs.begin(), inputs.end(), "-") > 0;
  if (options.labels_path == "-" && stdin_input) {
    return "--labels and the listings cannot both be standard input";
  }
  return "";
}

}  // namespace

int RunEvalCommand(const EvalOptions& options) {
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.push_back("-");
  std::string error = ValidateOptions(options, inputs);
  if (!error.empty()) {
    spdlog::error("adflag eval: {}", error);
    return kCannotRun;
  }

  LabelSet labels;
  if (!ReadLabels(options.labels_path, &labels, &error)) {
    spdlog::error("adflag: error: {}", error);
    return kCannotRun;
  }
  std::unique_ptr<PackScanner> scanner = LoadScanner(options);
  if (scanner == nullptr) return kCannotRun;
  if (!CheckInputsReadable(inputs, &error) ||
      !GatherInputs(inputs, options.max_line_bytes, {scanner.get()}, &error)) {
    spdlog::error("adflag: error: {}", error);
    return kCannotRun;
  }

  EvalRun run(options, scanner.get(), std::move(labels));
  for (const std::string& input : inputs) {
    if (!run.Read(input)) return kCannotRun;
  }
  return run.Finish();
}

}  // namespace adflag

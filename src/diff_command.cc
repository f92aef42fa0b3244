#include "diff_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/diagnostic.h"
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
constexpr int kChanged = 1;
constexpr int kCannotRun = 2;

// Only the first few rejected lines are named on stderr.
constexpr uint64_t kNotesShown = 10;

// The report is written to stdout in pieces of about this size.
constexpr size_t kFlushBytes = size_t{64} << 10;

// Levels that flagged listings are counted under, most severe first.
constexpr std::array<Level, 3> kFlagLevels = {Level::kHigh, Level::kMedium,
                                              Level::kLow};

// What one pack made of a listing, as the diff compares and reports it.
struct Side {
  bool flagged = false;
  Level level = Level::kNone;
  double score = 0;
  // Ids of the counted and of the shadow rules that fired, in pack order.
  std::vector<std::string> rules;
  std::vector<std::string> shadow;
};

// How a listing's verdict changed from base to head.
enum class Change {
  kNone,
  // Not flagged by the base pack, flagged by the head pack.
  kGained,
  // Flagged by the base pack, not by the head pack.
  kLost,
  // Flagged by both, at different levels.
  kLevel,
  // Same flag and level; the score or the fired rules differ.
  kOther,
};

// Returns the name of a change in the JSON report.
const char* ChangeName(Change change) {
  switch (change) {
    case Change::kGained:
      return "gained";
    case Change::kLost:
      return "lost";
    case Change::kLevel:
      return "level";
    case Change::kOther:
      return "other";
    case Change::kNone:
      break;
  }
  return "none";
}

// A listing whose verdict changed, with where it came from.
struct ListingChange {
  std::string id;
  bool has_id = false;
  std::string source;
  uint64_t line = 0;
  Change change = Change::kNone;
  Side base;
  Side head;
};

// How many listings fired a rule under each pack, and how many fired it
// under one pack only.
struct RuleCounts {
  uint64_t base = 0;
  uint64_t head = 0;
  uint64_t gained = 0;
  uint64_t lost = 0;
};

// The counts of a diff. lines == listings + blank + rejected.
struct DiffSummary {
  uint64_t lines = 0;
  uint64_t listings = 0;
  uint64_t blank = 0;
  uint64_t rejected = 0;
  // Listings by Change; changes[0] counts the unchanged ones.
  std::array<uint64_t, 5> changes = {0, 0, 0, 0, 0};
  // Flagged listings by Level, under each pack.
  std::array<uint64_t, 4> base_flagged = {0, 0, 0, 0};
  std::array<uint64_t, 4> head_flagged = {0, 0, 0, 0};
  // Every rule id that fired under either pack, in id order.
  std::map<std::string, RuleCounts> rules;

  uint64_t count(Change change) const {
    return changes[static_cast<int>(change)];
  }
  uint64_t changed() const { return listings - count(Change::kNone); }
};

// Returns the ids of the rules in `matches`.
std::vector<std::string> RuleIds(const RulePack& pack,
                                 const std::vector<RuleMatch>& matches) {
  std::vector<std::string> ids;
  ids.reserve(matches.size());
  for (const RuleMatch& match : matches) {
    ids.push_back(pack.rules[match.rule].id);
  }
  return ids;
}

// Returns what the last listing `scanner` scanned came to.
Side SideOf(const PackScanner& scanner) {
  Side side;
  side.flagged = scanner.flagged();
  side.level = scanner.verdict().level;
  side.score = scanner.verdict().score;
  side.rules = RuleIds(scanner.pack(), scanner.verdict().counted);
  side.shadow = RuleIds(scanner.pack(), scanner.verdict().shadow);
  return side;
}

// Returns true when both lists hold the same ids, in whatever order.
bool SameIds(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

Change Classify(const Side& base, const Side& head) {
  if (base.flagged != head.flagged) {
    return head.flagged ? Change::kGained : Change::kLost;
  }
  if (base.flagged && base.level != head.level) return Change::kLevel;
  if (base.score != head.score || !SameIds(base.rules, head.rules) ||
      !SameIds(base.shadow, head.shadow)) {
    return Change::kOther;
  }
  return Change::kNone;
}

// Returns every rule, counted or shadow, that a side fired.
std::set<std::string> FiredIds(const Side& side) {
  std::set<std::string> ids(side.rules.begin(), side.rules.end());
  ids.insert(side.shadow.begin(), side.shadow.end());
  return ids;
}

// Adds one listing's verdicts to the summary.
void CountListing(const Side& base, const Side& head, Change change,
                  DiffSummary* summary) {
  ++summary->listings;
  ++summary->changes[static_cast<int>(change)];
  if (base.flagged) ++summary->base_flagged[static_cast<int>(base.level)];
  if (head.flagged) ++summary->head_flagged[static_cast<int>(head.level)];

  std::set<std::string> base_ids = FiredIds(base);
  std::set<std::string> head_ids = FiredIds(head);
  for (const std::string& id : base_ids) {
    RuleCounts& counts = summary->rules[id];
    ++counts.base;
    if (head_ids.count(id) == 0) ++counts.lost;
  }
  for (const std::string& id : head_ids) {
    RuleCounts& counts = summary->rules[id];
    ++counts.head;
    if (base_ids.count(id) == 0) ++counts.gained;
  }
}

}  // namespace

// The text report.
namespace {

std::string FormatScore(double score) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", score);
  return text;
}

// "low 0.4475", or "not flagged 0.1500".
std::string SideText(const Side& side) {
  std::string state = side.flagged ? LevelName(side.level) : "not flagged";
  return state + " " + FormatScore(side.score);
}

// Appends one line per rule of either list, in id order, marked "+" when
// only the head fired it, "-" when only the base did, and unmarked when
// both did.
void AppendRuleLines(const char* kind, const std::vector<std::string>& base,
                     const std::vector<std::string>& head, std::string* out) {
  std::set<std::string> base_ids(base.begin(), base.end());
  std::set<std::string> head_ids(head.begin(), head.end());
  std::set<std::string> all_ids = base_ids;
  all_ids.insert(head_ids.begin(), head_ids.end());
  for (const std::string& id : all_ids) {
    bool in_base = base_ids.count(id) > 0;
    bool in_head = head_ids.count(id) > 0;
    const char* mark = !in_base ? "+ " : !in_head ? "- " : "  ";
    *out += std::string("  ") + mark + kind + " " + id + "\n";
  }
}

// Returns `id` with control characters, which would break the report's
// lines, replaced by '?'.
std::string PrintableId(std::string id) {
  for (char& c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return id;
}

std::string TextListing(const ListingChange& change) {
  std::string out = PrintableId(change.id);
  if (change.has_id) {
    out += " (" + FormatLinePlace(change.source, change.line) + ")";
  }
  out += ": " + SideText(change.base) + " -> " + SideText(change.head) + "\n";
  AppendRuleLines("rule", change.base.rules, change.head.rules, &out);
  AppendRuleLines("shadow", change.base.shadow, change.head.shadow, &out);
  return out;
}

// "3 listings", "1 listing".
std::string Count(uint64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string TextLevels(const DiffSummary& summary) {
  std::string out = "flagged, base -> head:";
  const char* separator = " ";
  for (Level level : kFlagLevels) {
    int index = static_cast<int>(level);
    out += separator;
    out += std::string(LevelName(level)) + " " +
           std::to_string(summary.base_flagged[index]) + " -> " +
           std::to_string(summary.head_flagged[index]);
    separator = ", ";
  }
  return out + "\n";
}

// One line per rule that fires on a different set of listings under the
// head pack; rules that fire on the same listings are left out.
std::string TextRules(const DiffSummary& summary) {
  std::string lines;
  for (const auto& [id, counts] : summary.rules) {
    if (counts.gained == 0 && counts.lost == 0) continue;
    lines += "  " + id + " " + std::to_string(counts.base) + " -> " +
             std::to_string(counts.head) + " (+" +
             std::to_string(counts.gained) + " -" +
             std::to_string(counts.lost) + ")\n";
  }
  if (lines.empty()) return "rules: every rule fires on the same listings\n";
  return "rules, listings that fire them, base -> head:\n" + lines;
}

std::string TextSummary(const DiffSummary& summary) {
  std::string out = summary.changed() > 0 ? "\n" : "";
  out += Count(summary.listings, "listing") + " compared (" +
         Count(summary.lines, "line") + ": " + std::to_string(summary.blank) +
         " blank, " + std::to_string(summary.rejected) + " rejected), " +
         std::to_string(summary.changed()) + " changed\n";
  out += "changes: " + std::to_string(summary.count(Change::kGained)) +
         " newly flagged, " + std::to_string(summary.count(Change::kLost)) +
         " no longer flagged, " +
         std::to_string(summary.count(Change::kLevel)) + " level changed, " +
         std::to_string(summary.count(Change::kOther)) +
         " score or rules only\n";
  return out + TextLevels(summary) + TextRules(summary);
}

}  // namespace

// The JSON-lines report.
namespace {

std::string JsonLine(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json SideJson(const Side& side) {
  Json json;
  json["flagged"] = side.flagged;
  json["level"] = LevelName(side.level);
  json["score"] = side.score;
  json["rules"] = side.rules;
  json["shadow"] = side.shadow;
  return json;
}

std::string JsonListing(const ListingChange& change) {
  Json json;
  json["id"] = change.id;
  json["source"] = change.source;
  json["line"] = change.line;
  json["change"] = ChangeName(change.change);
  json["base"] = SideJson(change.base);
  json["head"] = SideJson(change.head);
  return JsonLine(json);
}

Json LevelsJson(const DiffSummary& summary) {
  Json levels;
  for (Level level : kFlagLevels) {
    int index = static_cast<int>(level);
    levels[LevelName(level)] = {{"base", summary.base_flagged[index]},
                                {"head", summary.head_flagged[index]}};
  }
  return levels;
}

Json RulesJson(const DiffSummary& summary) {
  Json rules = Json::object();
  for (const auto& [id, counts] : summary.rules) {
    if (counts.gained == 0 && counts.lost == 0) continue;
    rules[id] = {{"base", counts.base},
                 {"head", counts.head},
                 {"gained", counts.gained},
                 {"lost", counts.lost}};
  }
  return rules;
}

std::string JsonSummary(const DiffSummary& summary) {
  Json json;
  json["lines"] = summary.lines;
  json["listings"] = summary.listings;
  json["blank"] = summary.blank;
  json["rejected"] = summary.rejected;
  json["changed"] = summary.changed();
  json["gained"] = summary.count(Change::kGained);
  json["lost"] = summary.count(Change::kLost);
  json["level_changed"] = summary.count(Change::kLevel);
  json["other"] = summary.count(Change::kOther);
  json["levels"] = LevelsJson(summary);
  json["rules"] = RulesJson(summary);
  return JsonLine(Json{{"summary", std::move(json)}});
}

}  // namespace

// The run.
namespace {

// Reads the inputs through both packs, writes the report of every listing
// that changed and counts everything for the summary.
class DiffRun {
 public:
  DiffRun(const DiffOptions& options, PackScanner* base, PackScanner* head)
      : options_(options), base_(base), head_(head) {}

  // Opens standard output. Returns false, having logged why, otherwise.
  bool Open() {
    std::string error;
    return output_.Open("", &error) || Fail(error);
  }

  // Reads one input to its end. Returns false when the run must stop: the
  // input failed (logged) or the reader closed standard output.
  bool Compare(const std::string& input) {
    std::string error;
    auto reader = LineReader::Open(input, options_.max_line_bytes, &error);
    if (reader == nullptr) return Fail(error);

    Line line;
    while (reader->Next(&line)) {
      CompareLine(reader->name(), line);
      if (!Flush(false)) return false;
    }
    if (!reader->error().empty()) return Fail(reader->error());
    return true;
  }

  // Writes what is pending, and the summary unless the run failed or the
  // reader closed standard output. Returns the exit code.
  int Finish() {
    uint64_t unnamed = summary_.rejected - std::min(summary_.rejected, shown_);
    if (unnamed > 0) {
      spdlog::warn("adflag: {} more rejected lines not named here", unnamed);
    }
    bool complete = !failed_ && !output_.closed();
    if (complete) {
      pending_ += options_.format == "jsonl" ? JsonSummary(summary_)
                                             : TextSummary(summary_);
    }
    Flush(true);

    if (failed_) return kCannotRun;
    bool changed = complete && summary_.changed() > 0;
    return options_.fail_on_change && changed ? kChanged : kDone;
  }

 private:
  void CompareLine(const std::string& source, const Line& line) {
    ++summary_.lines;
    if (line.too_long) {
      Reject(source, line, TooLongReason(options_.max_line_bytes));
      return;
    }
    std::string_view content = line.content();
    if (IsBlankLine(content)) {
      ++summary_.blank;
      return;
    }

    RejectReason reason;
    if (!base_->Scan(content, &reason) || !head_->Scan(content, &reason)) {
      Reject(source, line, reason);
      return;
    }
    Side base = SideOf(*base_);
    Side head = SideOf(*head_);
    Change change = Classify(base, head);
    CountListing(base, head, change, &summary_);
    if (change != Change::kNone) {
      Report(source, line, change, std::move(base), std::move(head));
    }
  }

  void Report(const std::string& source, const Line& line, Change change,
              Side base, Side head) {
    const Listing& listing = base_->listing();
    ListingChange record;
    record.has_id = listing.has_id;
    record.id =
        listing.has_id ? listing.id : FormatLinePlace(source, line.number);
    record.source = source;
    record.line = line.number;
    record.change = change;
    record.base = std::move(base);
    record.head = std::move(head);
    pending_ +=
        options_.format == "jsonl" ? JsonListing(record) : TextListing(record);
  }

  void Reject(const std::string& source, const Line& line,
              const RejectReason& reason) {
    ++summary_.rejected;
    if (shown_ >= kNotesShown) return;
    ++shown_;
    spdlog::warn("{}", RejectNote(source, line.number, reason));
  }

  // Writes the pending report once it is large enough, or now when `all`.
  // Returns false when the run must stop.
  bool Flush(bool all) {
    if (!all && pending_.size() < kFlushBytes) return true;
    std::string error;
    if (!output_.Write(pending_, &error)) return Fail(error);
    pending_.clear();
    return !output_.closed();
  }

  // Logs the error that ends the run. Returns false.
  bool Fail(const std::string& message) {
    spdlog::error("adflag: error: {}", message);
    failed_ = true;
    return false;
  }

  const DiffOptions& options_;
  PackScanner* base_;
  PackScanner* head_;
  OutputFile output_;
  std::string pending_;
  DiffSummary summary_;
  uint64_t shown_ = 0;
  bool failed_ = false;
};

// Returns the path LoadPackOrBuiltin takes for a --base or --head value:
// empty for the built-in pack.
std::string PackPath(const std::string& option) {
  return option == kBuiltinPackWord ? "" : option;
}

// Loads and compiles the pack named by a --base or --head value, printing
// every diagnostic. Returns null when the pack has errors.
std::unique_ptr<PackScanner> LoadScanner(const std::string& option,
                                         const std::string& id_field) {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  std::unique_ptr<PackScanner> scanner;
  if (LoadPackOrBuiltin(PackPath(option), &pack, &diagnostics)) {
    ListingFields fields;
    fields.id_field = id_field;
    scanner = PackScanner::Create(std::move(pack), fields, &diagnostics);
  }
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  return scanner;
}

}  // namespace

int RunDiffCommand(const DiffOptions& options) {
  if (!IsValidPointer(FieldPointer(options.id_field))) {
    spdlog::error("adflag diff: --id-field: '{}' is not a valid JSON pointer",
                  options.id_field);
    return kCannotRun;
  }

  // Load both packs before giving up, so that every problem is shown.
  std::unique_ptr<PackScanner> base =
      LoadScanner(options.base_rules, options.id_field);
  std::unique_ptr<PackScanner> head =
      LoadScanner(options.head_rules, options.id_field);
  if (base == nullptr || head == nullptr) return kCannotRun;

  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.push_back("-");
  std::string error;
  if (!CheckInputsReadable(inputs, &error) ||
      !GatherInputs(inputs, options.max_line_bytes, {base.get(), head.get()},
                    &error)) {
    spdlog::error("adflag: error: {}", error);
    return kCannotRun;
  }

  DiffRun run(options, base.get(), head.get());
  if (!run.Open()) return kCannotRun;
  for (const std::string& input : inputs) {
    if (!run.Compare(input)) break;
  }
  return run.Finish();
}

}  // namespace adflag

#include "adflag/rule_pack.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rule_file_limits.h"

namespace adflag {

namespace {

namespace fs = std::filesystem;

// RE2's memory budget for one compiled pattern. A pattern that needs more
// is almost always a mistake (a huge counted repetition), and a pack of
// hundreds of patterns has to fit in memory on every worker.
constexpr int64_t kPatternMaxMem = 8 << 20;

using KeyList = std::span<const std::string_view>;

constexpr std::string_view kTopLevelKeys[] = {"pack", "rules"};
constexpr std::string_view kPackKeys[] = {
    "name",          "version",    "threshold",    "levels",    "text_fields",
    "entity_fields", "city_field", "region_field", "time_field"};
constexpr std::string_view kLevelKeys[] = {"medium", "high"};
constexpr std::string_view kRuleKeys[] = {
    "id",        "title",       "category", "weight",
    "status",    "description", "fields",   "when",
    "any",       "all",         "min_hits", "except",
    "unless",    "requires",    "links",    "case_sensitive",
    "normalize", "references",  "examples"};
constexpr std::string_view kExampleKeys[] = {"hit", "miss"};
constexpr std::string_view kExampleItemKeys[] = {"text", "links"};

// Indexed by LinkMeasure.
constexpr std::string_view kLinkMeasureNames[] = {
    "phone_listings",  "phone_cities", "phone_regions",  "email_listings",
    "handle_listings", "cluster_size", "cluster_phones", "obscured_phones"};
static_assert(std::size(kLinkMeasureNames) == kLinkMeasureCount);

// Indexed by RuleStatus.
constexpr std::string_view kStatusNames[] = {"experimental", "test", "stable",
                                             "deprecated"};

// What a pattern does in its rule; decides why matching the empty string
// is a mistake.
enum class PatternRole { kTrigger, kExcept, kUnless, kWhen };

// One key and its value in a YAML mapping.
struct Entry {
  YAML::Node key;
  YAML::Node value;

  std::string Name() const { return key.Scalar(); }
  // The node a problem with the value is reported at: the key when the
  // value is empty, since an empty value has no place of its own.
  const YAML::Node& Place() const { return value.IsNull() ? key : value; }
};

// A mapping's known entries by key.
using Entries = std::map<std::string, Entry, std::less<>>;

const Entry* Find(const Entries& entries, std::string_view key) {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

std::string Quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Returns " (did you mean 'X'?)" for the closest candidate, or "".
std::string DidYouMean(const std::string& word,
                       const std::vector<std::string>& candidates) {
  std::string suggestion = SuggestSpelling(word, candidates);
  if (suggestion.empty()) return "";
  return " (did you mean " + Quoted(suggestion) + "?)";
}

std::string DidYouMean(const std::string& word, KeyList candidates) {
  return DidYouMean(
      word, std::vector<std::string>(candidates.begin(), candidates.end()));
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool IsValidRuleId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// Returns why `field` cannot name a listing field, or "" when it can.
std::string FieldProblem(const std::string& field) {
  if (field.empty()) return "a field name must not be empty";
  if (field[0] != '/') return "";

  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '~') continue;
    if (i + 1 == field.size() || (field[i + 1] != '0' && field[i + 1] != '1')) {
      return "invalid JSON pointer " + Quoted(field) +
             ": '~' must be followed by 0 or 1";
    }
  }
  return "";
}

std::string EmptyMatchProblem(PatternRole role) {
  const std::string problem = "pattern matches the empty string, so ";
  switch (role) {
    case PatternRole::kTrigger:
      return problem + "it would fire on every listing";
    case PatternRole::kExcept:
      return problem + "it would drop every hit";
    case PatternRole::kUnless:
      return problem + "the rule would never fire";
    case PatternRole::kWhen:
      return problem + "it would not restrict the listings the rule runs on";
  }
  return problem + "it is useless";
}

// Returns why `regex` is unfit for a rule, or "" when RE2 compiles it and
// it cannot match the empty string.
std::string PatternProblem(const std::string& regex, bool case_sensitive,
                           PatternRole role) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  options.set_max_mem(kPatternMaxMem);
  RE2 re(regex, options);

  if (re.error_code() == RE2::ErrorPatternTooLarge) {
    return "pattern is too large for RE2's memory budget";
  }
  if (!re.ok()) return "invalid pattern: " + re.error();
  if (RE2::PartialMatch("", re)) return EmptyMatchProblem(role);
  return "";
}

// Names a rule in messages before its id is known to be good.
std::string RuleLabel(const YAML::Node& rule, size_t index) {
  for (const auto& item : rule) {
    if (item.first.Scalar() == "id" && item.second.IsScalar() &&
        !item.second.Scalar().empty()) {
      return "rule " + Quoted(item.second.Scalar());
    }
  }
  return "rule #" + std::to_string(index + 1);
}

// Parses rule files one after another into a pack, then checks what spans
// files: default fields, `requires` references and cycles. Every problem
// becomes a diagnostic, and parsing goes on past it.
class PackParser {
 public:
  PackParser(RulePack* pack, std::vector<Diagnostic>* diagnostics)
      : pack_(pack), diagnostics_(diagnostics) {}

  void ParseFile(const RuleFile& file);
  // Runs the checks that need every file; `pack_place` names the pack in
  // diagnostics about the pack as a whole.
  void Finish(const std::string& pack_place);

 private:
  enum class Visit { kNotYet, kOnPath, kDone };

  SourcePos PosOf(const YAML::Node& node) const;
  SourcePos PosOf(const YAML::Mark& mark) const;
  void Report(const SourcePos& pos, Severity severity, std::string message);
  void Error(const SourcePos& pos, std::string message);
  void Error(const YAML::Node& node, std::string message);

  std::optional<YAML::Node> LoadDocument(const RuleFile& file);
  void ParseTopLevel(const YAML::Node& root);
  Entries CheckedEntries(const YAML::Node& map, KeyList allowed,
                         const std::string& where);

  bool ReadString(const Entry& entry, std::string* out);
  bool ReadNonEmptyString(const Entry& entry, std::string* out);
  bool ReadNumber(const Entry& entry, double* out);
  bool ReadFraction(const Entries& entries, std::string_view key, double* out);
  bool ReadBool(const Entries& entries, std::string_view key, bool* out);
  std::vector<YAML::Node> ReadStringNodes(const Entry& entry);
  void ReadStringList(const Entries& entries, std::string_view key,
                      std::vector<std::string>* out);
  void ReadFields(const Entry& entry, std::vector<std::string>* out);
  void ReadPatterns(const Entries& entries, std::string_view key,
                    PatternRole role, bool case_sensitive,
                    std::vector<Pattern>* out);
  bool CheckPattern(const YAML::Node& node, PatternRole role,
                    bool case_sensitive);

  void ParsePackBlock(const Entry& entry);
  void ReadLinkField(const Entries& entries, std::string_view key,
                     std::string* out);
  void ParseLevels(const Entry& entry);

  void ParseRules(const Entry& entry);
  void ParseRule(const YAML::Node& node, size_t index);
  std::optional<SourcePos> ParseRuleId(const Entries& entries, Rule* rule);
  void ReadRequiredString(const Entries& entries, std::string_view key,
                          const Rule& rule, std::string* out);
  void ParseRuleText(const Entries& entries, Rule* rule);
  void ParseStatus(const Entry& entry, RuleStatus* status);
  void ParseWeight(const Entries& entries, Rule* rule);
  void ParseMatching(const Entries& entries, Rule* rule);
  void ParseWhen(const Entry& entry, Rule* rule);
  void ParseMinHits(const Entries& entries, Rule* rule);
  std::vector<SourcePos> ParseRequires(const Entries& entries, Rule* rule);
  void ParseLinks(const Entries& entries, Rule* rule);
  void ParseExamples(const Entries& entries, Rule* rule);
  void ReadExamples(const Entries& entries, std::string_view key,
                    std::vector<Example>* out);
  void ReadExample(const YAML::Node& item, std::vector<Example>* out);
  std::vector<LinkCondition> ReadLinkValues(const YAML::Node& map,
                                            const std::string& where);
  void CheckRuleHasTrigger(const Entries& entries, const Rule& rule);
  void AddRule(Rule rule, const SourcePos& id_pos,
               std::vector<SourcePos> requires_pos);

  void ApplyDefaultFields();
  void CheckRequiresNames();
  void CheckRequiresCycles();
  void VisitRequires(size_t rule, std::vector<Visit>* visits,
                     std::vector<size_t>* path);
  void ReportCycle(const std::vector<size_t>& path, size_t closing,
                   const SourcePos& pos);

  RulePack* pack_;
  std::vector<Diagnostic>* diagnostics_;
  // The file being parsed, as named in diagnostics.
  std::string file_;
  // The rule being parsed, as named in diagnostics.
  std::string rule_label_;
  std::optional<SourcePos> pack_block_pos_;
  size_t rule_entries_seen_ = 0;
  // Files whose YAML could not be parsed: their rules are unknown.
  size_t unparsed_files_ = 0;
  std::map<std::string, size_t> rule_index_;
  // Parallel to pack_->rules: where each `requires` element was written.
  std::vector<std::vector<SourcePos>> requires_pos_;
};

SourcePos PackParser::PosOf(const YAML::Node& node) const {
  return PosOf(node.Mark());
}

SourcePos PackParser::PosOf(const YAML::Mark& mark) const {
  SourcePos pos;
  pos.file = file_;
  if (!mark.is_null()) {
    pos.line = mark.line + 1;
    pos.column = mark.column + 1;
  }
  return pos;
}

void PackParser::Report(const SourcePos& pos, Severity severity,
                        std::string message) {
  Diagnostic diagnostic;
  diagnostic.pos = pos;
  diagnostic.severity = severity;
  diagnostic.message = std::move(message);
  diagnostics_->push_back(std::move(diagnostic));
}

void PackParser::Error(const SourcePos& pos, std::string message) {
  Report(pos, Severity::kError, std::move(message));
}

void PackParser::Error(const YAML::Node& node, std::string message) {
  Report(PosOf(node), Severity::kError, std::move(message));
}

void PackParser::ParseFile(const RuleFile& file) {
  file_ = file.path;
  std::optional<YAML::Node> root = LoadDocument(file);
  if (!root) return;

  // Only conversions of malformed nodes can throw here; our reads check
  // node types first, so this is a last guard for the API's promise.
  try {
    ParseTopLevel(*root);
  } catch (const YAML::Exception& e) {
    Error(PosOf(e.mark), "cannot read the YAML: " + e.msg);
  }
}

std::optional<YAML::Node> PackParser::LoadDocument(const RuleFile& file) {
  if (!CheckRuleFileLimits(file, diagnostics_)) {
    ++unparsed_files_;
    return std::nullopt;
  }

  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(file.text);
  } catch (const YAML::Exception& e) {
    Error(PosOf(e.mark), "YAML syntax: " + e.msg);
    ++unparsed_files_;
    return std::nullopt;
  }

  if (documents.empty()) return YAML::Node();
  for (size_t i = 1; i < documents.size(); ++i) {
    if (documents[i].IsNull()) continue;
    Error(documents[i], "a rule file must hold one YAML document");
    break;
  }
  return documents[0];
}

void PackParser::ParseTopLevel(const YAML::Node& root) {
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    Error(root, "a rule file must be a mapping with 'pack' or 'rules'");
    return;
  }

  const Entries entries = CheckedEntries(root, kTopLevelKeys, "at top level");
  if (const Entry* pack = Find(entries, "pack")) ParsePackBlock(*pack);
  if (const Entry* rules = Find(entries, "rules")) ParseRules(*rules);
}

// Reports keys of `map` that are not in `allowed`, or given twice, and
// returns the others.
Entries PackParser::CheckedEntries(const YAML::Node& map, KeyList allowed,
                                   const std::string& where) {
  Entries entries;
  for (const auto& item : map) {
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) {
      Error(key, "a key must be a plain string " + where);
      continue;
    }

    const std::string name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Error(key, "unknown key " + Quoted(name) + " " + where +
                     DidYouMean(name, allowed));
    } else if (!entries.emplace(name, Entry{key, item.second}).second) {
      Error(key, "duplicate key " + Quoted(name) + " " + where);
    }
  }
  return entries;
}

bool PackParser::ReadString(const Entry& entry, std::string* out) {
  if (!entry.value.IsScalar()) {
    Error(entry.Place(), Quoted(entry.Name()) + " must be a string");
    return false;
  }
  *out = entry.value.Scalar();
  return true;
}

bool PackParser::ReadNonEmptyString(const Entry& entry, std::string* out) {
  std::string text;
  if (!ReadString(entry, &text)) return false;
  if (text.empty()) {
    Error(entry.Place(), Quoted(entry.Name()) + " must not be empty");
    return false;
  }
  *out = std::move(text);
  return true;
}

// Quoted scalars are strings, never numbers or booleans: `weight: '0.3'`
// is a mistake worth reporting.
bool IsPlainScalar(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() != "!";
}

bool PackParser::ReadNumber(const Entry& entry, double* out) {
  double value = 0;
  if (!IsPlainScalar(entry.value) ||
      !YAML::convert<double>::decode(entry.value, value)) {
    Error(entry.Place(), Quoted(entry.Name()) + " must be a number");
    return false;
  }
  *out = value;
  return true;
}

// Reads a number between 0 and 1 when `key` is present. Returns false
// when it is present and wrong.
bool PackParser::ReadFraction(const Entries& entries, std::string_view key,
                              double* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return true;

  double value = 0;
  if (!ReadNumber(*entry, &value)) return false;
  if (!(value >= 0 && value <= 1)) {
    Error(entry->value, std::string(key) + " " + entry->value.Scalar() +
                            " is out of range: it must be between 0 and 1");
    return false;
  }
  *out = value;
  return true;
}

bool PackParser::ReadBool(const Entries& entries, std::string_view key,
                          bool* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return true;

  bool value = false;
  if (!IsPlainScalar(entry->value) ||
      !YAML::convert<bool>::decode(entry->value, value)) {
    Error(entry->Place(), Quoted(key) + " must be true or false");
    return false;
  }
  *out = value;
  return true;
}

// Returns the elements of a list of strings, reporting the list when it is
// not one and each element that is not a string.
std::vector<YAML::Node> PackParser::ReadStringNodes(const Entry& entry) {
  std::vector<YAML::Node> items;
  const std::string problem =
      Quoted(entry.Name()) + " must be a list of strings";
  if (!entry.value.IsSequence()) {
    Error(entry.Place(), problem);
    return items;
  }

  for (const YAML::Node& item : entry.value) {
    if (item.IsScalar()) {
      items.push_back(item);
    } else {
      Error(item, problem);
    }
  }
  return items;
}

void PackParser::ReadStringList(const Entries& entries, std::string_view key,
                                std::vector<std::string>* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return;

  for (const YAML::Node& item : ReadStringNodes(*entry)) {
    out->push_back(item.Scalar());
  }
}

void PackParser::ReadFields(const Entry& entry, std::vector<std::string>* out) {
  out->clear();
  if (entry.value.IsSequence() && entry.value.size() == 0) {
    Error(entry.value, Quoted(entry.Name()) + " must not be empty");
    return;
  }

  for (const YAML::Node& item : ReadStringNodes(entry)) {
    const std::string problem = FieldProblem(item.Scalar());
    if (problem.empty()) {
      out->push_back(item.Scalar());
    } else {
      Error(item, problem);
    }
  }
}

void PackParser::ReadPatterns(const Entries& entries, std::string_view key,
                              PatternRole role, bool case_sensitive,
                              std::vector<Pattern>* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return;

  for (const YAML::Node& item : ReadStringNodes(*entry)) {
    if (CheckPattern(item, role, case_sensitive)) {
      out->push_back(Pattern{item.Scalar(), PosOf(item)});
    }
  }
}

bool PackParser::CheckPattern(const YAML::Node& node, PatternRole role,
                              bool case_sensitive) {
  const std::string problem =
      PatternProblem(node.Scalar(), case_sensitive, role);
  if (problem.empty()) return true;
  Error(node, problem);
  return false;
}

void PackParser::ParsePackBlock(const Entry& entry) {
  if (pack_block_pos_) {
    Error(entry.key, "a second 'pack' block: a pack has at most one");
    Report(*pack_block_pos_, Severity::kNote, "the first 'pack' block is here");
    return;
  }
  pack_block_pos_ = PosOf(entry.key);
  if (!entry.value.IsMap()) {
    Error(entry.Place(), "'pack' must be a mapping");
    return;
  }

  const Entries entries = CheckedEntries(entry.value, kPackKeys, "in 'pack'");
  PackSettings& settings = pack_->settings;
  if (const Entry* name = Find(entries, "name")) {
    ReadNonEmptyString(*name, &settings.name);
  }
  if (const Entry* version = Find(entries, "version")) {
    ReadString(*version, &settings.version);
  }
  ReadFraction(entries, "threshold", &settings.threshold);
  if (const Entry* levels = Find(entries, "levels")) ParseLevels(*levels);
  if (const Entry* fields = Find(entries, "text_fields")) {
    ReadFields(*fields, &settings.text_fields);
  }
  if (const Entry* fields = Find(entries, "entity_fields")) {
    ReadFields(*fields, &settings.entity_fields);
  }
  ReadLinkField(entries, "city_field", &settings.city_field);
  ReadLinkField(entries, "region_field", &settings.region_field);
  ReadLinkField(entries, "time_field", &settings.time_field);
}

void PackParser::ReadLinkField(const Entries& entries, std::string_view key,
                               std::string* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return;

  std::string field;
  if (!ReadNonEmptyString(*entry, &field)) return;
  const std::string problem = FieldProblem(field);
  if (!problem.empty()) {
    Error(entry->value, problem);
    return;
  }
  *out = std::move(field);
}

void PackParser::ParseLevels(const Entry& entry) {
  if (!entry.value.IsMap()) {
    Error(entry.Place(), "'levels' must be a mapping with 'medium' and 'high'");
    return;
  }

  const Entries entries =
      CheckedEntries(entry.value, kLevelKeys, "in 'levels'");
  PackSettings& settings = pack_->settings;
  const bool medium_ok = ReadFraction(entries, "medium", &settings.medium);
  const bool high_ok = ReadFraction(entries, "high", &settings.high);
  if (medium_ok && high_ok && !(settings.medium < settings.high)) {
    Error(entry.value, "level 'medium' (" + FormatNumber(settings.medium) +
                           ") must be below level 'high' (" +
                           FormatNumber(settings.high) + ")");
  }
}

void PackParser::ParseRules(const Entry& entry) {
  if (!entry.value.IsSequence()) {
    Error(entry.Place(), "'rules' must be a list of rules");
    return;
  }

  size_t index = 0;
  for (const YAML::Node& rule : entry.value) {
    if (rule_entries_seen_ + index == kMaxRules) {
      Error(rule, "too many rules: a pack may hold at most " +
                      std::to_string(kMaxRules));
      break;
    }
    ParseRule(rule, index++);
  }
  rule_entries_seen_ += index;
}

void PackParser::ParseRule(const YAML::Node& node, size_t index) {
  if (!node.IsMap()) {
    Error(node, "a rule must be a mapping of keys to values");
    return;
  }
  rule_label_ = RuleLabel(node, index);
  const Entries entries = CheckedEntries(node, kRuleKeys, "in " + rule_label_);

  Rule rule;
  rule.pos = PosOf(node);
  const std::optional<SourcePos> id_pos = ParseRuleId(entries, &rule);
  ParseRuleText(entries, &rule);
  ParseWeight(entries, &rule);
  ReadBool(entries, "case_sensitive", &rule.case_sensitive);
  ReadBool(entries, "normalize", &rule.normalize);
  ParseMatching(entries, &rule);
  std::vector<SourcePos> requires_pos = ParseRequires(entries, &rule);
  ParseLinks(entries, &rule);
  ReadStringList(entries, "references", &rule.references);
  ParseExamples(entries, &rule);
  CheckRuleHasTrigger(entries, rule);

  if (id_pos) AddRule(std::move(rule), *id_pos, std::move(requires_pos));
}

// Returns where the id is written when the rule has one, even a malformed
// one (reported here), so that other rules naming it are not reported too.
std::optional<SourcePos> PackParser::ParseRuleId(const Entries& entries,
                                                 Rule* rule) {
  const Entry* id = Find(entries, "id");
  if (id == nullptr) {
    Error(rule->pos, rule_label_ + " has no 'id'");
    return std::nullopt;
  }
  if (!ReadNonEmptyString(*id, &rule->id)) return std::nullopt;

  if (!IsValidRuleId(rule->id)) {
    Error(id->value, "invalid rule id " + Quoted(rule->id) +
                         ": use only a-z, 0-9, '_', '.' and '-'");
  }
  return PosOf(id->value);
}

void PackParser::ReadRequiredString(const Entries& entries,
                                    std::string_view key, const Rule& rule,
                                    std::string* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) {
    Error(rule.pos, rule_label_ + " has no " + Quoted(key));
    return;
  }
  ReadNonEmptyString(*entry, out);
}

void PackParser::ParseRuleText(const Entries& entries, Rule* rule) {
  ReadRequiredString(entries, "title", *rule, &rule->title);
  ReadRequiredString(entries, "category", *rule, &rule->category);
  if (const Entry* description = Find(entries, "description")) {
    ReadString(*description, &rule->description);
  }
  if (const Entry* status = Find(entries, "status")) {
    ParseStatus(*status, &rule->status);
  }
}

void PackParser::ParseStatus(const Entry& entry, RuleStatus* status) {
  std::string name;
  if (!ReadString(entry, &name)) return;

  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (name == kStatusNames[i]) {
      *status = static_cast<RuleStatus>(i);
      return;
    }
  }
  Error(entry.Place(),
        "unknown status " + Quoted(name) +
            ": it must be experimental, test, stable or deprecated" +
            DidYouMean(name, kStatusNames));
}

void PackParser::ParseWeight(const Entries& entries, Rule* rule) {
  const Entry* weight = Find(entries, "weight");
  if (weight == nullptr) {
    Error(rule->pos, rule_label_ + " has no 'weight'");
    return;
  }
  if (!ReadNumber(*weight, &rule->weight)) return;

  if (!(rule->weight >= 0 && rule->weight < 1)) {
    Error(weight->value, "weight " + weight->value.Scalar() +
                             " is out of range: it must be at least 0 and "
                             "below 1");
  }
}

void PackParser::ParseMatching(const Entries& entries, Rule* rule) {
  if (const Entry* fields = Find(entries, "fields")) {
    ReadFields(*fields, &rule->fields);
  }
  if (const Entry* when = Find(entries, "when")) ParseWhen(*when, rule);

  const bool case_sensitive = rule->case_sensitive;
  ReadPatterns(entries, "any", PatternRole::kTrigger, case_sensitive,
               &rule->any);
  ReadPatterns(entries, "all", PatternRole::kTrigger, case_sensitive,
               &rule->all);
  ReadPatterns(entries, "except", PatternRole::kExcept, case_sensitive,
               &rule->except);
  ReadPatterns(entries, "unless", PatternRole::kUnless, case_sensitive,
               &rule->unless);
  ParseMinHits(entries, rule);
}

void PackParser::ParseWhen(const Entry& entry, Rule* rule) {
  if (!entry.value.IsMap()) {
    Error(entry.Place(), "'when' must be a mapping of fields to patterns");
    return;
  }

  for (const auto& item : entry.value) {
    const std::string field = item.first.Scalar();
    const std::string problem = item.first.IsScalar()
                                    ? FieldProblem(field)
                                    : "a field name must be a string";
    if (!problem.empty()) {
      Error(item.first, problem);
    } else if (!item.second.IsScalar()) {
      Error(item.second,
            "the 'when' pattern for " + Quoted(field) + " must be a string");
    } else if (CheckPattern(item.second, PatternRole::kWhen,
                            rule->case_sensitive)) {
      Pattern pattern{item.second.Scalar(), PosOf(item.second)};
      rule->when.push_back(WhenClause{field, std::move(pattern)});
    }
  }
}

void PackParser::ParseMinHits(const Entries& entries, Rule* rule) {
  const Entry* entry = Find(entries, "min_hits");
  if (entry == nullptr) return;

  int min_hits = 0;
  if (!IsPlainScalar(entry->value) ||
      !YAML::convert<int>::decode(entry->value, min_hits)) {
    Error(entry->Place(), "'min_hits' must be a whole number");
    return;
  }

  const Entry* any = Find(entries, "any");
  const size_t any_count =
      any != nullptr && any->value.IsSequence() ? any->value.size() : 0;
  const std::string text = entry->value.Scalar();
  if (min_hits < 1) {
    Error(entry->value, "min_hits " + text + " must be at least 1");
  } else if (static_cast<size_t>(min_hits) > any_count) {
    Error(entry->value,
          "min_hits " + text + " is more than the number of 'any' patterns (" +
              std::to_string(any_count) + "), so the rule could never fire");
  } else {
    rule->min_hits = min_hits;
  }
}

std::vector<SourcePos> PackParser::ParseRequires(const Entries& entries,
                                                 Rule* rule) {
  std::vector<SourcePos> positions;
  const Entry* entry = Find(entries, "requires");
  if (entry == nullptr) return positions;

  std::vector<std::string>& names = rule->requires_rules;
  for (const YAML::Node& item : ReadStringNodes(*entry)) {
    if (std::find(names.begin(), names.end(), item.Scalar()) != names.end()) {
      Error(item, "'requires' names rule " + Quoted(item.Scalar()) + " twice");
      continue;
    }
    names.push_back(item.Scalar());
    positions.push_back(PosOf(item));
  }
  return positions;
}

void PackParser::ParseLinks(const Entries& entries, Rule* rule) {
  const Entry* entry = Find(entries, "links");
  if (entry == nullptr) return;
  if (!entry->value.IsMap()) {
    Error(entry->Place(),
          "'links' must be a mapping of measures to the least value, such "
          "as 'phone_cities: 3'");
    return;
  }

  rule->links =
      ReadLinkValues(entry->value, "in the 'links' of " + rule_label_);
}

// Reads a mapping of measure names to whole numbers of at least 1, in
// LinkMeasure order.
std::vector<LinkCondition> PackParser::ReadLinkValues(
    const YAML::Node& map, const std::string& where) {
  std::vector<LinkCondition> values;
  for (const auto& [name, entry] :
       CheckedEntries(map, kLinkMeasureNames, where)) {
    LinkCondition condition;
    ParseLinkMeasure(name, &condition.measure);
    condition.pos = PosOf(entry.value);
    if (!IsPlainScalar(entry.value) ||
        !YAML::convert<int64_t>::decode(entry.value, condition.at_least) ||
        condition.at_least < 1) {
      Error(entry.Place(),
            Quoted(name) + " must be a whole number of at least 1");
      continue;
    }
    values.push_back(condition);
  }
  std::sort(values.begin(), values.end(),
            [](const auto& a, const auto& b) { return a.measure < b.measure; });
  return values;
}

void PackParser::ParseExamples(const Entries& entries, Rule* rule) {
  const Entry* entry = Find(entries, "examples");
  if (entry == nullptr) return;
  if (!entry->value.IsMap()) {
    Error(entry->Place(), "'examples' must be a mapping with 'hit' and 'miss'");
    return;
  }

  const Entries examples = CheckedEntries(entry->value, kExampleKeys,
                                          "in the examples of " + rule_label_);
  ReadExamples(examples, "hit", &rule->hit_examples);
  ReadExamples(examples, "miss", &rule->miss_examples);
}

void PackParser::ReadExamples(const Entries& entries, std::string_view key,
                              std::vector<Example>* out) {
  const Entry* entry = Find(entries, key);
  if (entry == nullptr) return;

  if (!entry->value.IsSequence()) {
    Error(entry->Place(), Quoted(entry->Name()) +
                              " must be a list of texts, or of mappings "
                              "with 'text' and 'links'");
    return;
  }
  for (const YAML::Node& item : entry->value) ReadExample(item, out);
}

// An example is a text, or a mapping with the text and its linked context.
void PackParser::ReadExample(const YAML::Node& item,
                             std::vector<Example>* out) {
  if (item.IsScalar()) {
    out->push_back(Example{item.Scalar(), PosOf(item), {}});
    return;
  }
  if (!item.IsMap()) {
    Error(item,
          "an example must be a text, or a mapping with 'text' and "
          "'links'");
    return;
  }

  const std::string where = "in an example of " + rule_label_;
  const Entries entries = CheckedEntries(item, kExampleItemKeys, where);
  Example example{"", PosOf(item), {}};
  if (const Entry* text = Find(entries, "text")) {
    if (!ReadString(*text, &example.text)) return;
    example.pos = PosOf(text->value);
  }
  if (const Entry* links = Find(entries, "links")) {
    if (!links->value.IsMap()) {
      Error(links->Place(), "'links' must be a mapping of measures to values");
      return;
    }
    for (const LinkCondition& value : ReadLinkValues(links->value, where)) {
      example.links[value.measure] = value.at_least;
    }
  }
  out->push_back(std::move(example));
}

// A rule with nothing to match would never fire. Judged on what is
// written, so that a rule whose only pattern is invalid is not reported
// twice.
void PackParser::CheckRuleHasTrigger(const Entries& entries, const Rule& rule) {
  for (std::string_view key : {"any", "all", "requires", "links"}) {
    const Entry* entry = Find(entries, key);
    if (entry == nullptr) continue;
    // A value of the wrong kind has been reported already.
    if (!(entry->value.IsSequence() || entry->value.IsMap()) ||
        entry->value.size() > 0) {
      return;
    }
  }
  Error(rule.pos, rule_label_ +
                      " has nothing to match: it needs 'any', 'all', "
                      "'requires' or 'links'");
}

void PackParser::AddRule(Rule rule, const SourcePos& id_pos,
                         std::vector<SourcePos> requires_pos) {
  const auto [it, inserted] = rule_index_.emplace(rule.id, pack_->rules.size());
  if (!inserted) {
    Error(id_pos, "duplicate rule id " + Quoted(rule.id) +
                      ": first defined at " +
                      FormatPlace(pack_->rules[it->second].pos));
    return;
  }

  pack_->rules.push_back(std::move(rule));
  requires_pos_.push_back(std::move(requires_pos));
}

void PackParser::Finish(const std::string& pack_place) {
  if (rule_entries_seen_ == 0 && unparsed_files_ == 0) {
    SourcePos pos;
    pos.file = pack_place;
    Error(pos, "the pack has no rules");
  }

  ApplyDefaultFields();
  CheckRequiresNames();
  CheckRequiresCycles();
}

void PackParser::ApplyDefaultFields() {
  for (Rule& rule : pack_->rules) {
    if (rule.fields.empty()) rule.fields = pack_->settings.text_fields;
  }
}

void PackParser::CheckRequiresNames() {
  std::vector<std::string> ids;
  for (const auto& [id, index] : rule_index_) ids.push_back(id);

  for (size_t i = 0; i < pack_->rules.size(); ++i) {
    const Rule& rule = pack_->rules[i];
    for (size_t k = 0; k < rule.requires_rules.size(); ++k) {
      const std::string& name = rule.requires_rules[k];
      if (name == rule.id) {
        Error(requires_pos_[i][k],
              "rule " + Quoted(rule.id) + " requires itself");
      } else if (rule_index_.count(name) == 0) {
        Error(requires_pos_[i][k], "'requires' names unknown rule " +
                                       Quoted(name) + DidYouMean(name, ids));
      }
    }
  }
}

void PackParser::CheckRequiresCycles() {
  std::vector<Visit> visits(pack_->rules.size(), Visit::kNotYet);
  std::vector<size_t> path;
  for (size_t i = 0; i < pack_->rules.size(); ++i) {
    if (visits[i] == Visit::kNotYet) VisitRequires(i, &visits, &path);
  }
}

// Depth-first walk along `requires`; reaching a rule still on the path
// closes a cycle.
void PackParser::VisitRequires(size_t rule, std::vector<Visit>* visits,
                               std::vector<size_t>* path) {
  (*visits)[rule] = Visit::kOnPath;
  path->push_back(rule);

  const std::vector<std::string>& names = pack_->rules[rule].requires_rules;
  for (size_t k = 0; k < names.size(); ++k) {
    auto it = rule_index_.find(names[k]);
    if (it == rule_index_.end() || it->second == rule) continue;

    const size_t next = it->second;
    if ((*visits)[next] == Visit::kOnPath) {
      ReportCycle(*path, next, requires_pos_[rule][k]);
    } else if ((*visits)[next] == Visit::kNotYet) {
      VisitRequires(next, visits, path);
    }
  }

  path->pop_back();
  (*visits)[rule] = Visit::kDone;
}

void PackParser::ReportCycle(const std::vector<size_t>& path, size_t closing,
                             const SourcePos& pos) {
  auto start = std::find(path.begin(), path.end(), closing);
  std::string cycle;
  for (auto it = start; it != path.end(); ++it) {
    cycle += pack_->rules[*it].id + " -> ";
  }
  cycle += pack_->rules[closing].id;
  Error(pos, "requires cycle: " + cycle);
}

void AddReadError(const std::string& file, const std::string& message,
                  std::vector<Diagnostic>* diagnostics,
                  Severity severity = Severity::kError) {
  Diagnostic diagnostic;
  diagnostic.pos.file = file;
  diagnostic.severity = severity;
  diagnostic.message = message;
  diagnostics->push_back(std::move(diagnostic));
}

bool ReadRuleFile(const std::string& path, std::vector<RuleFile>* files,
                  std::vector<Diagnostic>* diagnostics) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char buffer[1 << 14];
  while (text.size() <= kMaxRuleFileBytes &&
         (in.read(buffer, sizeof buffer) || in.gcount() > 0)) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (!in.is_open() || in.bad()) {
    AddReadError(path,
                 std::string("cannot read rule file: ") + std::strerror(errno),
                 diagnostics);
    return false;
  }

  // A file over the limit is not read whole: its size is enough to refuse.
  if (text.size() > kMaxRuleFileBytes) {
    std::error_code error;
    const uintmax_t size = fs::file_size(path, error);
    // Built field by field: GCC 12 warns falsely (-Wmaybe-uninitialized)
    // about the aggregate initializer here.
    Diagnostic diagnostic;
    diagnostic.pos = SourcePos{path, 1, 1};
    diagnostic.severity = Severity::kError;
    diagnostic.message = RuleFileTooLargeMessage(error ? text.size() : size);
    diagnostics->push_back(std::move(diagnostic));
    return false;
  }

  files->push_back(RuleFile{path, std::move(text)});
  return true;
}

// Returns the rule files below `root` as paths relative to it, sorted.
std::optional<std::vector<std::string>> ListPackDirectory(
    const std::string& root, std::vector<Diagnostic>* diagnostics) {
  std::vector<std::string> relative_paths;
  std::error_code error;
  fs::recursive_directory_iterator it(root, error);
  for (; !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    const std::string relative =
        it->path().lexically_relative(root).generic_string();
    std::error_code type_error;
    if (it->is_directory(type_error) && it->path().filename() == "tests") {
      it.disable_recursion_pending();
    } else if (!it->is_regular_file(type_error)) {
      continue;
    } else if (IsRuleFilePath(relative)) {
      relative_paths.push_back(relative);
    } else if (it->path().extension() == ".yml") {
      AddReadError((fs::path(root) / relative).generic_string(),
                   "not read: rule files must be named *.yaml", diagnostics,
                   Severity::kWarning);
    }
  }

  if (error) {
    AddReadError(root, "cannot read rule pack: " + error.message(),
                 diagnostics);
    return std::nullopt;
  }
  std::sort(relative_paths.begin(), relative_paths.end());
  return relative_paths;
}

bool ReadPackDirectory(const std::string& root, std::vector<RuleFile>* files,
                       std::vector<Diagnostic>* diagnostics) {
  const std::optional<std::vector<std::string>> relative_paths =
      ListPackDirectory(root, diagnostics);
  if (!relative_paths) return false;
  if (relative_paths->empty()) {
    AddReadError(root, "no *.yaml rule files found", diagnostics);
    return false;
  }

  bool ok = true;
  for (const std::string& relative : *relative_paths) {
    const std::string path = (fs::path(root) / relative).generic_string();
    ok = ReadRuleFile(path, files, diagnostics) && ok;
  }
  return ok;
}

}  // namespace

const char* LinkMeasureName(LinkMeasure measure) {
  return kLinkMeasureNames[static_cast<int>(measure)].data();
}

bool ParseLinkMeasure(std::string_view name, LinkMeasure* measure) {
  for (int i = 0; i < kLinkMeasureCount; ++i) {
    if (kLinkMeasureNames[i] == name) {
      *measure = static_cast<LinkMeasure>(i);
      return true;
    }
  }
  return false;
}

const char* RuleStatusName(RuleStatus status) {
  switch (status) {
    case RuleStatus::kExperimental:
      return "experimental";
    case RuleStatus::kTest:
      return "test";
    case RuleStatus::kStable:
      return "stable";
    case RuleStatus::kDeprecated:
      return "deprecated";
  }
  return "stable";
}

bool IsRuleFilePath(const std::string& relative_path) {
  const fs::path path(relative_path);
  if (path.extension() != ".yaml") return false;
  return std::none_of(path.begin(), path.end(),
                      [](const fs::path& part) { return part == "tests"; });
}

bool ReadRuleFiles(const std::string& path, std::vector<RuleFile>* files,
                   std::vector<Diagnostic>* diagnostics) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    if (!error)
      error = std::make_error_code(std::errc::no_such_file_or_directory);
    AddReadError(path, "cannot read rule pack: " + error.message(),
                 diagnostics);
    return false;
  }

  if (fs::is_directory(status)) {
    return ReadPackDirectory(path, files, diagnostics);
  }
  return ReadRuleFile(path, files, diagnostics);
}

bool ParseRulePack(const std::vector<RuleFile>& files, RulePack* pack,
                   std::vector<Diagnostic>* diagnostics) {
  pack->settings = PackSettings();
  pack->rules.clear();
  const size_t first_new = diagnostics->size();

  PackParser parser(pack, diagnostics);
  for (const RuleFile& file : files) parser.ParseFile(file);
  std::string pack_place = pack->origin;
  if (pack_place.empty() && files.size() == 1) pack_place = files[0].path;
  parser.Finish(pack_place);

  const std::vector<Diagnostic> added(diagnostics->begin() + first_new,
                                      diagnostics->end());
  return !HasErrors(added);
}

bool LoadRulePack(const std::string& path, RulePack* pack,
                  std::vector<Diagnostic>* diagnostics) {
  std::vector<RuleFile> files;
  if (!ReadRuleFiles(path, &files, diagnostics)) return false;

  pack->origin = path;
  return ParseRulePack(files, pack, diagnostics);
}

}  // namespace adflag

#include "adflag/regression.h"

#include <utf8proc.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "adflag/builtin_pack.h"
#include "adflag/line_reader.h"
#include "adflag/links.h"
#include "adflag/listing_links.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kListingsSuffix = ".jsonl";
constexpr std::string_view kExpectedSuffix = ".expected.jsonl";
constexpr std::string_view kBenignDirectory = "benign/";
constexpr std::string_view kUpdateHint = "run 'adflag test --update'";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Returns a file name without its directories and without `suffix`.
std::string BaseName(const std::string& path, std::string_view suffix) {
  std::string name = fs::path(path).filename().string();
  return name.substr(0, name.size() - suffix.size());
}

SourcePos Place(const std::string& file, uint64_t line = 0, int column = 0) {
  return SourcePos{file, static_cast<int>(line), column};
}

void AddDiagnostic(const std::string& file, Severity severity,
                   std::string message, std::vector<Diagnostic>* out) {
  out->push_back(Diagnostic{Place(file), severity, std::move(message)});
}

bool ReadWholeFile(const fs::path& path, std::string* text,
                   std::vector<Diagnostic>* diagnostics) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    AddDiagnostic(path.generic_string(), Severity::kError,
                  std::string("cannot read test file: ") + std::strerror(errno),
                  diagnostics);
    return false;
  }
  *text = contents.str();
  return true;
}

// Returns the *.jsonl files below `root`, paths relative to it, sorted.
bool ListTestFiles(const fs::path& root, std::vector<RuleFile>* files,
                   std::vector<Diagnostic>* diagnostics) {
  std::error_code error;
  fs::recursive_directory_iterator it(root, error);
  for (; !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    std::error_code type_error;
    const std::string relative =
        it->path().lexically_relative(root).generic_string();
    if (!it->is_regular_file(type_error) ||
        !EndsWith(relative, kListingsSuffix)) {
      continue;
    }
    RuleFile file{relative, ""};
    if (!ReadWholeFile(it->path(), &file.text, diagnostics)) return false;
    files->push_back(std::move(file));
  }
  if (error) {
    AddDiagnostic(root.generic_string(), Severity::kError,
                  "cannot read the pack's tests: " + error.message(),
                  diagnostics);
    return false;
  }

  std::sort(
      files->begin(), files->end(),
      [](const RuleFile& a, const RuleFile& b) { return a.path < b.path; });
  return true;
}

// Returns "a, b".
std::string JoinIds(const std::vector<std::string>& ids) {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) text += ", ";
    text += ids[i];
  }
  return text;
}

// Returns "[a, b]".
std::string IdList(const std::vector<std::string>& ids) {
  return "[" + JoinIds(ids) + "]";
}

std::string FormatScore(double score) {
  std::ostringstream out;
  out << score;
  return out.str();
}

bool ReadStringArray(const nlohmann::json& json, const char* key,
                     std::vector<std::string>* out, std::string* error) {
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array()) {
    *error = std::string("'") + key + "' must be a list of rule ids";
    return false;
  }
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) {
      *error = std::string("'") + key + "' must be a list of rule ids";
      return false;
    }
    out->push_back(item.get<std::string>());
  }
  return true;
}

// Splits a file's text into lines as the line reader does.
std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  size_t start = 0;
  for (uint64_t number = 1; start < text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    Line line;
    line.raw = text.substr(start, end - start);
    line.number = number;
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// A parsed line of an expected file.
struct ExpectedLine {
  RecordedVerdict verdict;
  uint64_t line = 0;
};

// Reads an expected file, adding a failed test for every line that does
// not parse.
std::vector<ExpectedLine> ReadExpected(const RegressionCase& test_case,
                                       std::vector<TestResult>* results) {
  std::vector<ExpectedLine> expected;
  for (const Line& line : SplitLines(test_case.expected_text.value_or(""))) {
    if (IsBlankLine(line.content())) continue;
    ExpectedLine entry;
    entry.line = line.number;
    std::string error;
    if (ParseRecordedVerdict(line.content(), &entry.verdict, &error)) {
      expected.push_back(std::move(entry));
      continue;
    }
    if (results == nullptr) continue;
    results->push_back(TestResult{
        TestKind::kRegression,
        test_case.name + ": expected line " + std::to_string(line.number),
        false, Place(test_case.expected_path, line.number),
        "invalid expected verdict: " + error});
  }
  return expected;
}

// Expected lines by listing id, each id's lines in file order.
class ExpectedIndex {
 public:
  explicit ExpectedIndex(const std::vector<ExpectedLine>& lines)
      : lines_(lines), used_(lines.size(), false) {
    for (size_t i = 0; i < lines.size(); ++i) {
      by_id_[lines[i].verdict.id].push_back(i);
    }
  }

  // Returns the next unused expected line for `id`, or null.
  const ExpectedLine* Take(const std::string& id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second.empty()) return nullptr;
    const size_t index = it->second.front();
    it->second.pop_front();
    used_[index] = true;
    return &lines_[index];
  }

  // Returns the expected lines no listing took, in file order.
  std::vector<const ExpectedLine*> Unused() const {
    std::vector<const ExpectedLine*> unused;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (!used_[i]) unused.push_back(&lines_[i]);
    }
    return unused;
  }

 private:
  const std::vector<ExpectedLine>& lines_;
  std::vector<bool> used_;
  std::map<std::string, std::deque<size_t>> by_id_;
};

// Returns "level medium rules [a]", with " shadow [m]" when asked.
std::string DescribeVerdict(const RecordedVerdict& verdict, bool shadow) {
  std::string text = std::string("level ") + LevelName(verdict.level) +
                     " rules " + IdList(verdict.rules);
  if (shadow) text += " shadow " + IdList(verdict.shadow);
  return text;
}

TestResult CompareVerdict(const RegressionCase& test_case,
                          const ListingOutcome& outcome,
                          const RecordedVerdict& expected) {
  const RecordedVerdict& actual = outcome.verdict;
  TestResult result{TestKind::kRegression, test_case.name + ": " + actual.id,
                    true, Place(test_case.listings.path, outcome.line), ""};
  if (actual == expected) return result;

  const bool shadow = actual.shadow != expected.shadow;
  result.passed = false;
  result.message = "listing " + actual.id + ": expected " +
                   DescribeVerdict(expected, shadow) + ", got " +
                   DescribeVerdict(actual, shadow);
  return result;
}

TestResult RejectedLineResult(TestKind kind, const std::string& name,
                              const RuleFile& file,
                              const ListingOutcome& outcome) {
  return TestResult{kind, name + ": line " + std::to_string(outcome.line),
                    false,
                    Place(file.path, outcome.line, outcome.rejected->column),
                    "line rejected: " + outcome.rejected->message};
}

// Identifies an example of a rule by its place.
std::string ExampleKey(const std::string& rule_id, const Example& example,
                       bool hit) {
  return rule_id + '\0' + FormatPlace(example.pos) + (hit ? ":hit" : ":miss");
}

// Returns the result of one example; `failure` is null when it passed.
TestResult ExampleResult(const Rule& rule, const Example& example, bool hit,
                         const ExampleFailure* failure) {
  TestResult result{TestKind::kExample,
                    rule.id + ": " + (hit ? "hit" : "miss") + " example (" +
                        FormatPlace(example.pos) + ")",
                    true, example.pos, ""};
  if (failure == nullptr) return result;

  const std::vector<std::string>& fired = failure->fired;
  result.passed = false;
  result.message = "rule " + rule.id + ": " +
                   (hit ? "hit example did not fire" : "miss example fired") +
                   " (fired: " + (fired.empty() ? "none" : JoinIds(fired)) +
                   ")";
  return result;
}

// Describes how a listing's verdict changed: "medium -> low; rules [a] ->
// []". Returns "" when it did not.
std::string DescribeChange(const RecordedVerdict& before,
                           const RecordedVerdict& after) {
  std::vector<std::string> parts;
  if (before.level != after.level) {
    parts.push_back(std::string(LevelName(before.level)) + " -> " +
                    LevelName(after.level));
  }
  if (before.rules != after.rules) {
    parts.push_back("rules " + IdList(before.rules) + " -> " +
                    IdList(after.rules));
  }
  if (before.shadow != after.shadow) {
    parts.push_back("shadow " + IdList(before.shadow) + " -> " +
                    IdList(after.shadow));
  }
  std::string text;
  for (const std::string& part : parts) {
    text += (text.empty() ? "" : "; ") + part;
  }
  return text;
}

// Appends `code_point` to *out as XML text, or U+FFFD when XML 1.0 cannot
// hold it. Attribute values keep their tabs and line ends as references.
void AppendXmlChar(int32_t code_point, bool attribute, std::string* out) {
  switch (code_point) {
    case '&':
      *out += "&amp;";
      return;
    case '<':
      *out += "&lt;";
      return;
    case '>':
      *out += "&gt;";
      return;
    case '"':
      *out += "&quot;";
      return;
    case '\'':
      *out += "&apos;";
      return;
    case '\t':
    case '\n':
    case '\r':
      *out += attribute ? "&#" + std::to_string(code_point) + ";"
                        : std::string(1, static_cast<char>(code_point));
      return;
  }
  const bool allowed = (code_point >= 0x20 && code_point <= 0xD7FF) ||
                       (code_point >= 0xE000 && code_point <= 0xFFFD) ||
                       (code_point >= 0x10000 && code_point <= 0x10FFFF);
  utf8proc_uint8_t bytes[4];
  const utf8proc_ssize_t size =
      utf8proc_encode_char(allowed ? code_point : 0xFFFD, bytes);
  out->append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
}

std::string XmlEscape(std::string_view text, bool attribute) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t code_point = 0;
    utf8proc_ssize_t size = utf8proc_iterate(
        reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
        static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
    if (size <= 0) {
      size = 1;
      code_point = 0xFFFD;
    }
    AppendXmlChar(code_point, attribute, &out);
    pos += static_cast<size_t>(size);
  }
  return out;
}

std::string Attribute(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + XmlEscape(value, true) + "\"";
}

std::string Attribute(const char* name, size_t value) {
  return Attribute(name, std::to_string(value));
}

std::string JUnitTestCase(const TestResult& result) {
  std::string xml = "    <testcase" +
                    Attribute("classname", TestKindName(result.kind)) +
                    Attribute("name", result.name);
  if (result.passed) return xml + "/>\n";

  const std::string detail = FormatFailure(result);
  return xml + ">\n      <failure" + Attribute("message", result.message) +
         Attribute("type", "failure") + ">" + XmlEscape(detail, false) +
         "</failure>\n    </testcase>\n";
}

std::string JUnitSuite(const TestSuiteReport& suite) {
  if (!suite.error.empty()) {
    return "  <testsuite" + Attribute("name", suite.name) +
           " tests=\"1\" failures=\"0\" errors=\"1\">\n"
           "    <testcase classname=\"pack\"" +
           Attribute("name", "load " + suite.name) + ">\n      <error" +
           Attribute("message", suite.error) + ">" +
           XmlEscape(suite.error_details, false) +
           "</error>\n    </testcase>\n  </testsuite>\n";
  }

  const size_t failures =
      std::count_if(suite.results.begin(), suite.results.end(),
                    [](const TestResult& result) { return !result.passed; });
  std::string xml = "  <testsuite" + Attribute("name", suite.name) +
                    Attribute("tests", suite.results.size()) +
                    Attribute("failures", failures) + " errors=\"0\">\n";
  for (const TestResult& result : suite.results) xml += JUnitTestCase(result);
  return xml + "  </testsuite>\n";
}

}  // namespace

PackTests CollectPackTests(const std::vector<RuleFile>& files,
                           const std::string& prefix,
                           std::vector<Diagnostic>* diagnostics) {
  PackTests tests;
  std::map<std::string, const RuleFile*> listings;
  std::map<std::string, const RuleFile*> expected;
  for (const RuleFile& file : files) {
    const std::string& path = file.path;
    if (!EndsWith(path, kListingsSuffix)) continue;
    if (StartsWith(path, kBenignDirectory)) {
      tests.benign.push_back(RuleFile{prefix + path, file.text});
    } else if (path.find('/') != std::string::npos) {
      AddDiagnostic(prefix + path, Severity::kWarning,
                    "not read: regression cases are tests/NAME.jsonl and "
                    "benign listings tests/benign/*.jsonl",
                    diagnostics);
    } else if (EndsWith(path, kExpectedSuffix)) {
      expected[BaseName(path, kExpectedSuffix)] = &file;
    } else {
      listings[BaseName(path, kListingsSuffix)] = &file;
    }
  }

  for (const auto& [name, file] : listings) {
    RegressionCase test_case{name, RuleFile{prefix + file->path, file->text},
                             prefix + name + std::string(kExpectedSuffix),
                             std::nullopt};
    auto it = expected.find(name);
    if (it != expected.end()) test_case.expected_text = it->second->text;
    tests.cases.push_back(std::move(test_case));
  }
  for (const auto& [name, file] : expected) {
    if (listings.count(name) == 0) {
      tests.orphan_expected.push_back(prefix + file->path);
    }
  }
  return tests;
}

bool ReadPackTests(const std::string& pack_path, PackTests* tests,
                   std::vector<Diagnostic>* diagnostics) {
  *tests = PackTests();
  const fs::path root = fs::path(pack_path) / "tests";
  std::error_code error;
  if (!fs::is_directory(pack_path, error) || !fs::is_directory(root, error)) {
    return true;
  }

  std::vector<RuleFile> files;
  if (!ListTestFiles(root, &files, diagnostics)) return false;
  *tests = CollectPackTests(files, root.generic_string() + "/", diagnostics);
  return true;
}

PackTests BuiltinPackTests(std::vector<Diagnostic>* diagnostics) {
  constexpr std::string_view kTests = "tests/";
  std::vector<RuleFile> files;
  for (const RuleFile& file : BuiltinPackFiles()) {
    if (StartsWith(file.path, kTests)) {
      files.push_back(RuleFile{file.path.substr(kTests.size()), file.text});
    }
  }
  return CollectPackTests(files, "rules/tests/", diagnostics);
}

std::string FormatRecordedVerdict(const RecordedVerdict& verdict) {
  nlohmann::ordered_json json;
  json["id"] = verdict.id;
  json["level"] = LevelName(verdict.level);
  json["rules"] = verdict.rules;
  json["shadow"] = verdict.shadow;
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ParseRecordedVerdict(std::string_view line, RecordedVerdict* verdict,
                          std::string* error) {
  const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
  if (!json.is_object()) {
    *error = "not a JSON object";
    return false;
  }
  for (const auto& item : json.items()) {
    if (item.key() != "id" && item.key() != "level" && item.key() != "rules" &&
        item.key() != "shadow") {
      *error = "unknown key '" + item.key() + "'";
      return false;
    }
  }

  RecordedVerdict parsed;
  const auto id = json.find("id");
  const auto level = json.find("level");
  if (id == json.end() || !id->is_string()) {
    *error = "'id' must be a string";
    return false;
  }
  parsed.id = id->get<std::string>();
  if (level == json.end() || !level->is_string() ||
      !ParseLevel(level->get<std::string>(), &parsed.level)) {
    *error = "'level' must be none, low, medium or high";
    return false;
  }
  if (!ReadStringArray(json, "rules", &parsed.rules, error)) return false;
  if (json.contains("shadow") &&
      !ReadStringArray(json, "shadow", &parsed.shadow, error)) {
    return false;
  }
  *verdict = std::move(parsed);
  return true;
}

// The fields a regression case parses: the matcher's, then linking's.
ListingFields CaseFields(const CompiledPack& compiled,
                         LinkFields* link_fields) {
  ListingFields fields;
  fields.text_fields = compiled.fields();
  *link_fields = AddLinkFields(compiled.pack().settings, &fields.text_fields);
  return fields;
}

struct ListingRunner::Engine {
  Engine(const RulePack& rule_pack, std::unique_ptr<CompiledPack> compiled_pack)
      : pack(rule_pack),
        compiled(std::move(compiled_pack)),
        parser(CaseFields(*compiled, &link_fields)),
        matcher(*compiled),
        scorer(rule_pack),
        linker(link_fields, EntityOptions()),
        linking(PackUsesLinks(rule_pack)) {}

  // A case is a run of its own: with rules on linking, its listings are
  // first gathered into `links`.
  void GatherLinks(const std::vector<Line>& lines, const std::string& source) {
    links = LinkIndex();
    if (!linking) return;
    for (const Line& line : lines) {
      RejectReason reason;
      if (IsBlankLine(line.content()) ||
          !parser.Parse(line.content(), &listing, &reason)) {
        continue;
      }
      const std::string id = listing.has_id
                                 ? listing.id
                                 : source + ":" + std::to_string(line.number);
      linker.Read(listing, id, /*with_signature=*/true);
      links.Add(linker.posting(), linker.entities(), linker.signature());
    }
  }

  // Matches and scores the parsed listing into *outcome; a listing
  // without an id is named `fallback_id`.
  void Judge(const std::string& fallback_id, ListingOutcome* outcome) {
    matcher.Match(listing, &matches);
    if (linking) {
      linker.Read(listing, fallback_id, /*with_signature=*/true);
      links.FactsFor(linker.entities(), linker.signature(), &facts);
      ApplyLinkRules(pack, facts, &matches);
    }
    scorer.Score(matches, &verdict);
    RecordedVerdict& recorded = outcome->verdict;
    recorded.id = listing.has_id ? listing.id : fallback_id;
    recorded.level = verdict.level;
    for (const RuleMatch& match : verdict.counted) {
      recorded.rules.push_back(pack.rules[match.rule].id);
    }
    for (const RuleMatch& match : verdict.shadow) {
      recorded.shadow.push_back(pack.rules[match.rule].id);
    }
    outcome->score = verdict.score;
    outcome->flagged =
        !verdict.counted.empty() && verdict.score >= pack.settings.threshold;
  }

  const RulePack& pack;
  std::unique_ptr<CompiledPack> compiled;
  // Filled in while `parser` is built, so declared before it.
  LinkFields link_fields;
  ListingParser parser;
  Matcher matcher;
  Scorer scorer;
  ListingLinker linker;
  bool linking;
  LinkIndex links;
  LinkFacts facts;
  Listing listing;
  MatchResult matches;
  Verdict verdict;
};

ListingRunner::ListingRunner(std::unique_ptr<Engine> engine)
    : engine_(std::move(engine)) {}

ListingRunner::~ListingRunner() = default;

std::unique_ptr<ListingRunner> ListingRunner::Create(
    const RulePack& pack, std::vector<Diagnostic>* diagnostics) {
  std::unique_ptr<CompiledPack> compiled =
      CompiledPack::Compile(pack, diagnostics);
  if (compiled == nullptr) return nullptr;
  return std::unique_ptr<ListingRunner>(
      new ListingRunner(std::make_unique<Engine>(pack, std::move(compiled))));
}

std::vector<ListingOutcome> ListingRunner::Run(const RuleFile& file) {
  Engine& engine = *engine_;
  const std::string source = fs::path(file.path).filename().string();
  std::vector<ListingOutcome> outcomes;
  const std::vector<Line> lines = SplitLines(file.text);
  engine.GatherLinks(lines, source);
  for (const Line& line : lines) {
    if (IsBlankLine(line.content())) continue;
    ListingOutcome outcome;
    outcome.line = line.number;
    RejectReason reason;
    if (!engine.parser.Parse(line.content(), &engine.listing, &reason)) {
      outcome.rejected = reason;
      outcomes.push_back(std::move(outcome));
      continue;
    }

    const std::string fallback_id = source + ":" + std::to_string(line.number);
    engine.Judge(fallback_id, &outcome);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

const char* TestKindName(TestKind kind) {
  switch (kind) {
    case TestKind::kExample:
      return "examples";
    case TestKind::kRegression:
      return "regression";
    case TestKind::kBenign:
      return "benign";
  }
  return "examples";
}

std::string FormatFailure(const TestResult& result) {
  const std::string place = FormatPlace(result.pos);
  return place.empty() ? result.message : place + ": " + result.message;
}

std::vector<TestResult> ExampleResults(const RulePack& pack,
                                       const ExampleReport& report) {
  std::map<std::string, const ExampleFailure*> failures;
  for (const ExampleFailure& failure : report.failures) {
    failures[ExampleKey(failure.rule_id, failure.example,
                        failure.expected_hit)] = &failure;
  }

  std::vector<TestResult> results;
  for (const Rule& rule : pack.rules) {
    if (rule.status == RuleStatus::kDeprecated) continue;
    for (bool hit : {true, false}) {
      for (const Example& example :
           hit ? rule.hit_examples : rule.miss_examples) {
        auto it = failures.find(ExampleKey(rule.id, example, hit));
        const ExampleFailure* failure =
            it == failures.end() ? nullptr : it->second;
        results.push_back(ExampleResult(rule, example, hit, failure));
      }
    }
  }
  return results;
}

std::vector<TestResult> RunRegressionCase(ListingRunner* runner,
                                          const RegressionCase& test_case) {
  std::vector<TestResult> results;
  if (!test_case.expected_text) {
    results.push_back(
        TestResult{TestKind::kRegression, test_case.name + ": expected file",
                   false, Place(test_case.listings.path),
                   "no expected file " + test_case.expected_path + ": " +
                       std::string(kUpdateHint) + " to write it"});
    return results;
  }

  const std::vector<ExpectedLine> expected = ReadExpected(test_case, &results);
  ExpectedIndex index(expected);
  for (const ListingOutcome& outcome : runner->Run(test_case.listings)) {
    if (outcome.rejected) {
      results.push_back(RejectedLineResult(
          TestKind::kRegression, test_case.name, test_case.listings, outcome));
    } else if (const ExpectedLine* line = index.Take(outcome.verdict.id)) {
      results.push_back(CompareVerdict(test_case, outcome, line->verdict));
    } else {
      results.push_back(TestResult{
          TestKind::kRegression, test_case.name + ": " + outcome.verdict.id,
          false, Place(test_case.listings.path, outcome.line),
          "listing " + outcome.verdict.id + ": no expected verdict: " +
              std::string(kUpdateHint) + " to record it"});
    }
  }

  for (const ExpectedLine* line : index.Unused()) {
    results.push_back(TestResult{
        TestKind::kRegression, test_case.name + ": " + line->verdict.id, false,
        Place(test_case.expected_path, line->line),
        "expected listing " + line->verdict.id +
            ", but the case has no such listing"});
  }
  return results;
}

TestResult OrphanExpectedResult(const std::string& expected_path) {
  const std::string name = BaseName(expected_path, kExpectedSuffix);
  return TestResult{TestKind::kRegression, name + ": listings file", false,
                    Place(expected_path),
                    "no listings file " + name + std::string(kListingsSuffix) +
                        " beside this expected file"};
}

std::vector<TestResult> RunBenignCorpus(ListingRunner* runner,
                                        const RuleFile& corpus) {
  const std::string name = BaseName(corpus.path, kListingsSuffix);
  std::vector<TestResult> results;
  for (const ListingOutcome& outcome : runner->Run(corpus)) {
    if (outcome.rejected) {
      results.push_back(
          RejectedLineResult(TestKind::kBenign, name, corpus, outcome));
      continue;
    }
    const RecordedVerdict& verdict = outcome.verdict;
    TestResult result{TestKind::kBenign, name + ": " + verdict.id, true,
                      Place(corpus.path, outcome.line), ""};
    if (outcome.flagged) {
      result.passed = false;
      result.message =
          "listing " + verdict.id + ": benign listing flagged at level " +
          LevelName(verdict.level) + " (score " + FormatScore(outcome.score) +
          ") by rules " + IdList(verdict.rules);
    }
    results.push_back(std::move(result));
  }
  return results;
}

CaseUpdate UpdateRegressionCase(ListingRunner* runner,
                                const RegressionCase& test_case) {
  const std::vector<ExpectedLine> before = ReadExpected(test_case, nullptr);
  ExpectedIndex index(before);
  CaseUpdate update;
  for (const ListingOutcome& outcome : runner->Run(test_case.listings)) {
    if (outcome.rejected) continue;
    const RecordedVerdict& after = outcome.verdict;
    update.text += FormatRecordedVerdict(after) + "\n";

    const ExpectedLine* line = index.Take(after.id);
    if (line == nullptr) {
      update.changes.push_back(after.id + " (added)");
    } else if (line->verdict != after) {
      update.changes.push_back(after.id + " (" +
                               DescribeChange(line->verdict, after) + ")");
    }
  }

  for (const ExpectedLine* line : index.Unused()) {
    update.changes.push_back(line->verdict.id + " (removed)");
  }
  return update;
}

std::string FormatJUnit(const std::vector<TestSuiteReport>& suites) {
  size_t tests = 0;
  size_t failures = 0;
  size_t errors = 0;
  for (const TestSuiteReport& suite : suites) {
    if (!suite.error.empty()) {
      ++tests;
      ++errors;
      continue;
    }
    tests += suite.results.size();
    failures +=
        std::count_if(suite.results.begin(), suite.results.end(),
                      [](const TestResult& result) { return !result.passed; });
  }

  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" +
      Attribute("name", "adflag test") + Attribute("tests", tests) +
      Attribute("failures", failures) + Attribute("errors", errors) + ">\n";
  for (const TestSuiteReport& suite : suites) xml += JUnitSuite(suite);
  return xml + "</testsuites>\n";
}

}  // namespace adflag

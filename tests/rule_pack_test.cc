#include "adflag/rule_pack.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/diagnostic.h"
#include "adflag/pack_lint.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

using Lines = std::vector<std::string>;

std::vector<std::string> Format(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const Diagnostic& diagnostic : diagnostics) {
    lines.push_back(FormatDiagnostic(diagnostic));
  }
  return lines;
}

// Parses `files` as a pack and returns its diagnostics, formatted.
std::vector<std::string> Problems(const std::vector<RuleFile>& files) {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  ParseRulePack(files, &pack, &diagnostics);
  return Format(diagnostics);
}

std::vector<std::string> Problems(const std::string& text) {
  return Problems({RuleFile{"r.yaml", text}});
}

// A directory under the system's temporary directory, removed at the end
// of the test.
class TempDir {
 public:
  TempDir() {
    std::string name =
        (fs::temp_directory_path() / "rule_pack_test.XXXXXX").string();
    REQUIRE(mkdtemp(name.data()) != nullptr);
    path_ = name;
  }
  ~TempDir() { fs::remove_all(path_); }

  const fs::path& path() const { return path_; }

  void Write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

 private:
  fs::path path_;
};

constexpr const char* kValidRule = R"(rules:
  - id: youth.language
    title: Language suggesting youth
    category: youth
    weight: 0.35
    any: ['\bbarely\s+legal\b']
)";

TEST_CASE("a YAML syntax error is reported at its place") {
  const std::string text = R"(rules:
  - id: a
    any: ['x', 'y'
  - id: b
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:4:3: error: YAML syntax: illegal block entry"});
}

TEST_CASE("an unknown rule key is reported with a suggestion") {
  const std::string text = R"(rules:
  - id: youth.language
    title: Language suggesting youth
    category: youth
    weight: 0.35
    weigth: 0.4
    any: ['\bbarely\s+legal\b']
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:6:5: error: unknown key 'weigth' in rule "
              "'youth.language' (did you mean 'weight'?)"});
}

TEST_CASE("an unknown key far from every known one has no suggestion") {
  const std::string text = std::string(kValidRule) + "    pattern: 'x'\n";
  CHECK(Problems(text) ==
        Lines{"r.yaml:7:5: error: unknown key 'pattern' in rule "
              "'youth.language'"});
}

TEST_CASE("an unknown pack key is reported") {
  const std::string text = std::string(R"(pack:
  name: default
  treshold: 0.5
)") + kValidRule;
  CHECK(Problems(text) == Lines{"r.yaml:3:3: error: unknown key 'treshold' "
                                "in 'pack' (did you mean 'threshold'?)"});
}

TEST_CASE("an unknown top-level key is reported") {
  const std::string text = std::string(kValidRule) + "rule: []\n";
  CHECK(Problems(text) == Lines{"r.yaml:7:1: error: unknown key 'rule' at "
                                "top level (did you mean 'rules'?)"});
}

TEST_CASE("an invalid pattern is reported with RE2's message") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.3
    any: ['ok', '\b(foo']
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:6:17: error: invalid pattern: missing ): \\b(foo"});
}

TEST_CASE("a pattern beyond RE2's memory budget is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.3
    any: ['\pL{1000}']
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:6:11: error: pattern is too large for RE2's memory "
              "budget"});
}

TEST_CASE("a pattern matching the empty string is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.3
    any: ['\bx\b', 'y*']
    unless: ['']
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:6:20: error: pattern matches the empty string, so it "
              "would fire on every listing",
              "r.yaml:7:14: error: pattern matches the empty string, so the "
              "rule would never fire"});
}

TEST_CASE("a weight out of range is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 1.2
    any: [x]
)";
  CHECK(Problems(text) == Lines{"r.yaml:5:13: error: weight 1.2 is out of "
                                "range: it must be at least 0 and below 1"});
}

TEST_CASE("a duplicate rule id is reported with the first's place") {
  const std::string second = R"(rules:
  - id: b
    title: t
    category: c
    weight: 0.1
    any: [x]
  - id: youth.language
    title: t
    category: c
    weight: 0.1
    any: [x]
)";
  CHECK(Problems({{"a.yaml", kValidRule}, {"b.yaml", second}}) ==
        Lines{"b.yaml:7:9: error: duplicate rule id 'youth.language': first "
              "defined at a.yaml:2:5"});
}

TEST_CASE("a second pack block is reported with a note on the first") {
  const std::string pack = "pack:\n  name: one\n";
  CHECK(Problems({{"a.yaml", pack}, {"b.yaml", pack + kValidRule}}) ==
        Lines{"b.yaml:1:1: error: a second 'pack' block: a pack has at most "
              "one",
              "a.yaml:1:1: note: the first 'pack' block is here"});
}

TEST_CASE("requires naming a missing rule is reported at the element") {
  const std::string text = std::string(kValidRule) + R"(  - id: combo
    title: t
    category: combination
    weight: 0.5
    requires: [youth.language, youth.languag]
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:11:32: error: 'requires' names unknown rule "
              "'youth.languag' (did you mean 'youth.language'?)"});
}

TEST_CASE("a rule requiring itself is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.5
    requires: [a]
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:6:16: error: rule 'a' requires itself"});
}

TEST_CASE("a requires cycle is reported at the rule that closes it") {
  const std::string text = R"(rules:
  - {id: a, title: t, category: c, weight: 0.5, requires: [b]}
  - {id: b, title: t, category: c, weight: 0.5, requires: [c]}
  - {id: c, title: t, category: c, weight: 0.5, requires: [a]}
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:4:60: error: requires cycle: a -> b -> c -> a"});
}

TEST_CASE("a rule with nothing to match is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.5
    all: []
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:2:5: error: rule 'a' has nothing to match: it needs "
              "'any', 'all', 'requires' or 'links'"});
}

TEST_CASE("a malformed rule id is reported") {
  const std::string text = R"(rules:
  - id: Youth Language
    title: t
    category: c
    weight: 0.5
    any: [x]
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:2:9: error: invalid rule id 'Youth Language': use only "
              "a-z, 0-9, '_', '.' and '-'"});
}

TEST_CASE("a missing required key is reported at the rule") {
  const std::string text = R"(rules:
  - id: a
    category: c
    weight: 0.5
    any: [x]
  - title: t
    category: c
    weight: 0.5
    any: [x]
)";
  CHECK(Problems(text) == Lines{"r.yaml:2:5: error: rule 'a' has no 'title'",
                                "r.yaml:6:5: error: rule #2 has no 'id'"});
}

TEST_CASE("min_hits above the number of any patterns is reported") {
  const std::string text = std::string(kValidRule) + "    min_hits: 2\n";
  CHECK(Problems(text) ==
        Lines{"r.yaml:7:15: error: min_hits 2 is more than the number of "
              "'any' patterns (1), so the rule could never fire"});
}

TEST_CASE("values of the wrong type are reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: '0.5'
    any: '\bx\b'
    normalize: maybe
    fields: [body, [title]]
)";
  CHECK(Problems(text) ==
        Lines{"r.yaml:5:13: error: 'weight' must be a number",
              "r.yaml:7:16: error: 'normalize' must be true or false",
              "r.yaml:8:20: error: 'fields' must be a list of strings",
              "r.yaml:6:10: error: 'any' must be a list of strings"});
}

TEST_CASE("a malformed JSON pointer field is reported") {
  const std::string text =
      std::string(kValidRule) + "    fields: ['/contact/phone', '/a~2b']\n";
  CHECK(Problems(text) ==
        Lines{"r.yaml:7:32: error: invalid JSON pointer '/a~2b': '~' must be "
              "followed by 0 or 1"});
}

TEST_CASE("levels out of order are reported") {
  const std::string text = std::string(R"(pack:
  threshold: 1.5
  levels: {medium: 0.9, high: 0.85}
)") + kValidRule;
  CHECK(Problems(text) ==
        Lines{"r.yaml:2:14: error: threshold 1.5 is out of range: it must be "
              "between 0 and 1",
              "r.yaml:3:11: error: level 'medium' (0.9) must be below level "
              "'high' (0.85)"});
}

TEST_CASE("an unknown status is reported with a suggestion") {
  const std::string text = std::string(kValidRule) + "    status: stabel\n";
  CHECK(Problems(text) ==
        Lines{"r.yaml:7:13: error: unknown status 'stabel': it must be "
              "experimental, test, stable or deprecated (did you mean "
              "'stable'?)"});
}

TEST_CASE("a second YAML document in a file is reported") {
  const std::string text = std::string(kValidRule) + "---\nrules: []\n---\n";
  CHECK(Problems(text) ==
        Lines{"r.yaml:8:1: error: a rule file must hold one YAML document"});
}

TEST_CASE("a pack without rules is reported") {
  CHECK(Problems("pack:\n  name: x\n") ==
        Lines{"r.yaml: error: the pack has no rules"});
}

TEST_CASE("every problem of a run is reported") {
  const std::string text = R"(pack:
  nme: x
rules:
  - id: a
    title: t
    category: c
    weight: 2
    any: ['(x']
  - id: A
    category: c
    weight: 0.5
    any: [x]
    requires: [missing]
)";
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  CHECK_FALSE(ParseRulePack({{"r.yaml", text}}, &pack, &diagnostics));
  CHECK(diagnostics.size() == 6);
  CHECK(HasErrors(diagnostics));
}

constexpr const char* kFullPackSettings = R"(pack:
  name: default
  version: '2026.12'
  threshold: 0.3
  levels: {medium: 0.5, high: 0.9}
  text_fields: [title, body, /contact/name]
)";

constexpr const char* kFullPackRules = R"(rules:
  - id: youth.language
    title: Language suggesting youth
    category: youth
    weight: 0.35
    status: experimental
    description: Free text for the reviewer.
    fields: [title, body]
    when: {category: '^(escorts|body-rubs)$'}
    any: ['\bbarely\s+legal\b', '\bjust\s+turned\s+18\b']
    all: ['\bnew\b']
    min_hits: 2
    except: ['\bnot\s+so\s+young\b']
    unless: ['\byoung\s+professionals?\b']
    case_sensitive: true
    normalize: false
    references: ['JRSA/JIRN 2022 final report to NIJ']
    examples:
      hit:  ['Barely legal and new to this']
      miss: ['Young professionals welcome']
  - id: combo.youth
    title: Youth with third-party control
    category: combination
    weight: 0.50
    requires: [youth.language]
)";

// Parses the full pack above, which uses every key.
RulePack FullPack() {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  const bool ok = ParseRulePack(
      {{"pack.yaml", kFullPackSettings}, {"y.yaml", kFullPackRules}}, &pack,
      &diagnostics);
  CHECK(ok);
  CHECK(diagnostics.empty());
  REQUIRE(pack.rules.size() == 2);
  return pack;
}

TEST_CASE("a full pack's settings are read") {
  const PackSettings settings = FullPack().settings;
  CHECK(settings.name == "default");
  CHECK(settings.version == "2026.12");
  CHECK(settings.threshold == 0.3);
  CHECK(settings.medium == 0.5);
  CHECK(settings.high == 0.9);
  CHECK(settings.text_fields == Lines{"title", "body", "/contact/name"});
}

TEST_CASE("a full rule's descriptive keys are read") {
  const Rule rule = FullPack().rules[0];
  CHECK(rule.id == "youth.language");
  CHECK(rule.title == "Language suggesting youth");
  CHECK(rule.category == "youth");
  CHECK(rule.weight == 0.35);
  CHECK(rule.status == RuleStatus::kExperimental);
  CHECK(rule.description == "Free text for the reviewer.");
  CHECK(rule.references == Lines{"JRSA/JIRN 2022 final report to NIJ"});
  CHECK(rule.pos.file == "y.yaml");
  CHECK(rule.pos.line == 2);
  CHECK(rule.pos.column == 5);
}

TEST_CASE("a full rule's matching keys are read") {
  const Rule rule = FullPack().rules[0];
  CHECK(rule.fields == Lines{"title", "body"});
  REQUIRE(rule.when.size() == 1);
  CHECK(rule.when[0].field == "category");
  CHECK(rule.when[0].pattern.regex == "^(escorts|body-rubs)$");
  REQUIRE(rule.any.size() == 2);
  CHECK(rule.any[1].regex == "\\bjust\\s+turned\\s+18\\b");
  REQUIRE(rule.all.size() == 1);
  CHECK(rule.all[0].regex == "\\bnew\\b");
  CHECK(rule.min_hits == 2);
  REQUIRE(rule.except.size() == 1);
  CHECK(rule.except[0].regex == "\\bnot\\s+so\\s+young\\b");
  REQUIRE(rule.unless.size() == 1);
  CHECK(rule.unless[0].regex == "\\byoung\\s+professionals?\\b");
  CHECK(rule.case_sensitive);
  CHECK_FALSE(rule.normalize);
}

TEST_CASE("patterns and examples keep their places") {
  const Rule rule = FullPack().rules[0];
  CHECK(FormatDiagnostic({rule.when[0].pattern.pos, Severity::kNote, "w"}) ==
        "y.yaml:9:22: note: w");
  CHECK(FormatDiagnostic({rule.any[1].pos, Severity::kNote, "a"}) ==
        "y.yaml:10:33: note: a");
  REQUIRE(rule.hit_examples.size() == 1);
  CHECK(rule.hit_examples[0].text == "Barely legal and new to this");
  CHECK(FormatDiagnostic({rule.hit_examples[0].pos, Severity::kNote, "h"}) ==
        "y.yaml:19:14: note: h");
  REQUIRE(rule.miss_examples.size() == 1);
  CHECK(rule.miss_examples[0].text == "Young professionals welcome");
}

TEST_CASE("a composite rule is read with the pack's text fields") {
  const Rule combo = FullPack().rules[1];
  CHECK(combo.requires_rules == Lines{"youth.language"});
  CHECK(combo.weight == 0.5);
  CHECK(combo.any.empty());
  CHECK(combo.fields == Lines{"title", "body", "/contact/name"});
}

TEST_CASE("defaults apply where a pack or rule says nothing") {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  REQUIRE(ParseRulePack({{"r.yaml", kValidRule}}, &pack, &diagnostics));
  CHECK(diagnostics.empty());

  CHECK(pack.settings.name == "unnamed");
  CHECK(pack.settings.threshold == 0.40);
  CHECK(pack.settings.medium == 0.60);
  CHECK(pack.settings.high == 0.85);
  REQUIRE(pack.rules.size() == 1);
  const Rule& rule = pack.rules[0];
  CHECK(rule.fields == Lines{"title", "body"});
  CHECK(rule.status == RuleStatus::kStable);
  CHECK(rule.normalize);
  CHECK_FALSE(rule.case_sensitive);
  CHECK(rule.min_hits == 1);
  CHECK(rule.when.empty());
  CHECK(rule.requires_rules.empty());
}

TEST_CASE("text_fields from a later file become the default fields") {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  REQUIRE(ParseRulePack(
      {{"a.yaml", kValidRule}, {"z.yaml", "pack:\n  text_fields: [body]\n"}},
      &pack, &diagnostics));
  REQUIRE(pack.rules.size() == 1);
  CHECK(pack.rules[0].fields == Lines{"body"});
}

TEST_CASE("a pack directory is read in sorted order, skipping tests") {
  TempDir dir;
  dir.Write("pack.yaml", "pack:\n  name: x\n");
  dir.Write("b/z.yaml", "rules: []\n");
  dir.Write("a.yaml", kValidRule);
  dir.Write("notes.txt", "not a rule file");
  dir.Write("tests/case.yaml", "broken: [\n");
  dir.Write("b/tests/more.yaml", "broken: [\n");
  dir.Write("old.yml", "rules: []\n");

  std::vector<RuleFile> files;
  std::vector<Diagnostic> diagnostics;
  const std::string root = dir.path().string() + "/";
  REQUIRE(ReadRuleFiles(root, &files, &diagnostics));
  std::vector<std::string> paths;
  for (const RuleFile& file : files) paths.push_back(file.path);
  CHECK(paths == Lines{root + "a.yaml", root + "b/z.yaml", root + "pack.yaml"});
  CHECK(files[0].text == kValidRule);
  CHECK(Format(diagnostics) ==
        Lines{root + "old.yml: warning: not read: rule files must be named "
                     "*.yaml"});
}

TEST_CASE("a pack is loaded from a directory or a single file") {
  TempDir dir;
  dir.Write("rules/a.yaml", kValidRule);

  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  const std::string root = (dir.path() / "rules").string();
  REQUIRE(LoadRulePack(root, &pack, &diagnostics));
  CHECK(pack.origin == root);
  REQUIRE(pack.rules.size() == 1);
  CHECK(pack.rules[0].pos.file == root + "/a.yaml");

  REQUIRE(LoadRulePack(root + "/a.yaml", &pack, &diagnostics));
  CHECK(pack.rules.size() == 1);
  CHECK(diagnostics.empty());
}

TEST_CASE("an unreadable pack path is reported") {
  TempDir dir;
  dir.Write("empty/readme.txt", "no rules here");
  const std::string missing = (dir.path() / "missing").string();
  const std::string empty = (dir.path() / "empty").string();

  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  CHECK_FALSE(LoadRulePack(missing, &pack, &diagnostics));
  CHECK_FALSE(LoadRulePack(empty, &pack, &diagnostics));
  CHECK(Format(diagnostics) ==
        Lines{missing +
                  ": error: cannot read rule pack: No such file or directory",
              empty + ": error: no *.yaml rule files found"});
}

TEST_CASE("rule file paths are told from other pack files") {
  CHECK(IsRuleFilePath("youth.yaml"));
  CHECK(IsRuleFilePath("labour/recruitment.yaml"));
  CHECK_FALSE(IsRuleFilePath("tests/benign.yaml"));
  CHECK_FALSE(IsRuleFilePath("labour/tests/case.yaml"));
  CHECK_FALSE(IsRuleFilePath("youth.yml"));
  CHECK_FALSE(IsRuleFilePath("tests/case.expected.jsonl"));
}

TEST_CASE("rule statuses have their spec names") {
  CHECK(std::string(RuleStatusName(RuleStatus::kExperimental)) ==
        "experimental");
  CHECK(std::string(RuleStatusName(RuleStatus::kTest)) == "test");
  CHECK(std::string(RuleStatusName(RuleStatus::kStable)) == "stable");
  CHECK(std::string(RuleStatusName(RuleStatus::kDeprecated)) == "deprecated");
}

TEST_CASE("diagnostics print the known parts of their place") {
  Diagnostic diagnostic;
  diagnostic.message = "bad";
  CHECK(FormatDiagnostic(diagnostic) == "error: bad");

  diagnostic.pos.file = "rules/youth.yaml";
  CHECK(FormatDiagnostic(diagnostic) == "rules/youth.yaml: error: bad");

  diagnostic.pos.line = 12;
  diagnostic.severity = Severity::kWarning;
  CHECK(FormatDiagnostic(diagnostic) == "rules/youth.yaml:12: warning: bad");

  diagnostic.pos.column = 9;
  diagnostic.severity = Severity::kNote;
  CHECK(FormatDiagnostic(diagnostic) == "rules/youth.yaml:12:9: note: bad");
}

TEST_CASE("HasErrors ignores warnings and notes") {
  std::vector<Diagnostic> diagnostics(2);
  diagnostics[0].severity = Severity::kWarning;
  diagnostics[1].severity = Severity::kNote;
  CHECK_FALSE(HasErrors(diagnostics));

  diagnostics.emplace_back();
  CHECK(HasErrors(diagnostics));
}

TEST_CASE("SuggestSpelling offers only a likely typo") {
  const Lines keys = {"id", "title", "weight", "any", "all", "requires"};
  CHECK(SuggestSpelling("weigth", keys) == "weight");
  CHECK(SuggestSpelling("tilte", keys) == "title");
  CHECK(SuggestSpelling("Title", keys) == "title");
  CHECK(SuggestSpelling("require", keys) == "requires");
  CHECK(SuggestSpelling("pattern", keys).empty());
  CHECK(SuggestSpelling("x", keys).empty());
  CHECK(SuggestSpelling("weight", {}).empty());
}

// Parses `text`, which must load without error, and returns the lint's
// warnings, formatted.
std::vector<std::string> LintWarnings(const std::string& text) {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  REQUIRE(ParseRulePack({RuleFile{"r.yaml", text}}, &pack, &diagnostics));
  REQUIRE(diagnostics.empty());
  LintRulePack(pack, &diagnostics);
  return Format(diagnostics);
}

// Returns a pack of one rule that is not stable (so needs no examples),
// with `settings` among its keys and `patterns` as its `any`.
std::string OneRule(const std::string& settings, const std::string& patterns) {
  return "rules:\n"
         "  - id: a\n"
         "    title: t\n"
         "    category: c\n"
         "    weight: 0.3\n"
         "    status: test\n" +
         settings + "    any: [" + patterns + "]\n";
}

const char kCaseSensitive[] = "    case_sensitive: true\n";

const char kUpperCase[] =
    "it has upper-case 'N' but the rule is case-sensitive and matches "
    "normalized (lower-case) text";

TEST_CASE("lint: a stable rule without examples or references is reported") {
  const std::string text = R"(rules:
  - id: a
    title: t
    category: c
    weight: 0.3
    any: [x]
  - id: b
    title: t
    category: c
    weight: 0.3
    status: stable
    any: [y]
    references: [somewhere]
    examples: {miss: [z]}
)";
  CHECK(LintWarnings(text) ==
        Lines{"r.yaml:2:5: warning: stable rule 'a' has no examples: add "
              "'hit' and 'miss' texts that show what it catches",
              "r.yaml:2:5: warning: stable rule 'a' has no references: cite "
              "where the indicator comes from",
              "r.yaml:7:5: warning: stable rule 'b' has no 'hit' example: "
              "nothing shows that it fires"});
}

TEST_CASE("lint: only stable rules must show examples and references") {
  for (const char* status : {"test", "experimental", "deprecated"}) {
    CAPTURE(status);
    CHECK(LintWarnings(std::string("rules:\n  - {id: a, title: t, category: "
                                   "c, weight: 0.3, any: [x], status: ") +
                       status + "}\n")
              .empty());
  }
}

TEST_CASE("lint: an upper-case letter in a case-sensitive rule is reported") {
  CHECK(LintWarnings(OneRule(kCaseSensitive, R"('\bNew\b', 'new')")) ==
        Lines{std::string("r.yaml:8:11: warning: pattern can never match: ") +
              kUpperCase});
}

TEST_CASE("lint: upper case is fine where the rule can see it") {
  // Case-insensitive rules fold the pattern; raw rules see raw text.
  CHECK(LintWarnings(OneRule("", R"('\bNew\b')")).empty());
  CHECK(LintWarnings(OneRule("    case_sensitive: true\n    normalize: false\n",
                             R"('\bNew\b')"))
            .empty());
  CHECK(LintWarnings(OneRule(kCaseSensitive, R"('(?i)\bNew\b')")).empty());
}

TEST_CASE("lint: escapes and classes are not taken for upper-case letters") {
  for (const char* pattern :
       {R"(\S+\s\W\D\B\A\pL\PL\p{Lu}\P{Greek}x\z)", R"([\S\W]x)", R"([^A-Z]x)",
        R"([a-zA-Z]x)", R"([[:upper:]]x)", R"((?P<Name>x))",
        R"(x{2,3}\Qabc\E)"}) {
    CAPTURE(pattern);
    CHECK(NormalizedPatternProblem(pattern, true).empty());
  }
}

TEST_CASE("lint: upper case written as an escape or a class is reported") {
  const std::string whole = std::string("pattern can never match: ");
  CHECK(NormalizedPatternProblem(R"(\x{4E}ew)", true) == whole + kUpperCase);
  CHECK(NormalizedPatternProblem(R"([M-O]ew)", true) ==
        whole +
            "it has upper-case 'M' but the rule is case-sensitive and "
            "matches normalized (lower-case) text");
  CHECK(NormalizedPatternProblem(R"(\QNew\E)", true) == whole + kUpperCase);
  CHECK(NormalizedPatternProblem(R"((?i)x(?-i)New)", true) ==
        whole + kUpperCase);
  CHECK(NormalizedPatternProblem(R"((?i:x)New)", true) == whole + kUpperCase);
}

TEST_CASE("lint: a part that can never match is told from the whole") {
  const std::string part = "part of the pattern can never match: ";
  CHECK(NormalizedPatternProblem(R"(new|New)", true) == part + kUpperCase);
  CHECK(NormalizedPatternProblem(R"(x(?:New)?y)", true) == part + kUpperCase);
  CHECK(NormalizedPatternProblem(R"(xN*y)", true) == part + kUpperCase);
  CHECK(NormalizedPatternProblem(R"(xN{0,2}y)", true) == part + kUpperCase);
  CHECK(NormalizedPatternProblem(R"((?:New|NEW)x)", true) ==
        "pattern can never match: " + std::string(kUpperCase));
}

TEST_CASE("lint: accented and look-alike letters can never match") {
  CHECK(NormalizedPatternProblem("\\bj\xC3\xB3ven\\b", false) ==
        "pattern can never match: it has '\xC3\xB3' (U+00F3) but the rule "
        "matches normalized text, where it becomes 'o'");
  CHECK(NormalizedPatternProblem(R"(\bj\x{F3}ven\b)", false) ==
        "pattern can never match: it has '\xC3\xB3' (U+00F3) but the rule "
        "matches normalized text, where it becomes 'o'");
  CHECK(NormalizedPatternProblem("y\xD0\xBEung", false) ==
        "pattern can never match: it has Cyrillic '\xD0\xBE' (U+043E) but "
        "the rule matches normalized text, where it becomes 'o'");
  CHECK(NormalizedPatternProblem("\xCE\xBA\xCE\xB9ss", false) ==
        "pattern can never match: it has Greek '\xCE\xBA' (U+03BA) but the "
        "rule matches normalized text, where it becomes 'k'");
  CHECK(NormalizedPatternProblem(R"(bar\x{200B}ely)", false) ==
        "pattern can never match: it has U+200B but the rule matches "
        "normalized text, which drops it");
}

TEST_CASE("lint: characters normalization keeps are fine") {
  for (const char* pattern :
       {"brasile[n\xC3\xB1]a", R"([\x{1F352}\x{1F36D}]\s*fresh)", R"(\x{2708})",
        "can[\xE2\x80\x99']?t", R"(\$\d+)", "24\\s*/\\s*7"}) {
    CAPTURE(pattern);
    CHECK(NormalizedPatternProblem(pattern, false).empty());
  }
}

TEST_CASE("lint: a look-alike digit between letters can never match") {
  CHECK(NormalizedPatternProblem(R"(\bn3w\s+in\s+town\b)", false) ==
        "pattern can never match: it has 'n3w' but the rule matches "
        "normalized text, where it becomes 'new'");
  CHECK(NormalizedPatternProblem(R"(b@rely)", false) ==
        "pattern can never match: it has 'b@r' but the rule matches "
        "normalized text, where it becomes 'bar'");
  CHECK(NormalizedPatternProblem(R"(t00n)", false) ==
        "pattern can never match: it has 't00n' but the rule matches "
        "normalized text, where it becomes 'toon'");
  for (const char* pattern : {R"(18yo)", R"(\$150)", R"(4\s+girls)", R"(24/7)",
                              R"(n[3e]w)", R"(n3?w)", R"(a1)"}) {
    CAPTURE(pattern);
    CHECK(NormalizedPatternProblem(pattern, false).empty());
  }
}

TEST_CASE("lint: patterns of raw rules are not judged against folding") {
  CHECK(LintWarnings(OneRule("    normalize: false\n", "'j\xC3\xB3ven', 'n3w'"))
            .empty());
}

TEST_CASE("lint: except and unless patterns are linted too") {
  const std::string text =
      OneRule(kCaseSensitive, "x") + "    except: ['Xy']\n    unless: ['zZ']\n";
  CHECK(LintWarnings(text) ==
        Lines{"r.yaml:9:14: warning: pattern can never match: it has "
              "upper-case 'X' but the rule is case-sensitive and matches "
              "normalized (lower-case) text",
              "r.yaml:10:14: warning: pattern can never match: it has "
              "upper-case 'Z' but the rule is case-sensitive and matches "
              "normalized (lower-case) text"});
}

TEST_CASE("lint: a deprecated rule is linted too") {
  const std::string text =
      "rules:\n  - {id: a, title: t, category: c, weight: 0.3, "
      "status: deprecated, any: ['n3w']}\n";
  CHECK(LintWarnings(text) ==
        Lines{"r.yaml:2:75: warning: pattern can never match: it has 'n3w' "
              "but the rule matches normalized text, where it becomes "
              "'new'"});
}

// Two counted rules; `second` holds the keys of the second one.
std::string TwoRules(const std::string& second) {
  return "rules:\n"
         "  - {id: a, title: t, category: c, weight: 0.3, status: test,\n"
         "     any: ['\\bbarely\\s+legal\\b']}\n"
         "  - {id: b, title: t, category: c, weight: 0.2, " +
         second + "}\n";
}

TEST_CASE("lint: a pattern firing two counted rules alone is reported") {
  CHECK(LintWarnings(TwoRules(
            "status: test, any: ['\\bteen\\b', '\\bbarely\\s+legal\\b']")) ==
        Lines{"r.yaml:4:81: warning: duplicate pattern: rule 'a' has it too "
              "(r.yaml:3:12), on the same text, so one match fires both "
              "rules and counts twice toward the score"});
  CHECK(
      LintWarnings(TwoRules("status: test, all: ['\\bbarely\\s+legal\\b']")) ==
      Lines{"r.yaml:4:69: warning: duplicate pattern: rule 'a' has it too "
            "(r.yaml:3:12), on the same text, so one match fires both "
            "rules and counts twice toward the score"});
}

TEST_CASE("lint: a shared pattern that cannot count twice is fine") {
  for (const char* second :
       {"status: experimental, any: ['\\bbarely\\s+legal\\b']",
        "status: deprecated, any: ['\\bbarely\\s+legal\\b']",
        "status: test, fields: [body], any: ['\\bbarely\\s+legal\\b']",
        "status: test, normalize: false, any: ['\\bbarely\\s+legal\\b']",
        "status: test, when: {category: '^escorts$'},\n"
        "     any: ['\\bbarely\\s+legal\\b']",
        "status: test, min_hits: 2, any: ['\\bbarely\\s+legal\\b', 'x']",
        "status: test, any: [x], all: ['\\bbarely\\s+legal\\b']",
        "status: test, requires: [a], any: ['\\bbarely\\s+legal\\b']"}) {
    CAPTURE(second);
    CHECK(LintWarnings(TwoRules(second)).empty());
  }
}

TEST_CASE("lint: a pattern written twice in one rule's any is reported") {
  CHECK(LintWarnings(OneRule("    min_hits: 2\n", "'x', 'y', 'x'")) ==
        Lines{"r.yaml:8:21: warning: duplicate pattern: it is already in "
              "this rule's 'any' at r.yaml:8:11"});
}

TEST_CASE("lint: the built-in pack has no warning") {
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  REQUIRE(LoadBuiltinPack(&pack, &diagnostics));
  LintRulePack(pack, &diagnostics);
  CHECK(Format(diagnostics) == Lines{});
}

}  // namespace
}  // namespace adflag

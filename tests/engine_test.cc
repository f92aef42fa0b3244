// Tests of the matcher and the scorer: which rules fire on a listing, the
// evidence they report, and the score and level that follow.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/examples.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"

namespace adflag {
namespace {

const char kPackHeader[] =
    "pack:\n"
    "  name: test\n"
    "  threshold: 0.40\n"
    "  levels: {medium: 0.60, high: 0.85}\n"
    "  text_fields: [title, body]\n"
    "rules:\n";

// A pack compiled from YAML rules, with a matcher and a scorer.
class Engine {
 public:
  explicit Engine(const std::string& rules_yaml) {
    std::vector<Diagnostic> problems;
    bool loaded = ParseRulePack({{"t.yaml", kPackHeader + rules_yaml}}, &pack_,
                                &problems);
    for (const Diagnostic& problem : problems) {
      INFO(FormatDiagnostic(problem));
    }
    REQUIRE(loaded);
    compiled_ = CompiledPack::Compile(pack_, &problems);
    REQUIRE(compiled_ != nullptr);
    ListingFields fields;
    fields.text_fields = compiled_->fields();
    parser_ = std::make_unique<ListingParser>(fields);
    matcher_ = std::make_unique<Matcher>(*compiled_);
    scorer_ = std::make_unique<Scorer>(pack_);
  }

  // Matches one JSON listing and returns its verdict.
  Verdict Run(const std::string& json) {
    RejectReason reason;
    REQUIRE(parser_->Parse(json, &listing_, &reason));
    MatchResult matches;
    matcher_->Match(listing_, &matches);
    Verdict verdict;
    scorer_->Score(matches, &verdict);
    return verdict;
  }

  // Returns the ids of the counted rules of a verdict, in order.
  std::vector<std::string> Counted(const Verdict& verdict) const {
    return Ids(verdict.counted);
  }

  std::vector<std::string> Shadow(const Verdict& verdict) const {
    return Ids(verdict.shadow);
  }

  // Returns "field[index]:start-end:text" for every hit of a match.
  std::vector<std::string> Evidence(const RuleMatch& match) const {
    std::vector<std::string> out;
    for (const Hit& hit : match.hits) {
      const std::string& field = compiled_->fields()[hit.field];
      std::string text;
      for (const FieldValue& value : listing_.values[hit.field]) {
        if (value.index == hit.value_index) {
          text =
              value.text.substr(hit.span.start, hit.span.end - hit.span.start);
        }
      }
      std::string index = hit.value_index >= 0
                              ? "[" + std::to_string(hit.value_index) + "]"
                              : "";
      out.push_back(field + index + ":" + std::to_string(hit.span.start) + "-" +
                    std::to_string(hit.span.end) + ":" + text);
    }
    return out;
  }

  const CompiledPack& compiled() const { return *compiled_; }

 private:
  std::vector<std::string> Ids(const std::vector<RuleMatch>& matches) const {
    std::vector<std::string> ids;
    for (const RuleMatch& match : matches) {
      ids.push_back(pack_.rules[match.rule].id);
    }
    return ids;
  }

  RulePack pack_;
  std::unique_ptr<CompiledPack> compiled_;
  std::unique_ptr<ListingParser> parser_;
  std::unique_ptr<Matcher> matcher_;
  std::unique_ptr<Scorer> scorer_;
  Listing listing_;
};

using Ids = std::vector<std::string>;
using Spans = std::vector<std::string>;

const char kYouthRule[] =
    "  - id: youth\n"
    "    title: Youth\n"
    "    category: youth\n"
    "    weight: 0.35\n"
    "    any: ['\\bbarely\\s+legal\\b', '\\bnew\\s+in\\s+town\\b']\n";

TEST_CASE("a pattern hit reports the original span as evidence") {
  Engine engine(kYouthRule);
  Verdict verdict =
      engine.Run(R"({"title":"Hello","body":"Sweet and Barely Legal."})");
  REQUIRE(engine.Counted(verdict) == Ids{"youth"});
  CHECK(engine.Evidence(verdict.counted[0]) ==
        Spans{"body:10-22:Barely Legal"});
  CHECK(verdict.score == 0.35);
  CHECK(verdict.level == Level::kLow);
}

TEST_CASE("a hit in normalized text maps back to the obfuscated original") {
  Engine engine(kYouthRule);
  Verdict verdict = engine.Run(R"({"body":"Call me, n3w in t0wn!"})");
  REQUIRE(engine.Counted(verdict) == Ids{"youth"});
  CHECK(engine.Evidence(verdict.counted[0]) == Spans{"body:9-20:n3w in t0wn"});
}

TEST_CASE("hits in several fields are reported in field order") {
  Engine engine(kYouthRule);
  Verdict verdict = engine.Run(
      R"({"title":"barely legal","body":"new in town, barely legal"})");
  REQUIRE(engine.Counted(verdict) == Ids{"youth"});
  CHECK(engine.Evidence(verdict.counted[0]) ==
        Spans{"title:0-12:barely legal", "body:0-11:new in town",
              "body:13-25:barely legal"});
}

TEST_CASE("a listing without hits fires nothing and scores zero") {
  Engine engine(kYouthRule);
  Verdict verdict = engine.Run(R"({"title":"Sofa","body":"Blue, clean."})");
  CHECK(verdict.counted.empty());
  CHECK(verdict.score == 0);
  CHECK(verdict.level == Level::kNone);
}

TEST_CASE("min_hits counts distinct patterns, not repeated hits") {
  Engine engine(
      "  - id: two\n"
      "    title: Two signs\n"
      "    category: test\n"
      "    weight: 0.2\n"
      "    min_hits: 2\n"
      "    any: ['\\bfee\\b', '\\bpassport\\b', '\\bdebt\\b']\n");
  CHECK(engine.Run(R"({"body":"fee fee fee"})").counted.empty());
  Verdict verdict = engine.Run(R"({"body":"a fee and a debt"})");
  REQUIRE(engine.Counted(verdict) == Ids{"two"});
  CHECK(engine.Evidence(verdict.counted[0]) ==
        Spans{"body:2-5:fee", "body:12-16:debt"});
}

TEST_CASE("every all pattern must hit") {
  Engine engine(
      "  - id: both\n"
      "    title: Both\n"
      "    category: test\n"
      "    weight: 0.2\n"
      "    all: ['\\bpassport\\b', '\\bemployer\\b']\n");
  CHECK(engine.Run(R"({"body":"passport needed"})").counted.empty());
  CHECK(engine.Counted(engine.Run(
            R"({"body":"employer keeps the passport"})")) == Ids{"both"});
}

TEST_CASE("any and all together need both parts") {
  Engine engine(
      "  - id: mixed\n"
      "    title: Mixed\n"
      "    category: test\n"
      "    weight: 0.2\n"
      "    any: ['\\bfee\\b']\n"
      "    all: ['\\babroad\\b']\n");
  CHECK(engine.Run(R"({"body":"a fee"})").counted.empty());
  CHECK(engine.Run(R"({"body":"work abroad"})").counted.empty());
  CHECK(engine.Counted(engine.Run(R"({"body":"fee, work abroad"})")) ==
        Ids{"mixed"});
}

TEST_CASE("a hit inside an except span is dropped, others stay") {
  Engine engine(
      "  - id: young\n"
      "    title: Young\n"
      "    category: youth\n"
      "    weight: 0.3\n"
      "    any: ['\\byoung\\b']\n"
      "    except: ['\\bnot\\s+so\\s+young\\b']\n");
  CHECK(engine.Run(R"({"body":"not so young anymore"})").counted.empty());
  Verdict verdict = engine.Run(R"({"body":"not so young, but young"})");
  REQUIRE(engine.Counted(verdict) == Ids{"young"});
  CHECK(engine.Evidence(verdict.counted[0]) == Spans{"body:18-23:young"});
}

TEST_CASE("an unless match anywhere in the rule's fields vetoes the rule") {
  Engine engine(
      "  - id: young\n"
      "    title: Young\n"
      "    category: youth\n"
      "    weight: 0.3\n"
      "    any: ['\\byoung\\b']\n"
      "    unless: ['\\byoung\\s+professionals?\\b']\n");
  CHECK(engine.Run(R"({"title":"Young professional","body":"young"})")
            .counted.empty());
  CHECK(engine.Counted(engine.Run(R"({"body":"young"})")) == Ids{"young"});
}

TEST_CASE("when limits a rule to listings whose raw field matches") {
  Engine engine(
      "  - id: adult.youth\n"
      "    title: Youth\n"
      "    category: youth\n"
      "    weight: 0.3\n"
      "    when: {category: '^(escorts|body-rubs)$'}\n"
      "    any: ['\\bfresh\\b']\n");
  CHECK(engine.Run(R"({"category":"for-sale","body":"fresh eggs"})")
            .counted.empty());
  CHECK(engine.Run(R"({"body":"fresh eggs"})").counted.empty());
  CHECK(engine.Counted(engine.Run(
            R"({"category":"escorts","body":"fresh"})")) == Ids{"adult.youth"});
}

TEST_CASE("normalize false matches the raw text only") {
  Engine engine(
      "  - id: raw\n"
      "    title: Raw\n"
      "    category: test\n"
      "    weight: 0.3\n"
      "    normalize: false\n"
      "    any: ['\\bnew\\b']\n");
  CHECK(engine.Run(R"({"body":"n3w"})").counted.empty());
  CHECK(engine.Counted(engine.Run(R"({"body":"NEW"})")) == Ids{"raw"});
}

TEST_CASE("case_sensitive rules on raw text respect case") {
  Engine engine(
      "  - id: caps\n"
      "    title: Caps\n"
      "    category: test\n"
      "    weight: 0.3\n"
      "    normalize: false\n"
      "    case_sensitive: true\n"
      "    any: ['\\bLE\\b']\n");
  CHECK(engine.Run(R"({"body":"le chat"})").counted.empty());
  CHECK(engine.Counted(engine.Run(R"({"body":"no LE"})")) == Ids{"caps"});
}

TEST_CASE("array fields match element by element, with the index") {
  Engine engine(
      "  - id: tags\n"
      "    title: Tags\n"
      "    category: test\n"
      "    weight: 0.3\n"
      "    fields: [tags]\n"
      "    any: ['\\bincall\\b']\n");
  Verdict verdict = engine.Run(R"({"tags":["outcall","incall only"]})");
  REQUIRE(engine.Counted(verdict) == Ids{"tags"});
  CHECK(engine.Evidence(verdict.counted[0]) == Spans{"tags[1]:0-6:incall"});
}

TEST_CASE("fields given as JSON pointers reach nested values") {
  Engine engine(
      "  - id: phone\n"
      "    title: Phone\n"
      "    category: test\n"
      "    weight: 0.3\n"
      "    fields: [/contact/phone]\n"
      "    normalize: false\n"
      "    any: ['\\bfive\\b']\n");
  Verdict verdict =
      engine.Run(R"({"contact":{"phone":"510 five five five 0134"}})");
  REQUIRE(engine.Counted(verdict) == Ids{"phone"});
  CHECK(engine.Evidence(verdict.counted[0]) ==
        Spans{"/contact/phone:4-8:five", "/contact/phone:9-13:five",
              "/contact/phone:14-18:five"});
}

const char kScoredRules[] =
    "  - id: youth\n"
    "    title: Youth\n"
    "    category: youth\n"
    "    weight: 0.35\n"
    "    any: ['\\byoung\\b']\n"
    "  - id: third\n"
    "    title: Third party\n"
    "    category: third_party\n"
    "    weight: 0.5\n"
    "    any: ['\\bmy\\s+manager\\b']\n"
    "  - id: trial\n"
    "    title: Trial\n"
    "    category: test\n"
    "    weight: 0.9\n"
    "    status: experimental\n"
    "    any: ['\\bmanager\\b']\n"
    "  - id: old\n"
    "    title: Old\n"
    "    category: test\n"
    "    weight: 0.9\n"
    "    status: deprecated\n"
    "    any: ['\\byoung\\b']\n"
    "  - id: combo\n"
    "    title: Youth with third party\n"
    "    category: combination\n"
    "    weight: 0.5\n"
    "    requires: [youth, third]\n"
    "  - id: combo.trial\n"
    "    title: Youth with trial\n"
    "    category: combination\n"
    "    weight: 0.5\n"
    "    requires: [youth, trial]\n";

TEST_CASE("score is the noisy-OR of counted weights, rounded") {
  Engine engine(kScoredRules);
  Verdict verdict = engine.Run(R"({"body":"young, call my manager"})");
  CHECK(engine.Counted(verdict) == Ids{"youth", "third", "combo"});
  // 1 - 0.65 * 0.5 * 0.5 = 0.8375
  CHECK(verdict.score == 0.8375);
  CHECK(verdict.level == Level::kMedium);
}

TEST_CASE("experimental rules are shadow and do not count") {
  Engine engine(kScoredRules);
  Verdict verdict = engine.Run(R"({"body":"ask the manager"})");
  CHECK(engine.Counted(verdict).empty());
  CHECK(engine.Shadow(verdict) == Ids{"trial"});
  CHECK(verdict.score == 0);
  CHECK(verdict.level == Level::kNone);
}

TEST_CASE("a composite that counts ignores experimental rules it requires") {
  Engine engine(kScoredRules);
  Verdict verdict = engine.Run(R"({"body":"young, manager"})");
  CHECK(engine.Counted(verdict) == Ids{"youth"});
  CHECK(engine.Shadow(verdict) == Ids{"trial"});
}

TEST_CASE("deprecated rules are not run") {
  Engine engine(kScoredRules);
  Verdict verdict = engine.Run(R"({"body":"young"})");
  CHECK(engine.Counted(verdict) == Ids{"youth"});
}

TEST_CASE("levels follow the pack's marks") {
  PackSettings settings;
  CHECK(LevelOf(0.0, settings) == Level::kLow);
  CHECK(LevelOf(0.5999, settings) == Level::kLow);
  CHECK(LevelOf(0.60, settings) == Level::kMedium);
  CHECK(LevelOf(0.85, settings) == Level::kHigh);
  Level level = Level::kNone;
  CHECK(ParseLevel("medium", &level));
  CHECK(level == Level::kMedium);
  CHECK_FALSE(ParseLevel("severe", &level));
  CHECK(std::string(LevelName(Level::kHigh)) == "high");
}

TEST_CASE("a set too large for RE2's budget is split and still matches") {
  std::string rules;
  for (int r = 0; r < 30; ++r) {
    rules += "  - id: r" + std::to_string(r) +
             "\n    title: Many\n    category: test\n    weight: 0.01\n"
             "    any: [";
    for (int p = 0; p < 100; ++p) {
      if (p > 0) rules += ", ";
      rules += "'\\bw" + std::to_string(r * 100 + p) + "[a-z]{0,60}q\\b'";
    }
    rules += "]\n";
  }
  Engine engine(rules);
  CHECK(engine.compiled().set_count() > 2);
  Verdict verdict = engine.Run(R"({"body":"x w2999abcq y"})");
  REQUIRE(engine.Counted(verdict) == Ids{"r29"});
  CHECK(engine.Evidence(verdict.counted[0]) == Spans{"body:2-11:w2999abcq"});
}

TEST_CASE("the built-in pack loads without a single diagnostic") {
  RulePack pack;
  std::vector<Diagnostic> problems;
  CHECK(LoadBuiltinPack(&pack, &problems));
  for (const Diagnostic& problem : problems) {
    FAIL_CHECK(FormatDiagnostic(problem));
  }
  CHECK(pack.rules.size() >= 12);
}

TEST_CASE("every example of the built-in pack does what it says") {
  RulePack pack;
  std::vector<Diagnostic> problems;
  REQUIRE(LoadBuiltinPack(&pack, &problems));
  ExampleReport report;
  REQUIRE(RunRuleExamples(pack, &report, &problems));
  for (const ExampleFailure& failure : report.failures) {
    FAIL_CHECK(FormatDiagnostic(ExampleDiagnostic(failure)));
  }
  CHECK(report.passed > 2 * static_cast<int>(pack.rules.size()));
}

TEST_CASE("a failing example is reported at its place with what fired") {
  RulePack pack;
  std::vector<Diagnostic> problems;
  REQUIRE(ParseRulePack({{"t.yaml", std::string(kPackHeader) +
                                        "  - id: young\n"
                                        "    title: Young\n"
                                        "    category: youth\n"
                                        "    weight: 0.3\n"
                                        "    when: {category: '^escorts$'}\n"
                                        "    any: ['\\byoung\\b']\n"
                                        "    examples:\n"
                                        "      hit: ['so young', 'so old']\n"
                                        "      miss: ['young at heart']\n"}},
                        &pack, &problems));
  ExampleReport report;
  REQUIRE(RunRuleExamples(pack, &report, &problems));
  CHECK(report.passed == 1);
  REQUIRE(report.failures.size() == 2);
  CHECK(FormatDiagnostic(ExampleDiagnostic(report.failures[0])) ==
        "t.yaml:14:25: error: example should fire rule 'young' but did not");
  CHECK(report.failures[0].fired.empty());
  CHECK(FormatDiagnostic(ExampleDiagnostic(report.failures[1])) ==
        "t.yaml:15:14: error: example should not fire rule 'young' but did");
  CHECK(report.failures[1].fired == Ids{"young"});
}

}  // namespace
}  // namespace adflag

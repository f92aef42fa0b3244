// Tests of a pack's own tests: reading tests/, regression cases and their
// expected files, the benign corpus, --update, and the JUnit report.

#include "adflag/regression.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/examples.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

using Lines = std::vector<std::string>;

const char kRules[] = R"(pack:
  threshold: 0.40
  levels: {medium: 0.60, high: 0.85}
rules:
  - id: youth
    title: Youth
    category: youth
    weight: 0.35
    when: {category: '^escorts$'}
    any: ['\bbarely\s+legal\b']
    examples: {hit: ['barely legal', 'just 18'], miss: ['barely used']}
  - id: booker
    title: Booker
    category: third_party
    weight: 0.25
    when: {category: '^escorts$'}
    any: ['\bmy\s+booker\b']
  - id: movement
    title: Movement
    category: movement
    weight: 0.05
    status: experimental
    any: ['\bnew\s+in\s+town\b']
)";

// A pack loaded from kRules, with a runner.
class Fixture {
 public:
  Fixture() {
    std::vector<Diagnostic> problems;
    REQUIRE(ParseRulePack({{"r.yaml", kRules}}, &pack_, &problems));
    runner_ = ListingRunner::Create(pack_, &problems);
    REQUIRE(runner_ != nullptr);
  }

  const RulePack& pack() const { return pack_; }
  ListingRunner* runner() { return runner_.get(); }

 private:
  RulePack pack_;
  std::unique_ptr<ListingRunner> runner_;
};

const char kListings[] =
    R"({"id": "A", "category": "escorts", "body": "Barely legal, my booker"}
{"id": "B", "category": "escorts", "body": "Barely legal, new in town"}

{"id": "C", "category": "housing", "body": "Barely legal, my booker"}
{"category": "escorts", "body": "my booker"}
)";

const char kExpected[] =
    R"({"id":"A","level":"low","rules":["youth","booker"],"shadow":[]}
{"id":"B","level":"low","rules":["youth"],"shadow":["movement"]}
{"id":"C","level":"none","rules":[],"shadow":[]}
{"id":"cases.jsonl:5","level":"low","rules":["booker"],"shadow":[]}
)";

RegressionCase Case(const std::string& expected) {
  return RegressionCase{"cases",
                        {"t/cases.jsonl", kListings},
                        "t/cases.expected.jsonl",
                        expected};
}

// Returns "PLACE: MESSAGE" for every failed result.
Lines Failures(const std::vector<TestResult>& results) {
  Lines lines;
  for (const TestResult& result : results) {
    if (!result.passed) lines.push_back(FormatFailure(result));
  }
  return lines;
}

TEST_CASE("a recorded verdict is one compact JSON line") {
  RecordedVerdict verdict{"S1", Level::kMedium, {"a", "b"}, {"m"}};
  const std::string line = FormatRecordedVerdict(verdict);
  CHECK(line ==
        R"({"id":"S1","level":"medium","rules":["a","b"],"shadow":["m"]})");

  RecordedVerdict parsed;
  std::string error;
  REQUIRE(ParseRecordedVerdict(line, &parsed, &error));
  CHECK(parsed == verdict);
}

TEST_CASE("an expected line may leave out shadow") {
  RecordedVerdict parsed;
  std::string error;
  REQUIRE(ParseRecordedVerdict(R"({"id":"x","level":"none","rules":[]})",
                               &parsed, &error));
  CHECK(parsed == RecordedVerdict{"x", Level::kNone, {}, {}});
}

TEST_CASE("a malformed expected line is refused with the reason") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[1]", "not a JSON object"},
      {R"({"id":"x","level":"none","rules":[],"score":1})",
       "unknown key 'score'"},
      {R"({"id":3,"level":"none","rules":[]})", "'id' must be a string"},
      {R"({"id":"x","level":"severe","rules":[]})",
       "'level' must be none, low, medium or high"},
      {R"({"id":"x","level":"low"})", "'rules' must be a list of rule ids"},
      {R"({"id":"x","level":"low","rules":[],"shadow":[1]})",
       "'shadow' must be a list of rule ids"},
  };
  for (const auto& [line, reason] : cases) {
    CAPTURE(line);
    RecordedVerdict parsed;
    std::string error;
    CHECK_FALSE(ParseRecordedVerdict(line, &parsed, &error));
    CHECK(error == reason);
  }
}

TEST_CASE("listings run as in a scan, when conditions included") {
  Fixture fixture;
  const std::vector<ListingOutcome> outcomes =
      fixture.runner()->Run({"dir/cases.jsonl", kListings});
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].verdict ==
        RecordedVerdict{"A", Level::kLow, {"youth", "booker"}, {}});
  CHECK(outcomes[0].score == Approx(0.5125));
  CHECK(outcomes[0].flagged);
  CHECK(outcomes[1].verdict ==
        RecordedVerdict{"B", Level::kLow, {"youth"}, {"movement"}});
  CHECK_FALSE(outcomes[1].flagged);
  CHECK(outcomes[2].verdict == RecordedVerdict{"C", Level::kNone, {}, {}});
  // Without an id, a listing is named by its file's name and line.
  CHECK(outcomes[3].verdict.id == "cases.jsonl:5");
  CHECK(outcomes[3].line == 5);
}

TEST_CASE("a regression case whose verdicts hold passes") {
  Fixture fixture;
  const std::vector<TestResult> results =
      RunRegressionCase(fixture.runner(), Case(kExpected));
  CHECK(results.size() == 4);
  CHECK(Failures(results).empty());
  CHECK(results[0].name == "cases: A");
  CHECK(results[0].kind == TestKind::kRegression);
}

TEST_CASE("a changed verdict fails with expected and actual") {
  Fixture fixture;
  std::string expected = kExpected;
  expected.replace(expected.find(R"("level":"low","rules":["youth","booker"])"),
                   40, R"("level":"medium","rules":["youth"]      )");
  expected.replace(expected.find(R"("shadow":["movement"])"), 21,
                   R"("shadow":[]          )");
  CHECK(Failures(RunRegressionCase(fixture.runner(), Case(expected))) ==
        Lines{"t/cases.jsonl:1: listing A: expected level medium rules "
              "[youth], got level low rules [youth, booker]",
              "t/cases.jsonl:2: listing B: expected level low rules [youth] "
              "shadow [], got level low rules [youth] shadow [movement]"});
}

TEST_CASE("listings and expected lines are matched by id") {
  Fixture fixture;
  const std::string expected =
      R"({"id":"C","level":"none","rules":[],"shadow":[]}
{"id":"Z","level":"none","rules":[],"shadow":[]}
not json
{"id":"A","level":"low","rules":["youth","booker"],"shadow":[]}
{"id":"B","level":"low","rules":["youth"],"shadow":["movement"]}
)";
  CHECK(Failures(RunRegressionCase(fixture.runner(), Case(expected))) ==
        Lines{"t/cases.expected.jsonl:3: invalid expected verdict: not a "
              "JSON object",
              "t/cases.jsonl:5: listing cases.jsonl:5: no expected verdict: "
              "run 'adflag test --update' to record it",
              "t/cases.expected.jsonl:2: expected listing Z, but the case "
              "has no such listing"});
}

TEST_CASE("a rejected line and a missing expected file fail") {
  Fixture fixture;
  RegressionCase test_case = Case(kExpected);
  test_case.listings.text += "{\"id\": \"D\", \"body\": \"cut\n";
  CHECK(Failures(RunRegressionCase(fixture.runner(), test_case)) ==
        Lines{"t/cases.jsonl:6:25: line rejected: unexpected end of line "
              "(truncated JSON)"});

  test_case.expected_text.reset();
  CHECK(Failures(RunRegressionCase(fixture.runner(), test_case)) ==
        Lines{"t/cases.jsonl: no expected file t/cases.expected.jsonl: run "
              "'adflag test --update' to write it"});
}

TEST_CASE("a benign listing fails only when it is flagged") {
  Fixture fixture;
  const std::vector<TestResult> results =
      RunBenignCorpus(fixture.runner(), {"t/benign/ads.jsonl", kListings});
  CHECK(results.size() == 4);
  CHECK(results[1].name == "ads: B");
  CHECK(results[1].kind == TestKind::kBenign);
  // B fires a rule but stays below the threshold: not flagged.
  CHECK(Failures(results) ==
        Lines{"t/benign/ads.jsonl:1: listing A: benign listing flagged at "
              "level low (score 0.5125) by rules [youth, booker]"});
}

TEST_CASE("update writes the verdicts and names what changed") {
  Fixture fixture;
  const std::string stale =
      R"({"id":"A","level":"medium","rules":["youth"],"shadow":[]}
{"id":"B","level":"low","rules":["youth"],"shadow":[]}
{"id":"Gone","level":"none","rules":[],"shadow":[]}
{"id":"cases.jsonl:5","level":"low","rules":["booker"],"shadow":[]}
)";
  const CaseUpdate update = UpdateRegressionCase(fixture.runner(), Case(stale));
  CHECK(update.text == kExpected);
  CHECK(update.changes ==
        Lines{"A (medium -> low; rules [youth] -> [youth, booker])",
              "B (shadow [] -> [movement])", "C (added)", "Gone (removed)"});

  CHECK(
      UpdateRegressionCase(fixture.runner(), Case(kExpected)).changes.empty());
}

TEST_CASE("every example becomes a result, failed ones with what fired") {
  Fixture fixture;
  ExampleReport report;
  std::vector<Diagnostic> problems;
  REQUIRE(RunRuleExamples(fixture.pack(), &report, &problems));
  const std::vector<TestResult> results =
      ExampleResults(fixture.pack(), report);
  REQUIRE(results.size() == 3);
  CHECK(results[0].name == "youth: hit example (r.yaml:11:22)");
  CHECK(results[2].name == "youth: miss example (r.yaml:11:57)");
  CHECK(Failures(results) ==
        Lines{"r.yaml:11:38: rule youth: hit example did not fire (fired: "
              "none)"});
}

TEST_CASE("the files of tests/ are sorted into cases and benign corpora") {
  std::vector<Diagnostic> problems;
  const PackTests tests = CollectPackTests({{"a.expected.jsonl", "E"},
                                            {"a.jsonl", "L"},
                                            {"b.jsonl", "M"},
                                            {"benign/jobs.jsonl", "J"},
                                            {"notes.txt", "x"},
                                            {"old.expected.jsonl", "O"},
                                            {"other/c.jsonl", "C"}},
                                           "p/tests/", &problems);
  REQUIRE(tests.cases.size() == 2);
  CHECK(tests.cases[0].name == "a");
  CHECK(tests.cases[0].listings.path == "p/tests/a.jsonl");
  CHECK(tests.cases[0].expected_path == "p/tests/a.expected.jsonl");
  CHECK(tests.cases[0].expected_text == "E");
  CHECK(tests.cases[1].expected_path == "p/tests/b.expected.jsonl");
  CHECK_FALSE(tests.cases[1].expected_text.has_value());
  REQUIRE(tests.benign.size() == 1);
  CHECK(tests.benign[0].path == "p/tests/benign/jobs.jsonl");
  CHECK(tests.orphan_expected == Lines{"p/tests/old.expected.jsonl"});
  REQUIRE(problems.size() == 1);
  CHECK(FormatDiagnostic(problems[0]) ==
        "p/tests/other/c.jsonl: warning: not read: regression cases are "
        "tests/NAME.jsonl and benign listings tests/benign/*.jsonl");
}

TEST_CASE("an expected file without listings fails") {
  CHECK(FormatFailure(OrphanExpectedResult("p/tests/old.expected.jsonl")) ==
        "p/tests/old.expected.jsonl: no listings file old.jsonl beside this "
        "expected file");
}

TEST_CASE("a pack's tests are read from its tests directory") {
  std::string name =
      (fs::temp_directory_path() / "regression_test.XXXXXX").string();
  REQUIRE(mkdtemp(name.data()) != nullptr);
  const fs::path root = name;
  fs::create_directories(root / "tests" / "benign");
  std::ofstream(root / "rules.yaml") << kRules;
  std::ofstream(root / "tests" / "s.jsonl") << kListings;
  std::ofstream(root / "tests" / "benign" / "b.jsonl") << kListings;

  PackTests tests;
  std::vector<Diagnostic> problems;
  REQUIRE(ReadPackTests(root.string(), &tests, &problems));
  REQUIRE(tests.cases.size() == 1);
  CHECK(tests.cases[0].listings.path == root.string() + "/tests/s.jsonl");
  CHECK(tests.cases[0].listings.text == kListings);
  CHECK(tests.benign.size() == 1);

  // A single rule file has no tests.
  REQUIRE(ReadPackTests((root / "rules.yaml").string(), &tests, &problems));
  CHECK(tests.cases.empty());
  CHECK(problems.empty());
  fs::remove_all(root);
}

TEST_CASE("the built-in pack carries a regression case and benign ads") {
  std::vector<Diagnostic> problems;
  const PackTests tests = BuiltinPackTests(&problems);
  CHECK(problems.empty());
  REQUIRE_FALSE(tests.cases.empty());
  CHECK(tests.cases[0].listings.path.rfind("rules/tests/", 0) == 0);
  CHECK(tests.cases[0].expected_text.has_value());
  CHECK(tests.benign.size() >= 2);
}

TEST_CASE("the JUnit report counts tests and escapes text") {
  TestResult passed{TestKind::kExample, "a: hit example", true, {}, ""};
  TestResult failed{TestKind::kBenign,
                    "ads: <&>\"'",
                    false,
                    {"f.jsonl", 2, 0},
                    std::string("listing \x01<&>: flagged")};
  const std::string xml = FormatJUnit(
      {{"p", {passed, failed}, "", ""},
       {"q", {}, "the pack does not load", "q.yaml:1:1: error: x\n"}});
  CHECK(xml.find(R"(<testsuites name="adflag test" tests="3" failures="1" )"
                 R"(errors="1">)") != std::string::npos);
  CHECK(xml.find(R"(<testsuite name="p" tests="2" failures="1" errors="0">)") !=
        std::string::npos);
  CHECK(xml.find(R"(<testcase classname="examples" name="a: hit example"/>)") !=
        std::string::npos);
  CHECK(xml.find(R"(name="ads: &lt;&amp;&gt;&quot;&apos;")") !=
        std::string::npos);
  CHECK(xml.find("message=\"listing \xEF\xBF\xBD&lt;&amp;&gt;: flagged\"") !=
        std::string::npos);
  CHECK(xml.find("f.jsonl:2: listing \xEF\xBF\xBD&lt;&amp;&gt;: flagged"
                 "</failure>") != std::string::npos);
  CHECK(xml.find(R"(<error message="the pack does not load">q.yaml:1:1: )") !=
        std::string::npos);
  CHECK(xml.find('\x01') == std::string::npos);
}

}  // namespace
}  // namespace adflag

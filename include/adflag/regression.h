// Pack tests: what `adflag test` runs besides the rules' own examples.
// A pack directory may carry, under tests/:
//
//   tests/NAME.jsonl           listings of a regression case, one a line
//   tests/NAME.expected.jsonl  the verdict the pack must give each of them
//   tests/benign/*.jsonl       ordinary listings that must raise no flag
//
// An expected file holds one JSON object a line, one per listing of the
// case, in the order of the listings:
//
//   {"id":"S004","level":"medium","rules":["a","b"],"shadow":["m"]}
//
// `level` is the listing's level ("none" when no counted rule fired),
// `rules` the counted rules that fired and `shadow` the experimental ones,
// both in pack order. Listings are parsed, matched and scored exactly as
// `adflag scan` does it, `when` conditions included, since these are
// whole listings. A listing's id is its `id` field, or NAME.jsonl:LINE
// without one: the file's name without its directories, so that the id
// is the same wherever the pack is.
//
// Every example, every listing of a case and every benign listing is one
// test, passed or failed; so is each problem with a test file itself (a
// rejected line, an expected line that does not parse, a case without
// an expected file).

#ifndef ADFLAG_REGRESSION_H_
#define ADFLAG_REGRESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/examples.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"

namespace adflag {

// A regression case: listings and the verdicts expected of them.
struct RegressionCase {
  // "samples" for tests/samples.jsonl.
  std::string name;
  // The listings, under the path messages name them by.
  RuleFile listings;
  // Where the expected verdicts are, or are to be written.
  std::string expected_path;
  // The expected file's text; nothing when there is no such file yet.
  std::optional<std::string> expected_text;
};

// Everything under a pack's tests/ directory.
struct PackTests {
  std::vector<RegressionCase> cases;
  // Listings that must raise no flag.
  std::vector<RuleFile> benign;
  // Expected files with no NAME.jsonl beside them.
  std::vector<std::string> orphan_expected;
};

// Sorts the files of a tests/ directory into cases and benign listings.
// `files` have paths relative to tests/ ("samples.jsonl",
// "benign/jobs.jsonl"); `prefix` is put before them in every path kept
// ("rules/tests/"). Files not ending in .jsonl are left out; a *.jsonl
// file that is neither a case nor benign gets a warning.
PackTests CollectPackTests(const std::vector<RuleFile>& files,
                           const std::string& prefix,
                           std::vector<Diagnostic>* diagnostics);

// Reads the tests of the pack at `pack_path`: its tests/ directory, if it
// is a directory that has one. A pack without (a single rule file, say)
// has no tests. Returns false and adds a diagnostic when a file of tests/
// cannot be read.
bool ReadPackTests(const std::string& pack_path, PackTests* tests,
                   std::vector<Diagnostic>* diagnostics);

// Returns the tests embedded with the built-in pack, named
// rules/tests/NAME as they are in the project.
PackTests BuiltinPackTests(std::vector<Diagnostic>* diagnostics);

// A listing's verdict as an expected file records it.
struct RecordedVerdict {
  std::string id;
  Level level = Level::kNone;
  // Counted rules that fired, in pack order.
  std::vector<std::string> rules;
  // Experimental rules that fired, in pack order.
  std::vector<std::string> shadow;

  bool operator==(const RecordedVerdict& other) const = default;
};

// Returns the line of an expected file for `verdict`, without "\n".
std::string FormatRecordedVerdict(const RecordedVerdict& verdict);

// Parses one line of an expected file. `shadow` may be left out. Returns
// false and sets *error when the line is not such an object.
bool ParseRecordedVerdict(std::string_view line, RecordedVerdict* verdict,
                          std::string* error);

// What the pack made of one non-blank line of a test file.
struct ListingOutcome {
  // 1-based line number in the file.
  uint64_t line = 0;
  // Set when the line is not a listing.
  std::optional<RejectReason> rejected;
  RecordedVerdict verdict;
  double score = 0;
  // The listing would be written by `adflag scan`: a counted rule fired
  // and the score reaches the pack's threshold.
  bool flagged = false;
};

// Runs listings through a pack the way `adflag scan` does. Not safe to
// share between threads.
class ListingRunner {
 public:
  ~ListingRunner();

  // Compiles `pack`, which must outlive the runner. Returns null and adds
  // diagnostics when it does not compile.
  static std::unique_ptr<ListingRunner> Create(
      const RulePack& pack, std::vector<Diagnostic>* diagnostics);

  // Returns the outcome of every non-blank line of `file`, in order.
  std::vector<ListingOutcome> Run(const RuleFile& file);

 private:
  struct Engine;
  explicit ListingRunner(std::unique_ptr<Engine> engine);

  std::unique_ptr<Engine> engine_;
};

// What a test checked.
enum class TestKind { kExample, kRegression, kBenign };

// Returns "examples", "regression" or "benign".
const char* TestKindName(TestKind kind);

// One test and how it went.
struct TestResult {
  TestKind kind = TestKind::kExample;
  // Names the test among those of its kind ("samples: S004").
  std::string name;
  bool passed = true;
  // Where the failure is: an example, a listing's line, a test file.
  SourcePos pos;
  // Why it failed ("listing S004: expected level ..."); empty on a pass.
  std::string message;
};

// Returns "PLACE: MESSAGE" for a failed test, such as
// "rules/tests/samples.jsonl:4: listing S004: expected level medium ...".
std::string FormatFailure(const TestResult& result);

// Turns a report of RunRuleExamples on `pack` into one result per
// example, in rule order, hit examples before miss examples.
std::vector<TestResult> ExampleResults(const RulePack& pack,
                                       const ExampleReport& report);

// Runs a regression case: each listing's verdict must equal its expected
// one, matched by id (the n-th listing with an id goes with the n-th
// expected line with that id).
std::vector<TestResult> RunRegressionCase(ListingRunner* runner,
                                          const RegressionCase& test_case);

// Returns the failure of an expected file that has no listings file.
TestResult OrphanExpectedResult(const std::string& expected_path);

// Runs a benign corpus: no listing may be flagged.
std::vector<TestResult> RunBenignCorpus(ListingRunner* runner,
                                        const RuleFile& corpus);

// A regression case's expected file, rewritten from the current pack.
struct CaseUpdate {
  // The new expected file.
  std::string text;
  // One entry per listing whose verdict changed, "S004 (medium -> low)",
  // in listing order, then those no longer in the case.
  std::vector<std::string> changes;
};

// Computes the expected file of `test_case` from the pack. Rejected lines
// get no expected line; RunRegressionCase reports them.
CaseUpdate UpdateRegressionCase(ListingRunner* runner,
                                const RegressionCase& test_case);

// The tests of one pack, for a JUnit report.
struct TestSuiteReport {
  // The pack as named on the command line, or "<built-in>".
  std::string name;
  std::vector<TestResult> results;
  // Set when the pack could not be tested (it does not load): why.
  std::string error;
  // The diagnostics that explain `error`, one a line.
  std::string error_details;
};

// Returns the suites as JUnit XML: <testsuites> with one <testsuite> per
// pack, one <testcase> per test, classname examples, regression or
// benign, a <failure> for each failed test and an <error> for a pack that
// could not be tested. Text is escaped for XML, and characters XML cannot
// hold are replaced by U+FFFD.
std::string FormatJUnit(const std::vector<TestSuiteReport>& suites);

}  // namespace adflag

#endif  // ADFLAG_REGRESSION_H_

#include "test_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/diagnostic.h"
#include "adflag/examples.h"
#include "adflag/regression.h"
#include "adflag/rule_pack.h"
#include "output_file.h"

namespace adflag {
namespace {

constexpr int kPassed = 0;
constexpr int kFailed = 1;
constexpr int kCannotRun = 2;

// Prints the diagnostics on stderr and returns them, one a line, for the
// JUnit report.
std::string PrintDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string lines;
  for (const Diagnostic& diagnostic : diagnostics) {
    const std::string text = FormatDiagnostic(diagnostic);
    if (diagnostic.severity == Severity::kError) {
      spdlog::error("{}", text);
    } else {
      spdlog::warn("{}", text);
    }
    lines += text + "\n";
  }
  return lines;
}

// Writes `text` to `path` through a temporary file, so that a failed
// write leaves the old file. Prints the error and returns false on one.
bool WriteFile(const std::string& path, const std::string& text) {
  OutputFile file;
  std::string error;
  if (file.Open(path, &error) && file.Write(text, &error) &&
      file.Commit(&error)) {
    return true;
  }
  spdlog::error("adflag: error: {}", error);
  return false;
}

// Returns "1 listing" or "N listings".
std::string Listings(size_t count) {
  return std::to_string(count) + (count == 1 ? " listing" : " listings");
}

// Returns what --update did to one expected file, for the report.
std::string DescribeUpdate(const RegressionCase& test_case,
                           const CaseUpdate& update) {
  const std::string& path = test_case.expected_path;
  if (!test_case.expected_text) {
    const auto lines = std::count(update.text.begin(), update.text.end(), '\n');
    return path + ": written (" + Listings(static_cast<size_t>(lines)) + ")";
  }
  if (*test_case.expected_text == update.text) return path + ": unchanged";
  if (update.changes.empty()) return path + ": rewritten, no verdict changed";

  std::string text =
      path + ": " + Listings(update.changes.size()) + " changed: ";
  for (size_t i = 0; i < update.changes.size(); ++i) {
    text += (i > 0 ? ", " : "") + update.changes[i];
  }
  return text;
}

// Rewrites the expected file of every case from the pack, and keeps the
// new text in the case for the run that follows. Returns false when a
// file cannot be written.
bool UpdateCases(const std::string& name, ListingRunner* runner,
                 std::vector<RegressionCase>* cases) {
  if (cases->empty()) {
    spdlog::warn("{}: no regression cases to update", name);
    return true;
  }

  for (RegressionCase& test_case : *cases) {
    const CaseUpdate update = UpdateRegressionCase(runner, test_case);
    std::printf("%s\n", DescribeUpdate(test_case, update).c_str());
    if (test_case.expected_text == update.text) continue;
    if (!WriteFile(test_case.expected_path, update.text)) return false;
    test_case.expected_text = update.text;
  }
  return true;
}

void Append(std::vector<TestResult> more, std::vector<TestResult>* results) {
  for (TestResult& result : more) results->push_back(std::move(result));
}

// Runs the examples, regression cases and benign corpus of a loaded pack
// into suite->results. Returns false, and says why in *suite, when the
// pack's examples do not compile.
bool RunTests(const RulePack& pack, const PackTests& tests,
              ListingRunner* runner, TestSuiteReport* suite) {
  ExampleReport report;
  std::vector<Diagnostic> diagnostics;
  if (!RunRuleExamples(pack, &report, &diagnostics)) {
    suite->error = "the pack's examples cannot be run";
    suite->error_details = PrintDiagnostics(diagnostics);
    return false;
  }

  std::vector<TestResult>* results = &suite->results;
  Append(ExampleResults(pack, report), results);
  for (const RegressionCase& test_case : tests.cases) {
    Append(RunRegressionCase(runner, test_case), results);
  }
  for (const std::string& path : tests.orphan_expected) {
    results->push_back(OrphanExpectedResult(path));
  }
  for (const RuleFile& corpus : tests.benign) {
    Append(RunBenignCorpus(runner, corpus), results);
  }
  return true;
}

// Loads the pack at `path` (the built-in one when empty) and its tests,
// printing every diagnostic. Returns false, and says why in *suite, when
// either cannot be read.
bool LoadPackAndTests(const std::string& path, RulePack* pack, PackTests* tests,
                      TestSuiteReport* suite) {
  std::vector<Diagnostic> diagnostics;
  bool ok = LoadPackOrBuiltin(path, pack, &diagnostics);
  if (!ok) suite->error = "the pack does not load";
  if (ok && path.empty()) {
    *tests = BuiltinPackTests(&diagnostics);
  } else if (ok && !ReadPackTests(path, tests, &diagnostics)) {
    suite->error = "the pack's tests cannot be read";
    ok = false;
  }
  const std::string printed = PrintDiagnostics(diagnostics);
  if (!ok) suite->error_details = printed;
  return ok;
}

void PrintFailures(const std::vector<TestResult>& results) {
  for (const TestResult& result : results) {
    if (result.passed) continue;
    std::printf("FAIL %s\n", FormatFailure(result).c_str());
  }
}

// Tests one pack and adds its suite to *suites. Returns its exit code.
int TestPack(const std::string& path, bool update,
             std::vector<TestSuiteReport>* suites) {
  TestSuiteReport& suite = suites->emplace_back();
  suite.name = path.empty() ? kBuiltinPackOrigin : path;
  RulePack pack;
  PackTests tests;
  if (!LoadPackAndTests(path, &pack, &tests, &suite)) return kCannotRun;

  std::vector<Diagnostic> diagnostics;
  std::unique_ptr<ListingRunner> runner =
      ListingRunner::Create(pack, &diagnostics);
  if (runner == nullptr) {
    suite.error = "the pack does not compile";
    suite.error_details = PrintDiagnostics(diagnostics);
    return kCannotRun;
  }
  if (update && !UpdateCases(suite.name, runner.get(), &tests.cases)) {
    suite.error = "an expected file cannot be written";
    return kCannotRun;
  }
  if (!RunTests(pack, tests, runner.get(), &suite)) return kCannotRun;

  PrintFailures(suite.results);
  const bool failed =
      std::any_of(suite.results.begin(), suite.results.end(),
                  [](const TestResult& result) { return !result.passed; });
  return failed ? kFailed : kPassed;
}

void PrintTotals(const std::vector<TestSuiteReport>& suites) {
  size_t passed = 0;
  size_t failed = 0;
  for (const TestSuiteReport& suite : suites) {
    for (const TestResult& result : suite.results) {
      ++(result.passed ? passed : failed);
    }
  }
  std::printf("%zu passed, %zu failed\n", passed, failed);
}

}  // namespace

int RunTestCommand(const TestOptions& options) {
  std::vector<std::string> packs = options.packs;
  if (packs.empty()) packs.push_back("");
  if (options.update &&
      std::find(packs.begin(), packs.end(), "") != packs.end()) {
    spdlog::error(
        "adflag: error: --update cannot rewrite the built-in pack, which is "
        "compiled into adflag; run it on the pack's directory, for example "
        "'adflag test --update rules/'");
    return kCannotRun;
  }

  int worst = kPassed;
  std::vector<TestSuiteReport> suites;
  for (const std::string& pack : packs) {
    worst = std::max(worst, TestPack(pack, options.update, &suites));
  }
  PrintTotals(suites);

  if (!options.junit_path.empty() &&
      !WriteFile(options.junit_path, FormatJUnit(suites))) {
    worst = kCannotRun;
  }
  return worst;
}

}  // namespace adflag

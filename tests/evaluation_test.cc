// Tests of the evaluation behind `adflag eval`: label files in both forms
// and their errors, matching listings to labels, and the metrics, checked
// against counts worked out by hand.

#include "adflag/evaluation.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace adflag {
namespace {

const std::string kEvalData =
    std::string(ADFLAG_SOURCE_DIR) + "/tests/data/eval/";

// Adds `lines` as lines 1, 2, ... of a file named "labels.tsv". Returns
// the first error, or an empty string.
std::string AddLines(const std::vector<std::string>& lines, LabelSet* labels) {
  std::string error;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!labels->AddLine("labels.tsv", i + 1, lines[i], &error)) return error;
  }
  return "";
}

// A prediction flagged at `level`, or not flagged for Level::kNone.
Prediction At(Level level, std::vector<int> rules = {},
              std::string group = "") {
  Prediction prediction;
  prediction.flagged = level != Level::kNone;
  prediction.level = level;
  prediction.fired_rules = std::move(rules);
  prediction.group = std::move(group);
  return prediction;
}

TEST_CASE("labels are read in the binary form") {
  LabelSet labels;
  CHECK(AddLines({"a\t1", "b\t0", "c\t1\r"}, &labels).empty());
  CHECK(labels.size() == 3);
  CHECK(labels.Find("a") == 1);
  CHECK(labels.Find("b") == 0);
  CHECK(labels.Find("c") == 1);
  CHECK(labels.Find("d") == -1);
}

TEST_CASE("labels are read in the generator's form, positive from 2") {
  LabelSet labels;
  CHECK(AddLines({"a\tyouth,third_party\t4", "b\tmovement\t1", "c\t\t0",
                  "d\tyouth\t2"},
                 &labels)
            .empty());
  CHECK(labels.Find("a") == 1);
  CHECK(labels.Find("b") == 0);
  CHECK(labels.Find("c") == 0);
  CHECK(labels.Find("d") == 1);
}

TEST_CASE("both label forms mix in one file and blank lines are skipped") {
  LabelSet labels;
  CHECK(AddLines({"a\t1", "", "  ", "b\tdebt\t3", "\r"}, &labels).empty());
  CHECK(labels.size() == 2);
  CHECK(labels.Find("b") == 1);
}

TEST_CASE("a bad label line is named by file and line") {
  LabelSet labels;
  CHECK(AddLines({"a\t1", "b\tyes"}, &labels) ==
        "labels.tsv:2: label must be 0 or 1, not 'yes'");
  CHECK(AddLines({"c 1"}, &labels) ==
        "labels.tsv:1: expected id<TAB>label or id<TAB>families<TAB>weight, "
        "found 1 tab-separated fields");
  CHECK(AddLines({"d\tx\t2\t3"}, &labels) ==
        "labels.tsv:1: expected id<TAB>label or id<TAB>families<TAB>weight, "
        "found 4 tab-separated fields");
  CHECK(AddLines({"\t1"}, &labels) == "labels.tsv:1: empty id");
  CHECK(AddLines({"e\tyouth\t2.5"}, &labels) ==
        "labels.tsv:1: weight must be a whole number, not '2.5'");
  CHECK(AddLines({"f\tyouth\t-1"}, &labels) ==
        "labels.tsv:1: weight must be a whole number, not '-1'");
  CHECK(AddLines({"g\tyouth\t"}, &labels) ==
        "labels.tsv:1: weight must be a whole number, not ''");
}

TEST_CASE("a repeated id is an error naming both lines") {
  LabelSet labels;
  CHECK(AddLines({"a\t1", "b\t0", "a\tyouth\t2"}, &labels) ==
        "labels.tsv:3: duplicate id 'a' (first labeled on line 1)");
}

TEST_CASE("a label file is read from disk, with its errors") {
  LabelSet labels;
  std::string error;
  REQUIRE(ReadLabels(kEvalData + "labels.tsv", &labels, &error));
  CHECK(labels.size() == 13);
  CHECK(labels.Find("E5") == 1);
  CHECK(labels.Find("J4") == 0);

  LabelSet duplicate;
  CHECK_FALSE(ReadLabels(kEvalData + "duplicate.tsv", &duplicate, &error));
  CHECK(error == kEvalData +
                     "duplicate.tsv:3: duplicate id 'E1' (first labeled on "
                     "line 1)");
}

TEST_CASE("a missing label file is an error naming it") {
  LabelSet labels;
  std::string error;
  CHECK_FALSE(ReadLabels(kEvalData + "absent.tsv", &labels, &error));
  CHECK(error.find("absent.tsv") != std::string::npos);
}

TEST_CASE("confusion ratios, with 0/0 defined as 0") {
  Confusion c{3, 1, 2, 4};
  CHECK(c.precision() == 0.75);
  CHECK(c.recall() == 0.6);
  // 2 * 0.75 * 0.6 / 1.35 = 2/3.
  CHECK(RoundRatio(c.f1()) == 0.6667);

  Confusion empty;
  CHECK(empty.precision() == 0);
  CHECK(empty.recall() == 0);
  CHECK(empty.f1() == 0);

  Confusion nothing_flagged{0, 0, 5, 5};
  CHECK(nothing_flagged.precision() == 0);
  CHECK(nothing_flagged.recall() == 0);
  CHECK(nothing_flagged.f1() == 0);
}

// Eight listings: positives a (high), b (medium), c (low), d (not
// flagged); negatives e (medium), f (low), g and h (not flagged).
Evaluation EightListings() {
  LabelSet labels;
  REQUIRE(AddLines({"a\t1", "b\t1", "c\t1", "d\t1", "e\t0", "f\t0", "g\t0",
                    "h\t0", "z\t1"},
                   &labels)
              .empty());
  Evaluation evaluation(std::move(labels), 3);
  evaluation.Add("a", At(Level::kHigh, {0, 1}, "adult"));
  evaluation.Add("b", At(Level::kMedium, {0}, "adult"));
  evaluation.Add("c", At(Level::kLow, {1}, "jobs"));
  evaluation.Add("d", At(Level::kNone, {2}, "jobs"));
  evaluation.Add("e", At(Level::kMedium, {0, 1}, "adult"));
  evaluation.Add("f", At(Level::kLow, {1}, "jobs"));
  evaluation.Add("g", At(Level::kNone, {}, "jobs"));
  evaluation.Add("h", At(Level::kNone, {2}, "adult"));
  evaluation.Add("u", At(Level::kHigh, {0}, "adult"));
  return evaluation;
}

TEST_CASE("confusion at each level counts flags at that level or above") {
  Evaluation evaluation = EightListings();
  const EvaluationCounts& counts = evaluation.counts();
  CHECK(counts.labeled == 8);
  CHECK(counts.positive == 4);

  // Low: flagged a b c e f. Medium: a b e. High: a.
  const Confusion& low = counts.levels[0];
  CHECK(low.true_positive == 3);
  CHECK(low.false_positive == 2);
  CHECK(low.false_negative == 1);
  CHECK(low.true_negative == 2);
  CHECK(low.precision() == 0.6);
  CHECK(low.recall() == 0.75);
  CHECK(RoundRatio(low.f1()) == 0.6667);

  const Confusion& medium = counts.levels[1];
  CHECK(medium.true_positive == 2);
  CHECK(medium.false_positive == 1);
  CHECK(medium.false_negative == 2);
  CHECK(medium.true_negative == 3);
  CHECK(RoundRatio(medium.precision()) == 0.6667);
  CHECK(medium.recall() == 0.5);
  CHECK(RoundRatio(medium.f1()) == 0.5714);

  const Confusion& high = counts.levels[2];
  CHECK(high.true_positive == 1);
  CHECK(high.false_positive == 0);
  CHECK(high.false_negative == 3);
  CHECK(high.true_negative == 4);
  CHECK(high.precision() == 1);
  CHECK(high.recall() == 0.25);
  CHECK(high.f1() == 0.4);
}

TEST_CASE("unlabeled listings and unmatched labels are counted apart") {
  Evaluation evaluation = EightListings();
  CHECK(evaluation.counts().unlabeled == 1);
  CHECK(evaluation.labels_without_listing() == 1);
}

TEST_CASE("per-rule precision counts every labeled listing that fired it") {
  Evaluation evaluation = EightListings();
  const std::vector<RuleTally>& rules = evaluation.counts().rules;
  REQUIRE(rules.size() == 3);
  // Rule 0: a b e (the unlabeled u is not counted).
  CHECK(rules[0].fired == 3);
  CHECK(rules[0].positive == 2);
  CHECK(RoundRatio(rules[0].precision()) == 0.6667);
  // Rule 1: a c e f.
  CHECK(rules[1].fired == 4);
  CHECK(rules[1].positive == 2);
  CHECK(rules[1].precision() == 0.5);
  // Rule 2: d h, fired without a flag.
  CHECK(rules[2].fired == 2);
  CHECK(rules[2].positive == 1);
  CHECK(rules[2].precision() == 0.5);
}

TEST_CASE("groups break the medium level down") {
  Evaluation evaluation = EightListings();
  const auto& groups = evaluation.counts().groups;
  REQUIRE(groups.size() == 2);
  // adult: a b positive, both at medium or above.
  const Confusion& adult = groups.at("adult");
  CHECK(adult.true_positive == 2);
  CHECK(adult.false_negative == 0);
  CHECK(adult.recall() == 1);
  // jobs: c d positive, c only low.
  const Confusion& jobs = groups.at("jobs");
  CHECK(jobs.true_positive == 0);
  CHECK(jobs.false_negative == 2);
  CHECK(jobs.recall() == 0);
}

TEST_CASE("a listing id seen twice matches its label twice") {
  LabelSet labels;
  REQUIRE(AddLines({"a\t1"}, &labels).empty());
  Evaluation evaluation(std::move(labels), 0);
  evaluation.Add("a", At(Level::kLow));
  evaluation.Add("a", At(Level::kNone));
  CHECK(evaluation.counts().labeled == 2);
  CHECK(evaluation.counts().levels[0].true_positive == 1);
  CHECK(evaluation.counts().levels[0].false_negative == 1);
  CHECK(evaluation.labels_without_listing() == 0);
}

TEST_CASE("ratios round to 4 decimals") {
  CHECK(RoundRatio(2.0 / 3.0) == 0.6667);
  CHECK(RoundRatio(0.125) == 0.125);
  CHECK(RoundRatio(0) == 0);
}

}  // namespace
}  // namespace adflag

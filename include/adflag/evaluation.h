// An evaluation measures a rule pack against listings whose true answer is
// known: each labeled listing is positive (deserves a reviewer's look) or
// negative. For every level it counts the listings flagged at that level
// or above against their labels (true and false positives, false and true
// negatives) and derives precision, recall and F1; for every rule it
// counts the labeled listings that fired it and how many of them are
// positive. `adflag eval` builds one from a label file and a scan.
//
// Labels come from a text file, one listing per line, in either of two
// forms, told apart line by line by the number of tab-separated fields:
//   id<TAB>0|1                       1 is positive
//   id<TAB>families<TAB>weight       positive when weight >= 2 (the label
//                                    file of bench/gen_listings.py)
// Blank lines are skipped.
//
// Where a ratio would be 0/0 (precision with nothing flagged, recall with
// no positive listing, F1 with both zero) it is defined as 0.
//
// Usage:
//   LabelSet labels;
//   if (!ReadLabels("labels.tsv", &labels, &error)) ...
//   Evaluation evaluation(std::move(labels), pack.rules.size());
//   evaluation.Add(id, prediction);   // once per listing
//   const EvaluationCounts& counts = evaluation.counts();

#ifndef ADFLAG_EVALUATION_H_
#define ADFLAG_EVALUATION_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adflag/scorer.h"

namespace adflag {

// The labels of one label file, by listing id.
class LabelSet {
 public:
  // Reads line `number` of the label file named `file` (the name is only
  // used in messages). `text` is the line without its "\n"; a final "\r"
  // is ignored. Returns false and sets *error to "FILE:LINE: reason" when
  // the line is malformed or repeats an id.
  bool AddLine(const std::string& file, uint64_t number, std::string_view text,
               std::string* error);

  // Returns 1 when `id` is labeled positive, 0 when negative, -1 when it
  // has no label.
  int Find(const std::string& id) const;

  // The number of labels.
  size_t size() const { return labels_.size(); }

 private:
  // A label and the line it was read from.
  struct Entry {
    bool positive = false;
    uint64_t line = 0;
  };

  std::unordered_map<std::string, Entry> labels_;
};

// Reads every line of the label file at `path` ("-" for standard input;
// gzip and zstd are decompressed) into *labels. Returns false and sets
// *error when the file cannot be read or a line is bad ("FILE:LINE:
// reason").
bool ReadLabels(const std::string& path, LabelSet* labels, std::string* error);

// The confusion counts of one decision (flagged at a level or above)
// against the labels.
struct Confusion {
  // Flagged and positive; flagged and negative.
  uint64_t true_positive = 0;
  uint64_t false_positive = 0;
  // Not flagged and positive; not flagged and negative.
  uint64_t false_negative = 0;
  uint64_t true_negative = 0;

  // Counts one labeled listing.
  void Add(bool predicted, bool positive);

  // TP / (TP + FP), 0 when nothing was flagged.
  double precision() const;
  // TP / (TP + FN), 0 when no listing is positive.
  double recall() const;
  // 2PR / (P + R), 0 when both are 0.
  double f1() const;
};

// How the labeled listings that fired one rule divide.
struct RuleTally {
  // Listings that fired the rule, counted or shadow.
  uint64_t fired = 0;
  // Of those, the ones labeled positive.
  uint64_t positive = 0;

  // positive / fired, 0 when the rule never fired.
  double precision() const;
};

// The levels an evaluation measures, in the order of EvaluationCounts::
// levels: flagged at all, at medium or above, at high.
inline constexpr std::array<Level, 3> kEvaluatedLevels = {
    Level::kLow, Level::kMedium, Level::kHigh};

// What a pack made of one listing, as the evaluation needs it.
struct Prediction {
  // True when the listing is flagged under the pack's threshold.
  bool flagged = false;
  // The scorer's level; only read when flagged.
  Level level = Level::kNone;
  // Pack indexes of the rules that fired, counted or shadow.
  std::vector<int> fired_rules;
  // The value the breakdown groups the listing under (empty: none).
  std::string group;
};

// Everything an evaluation counted.
struct EvaluationCounts {
  // Listings with a label, and how many of them are positive.
  uint64_t labeled = 0;
  uint64_t positive = 0;
  // Listings whose id has no label; they are left out of every metric.
  uint64_t unlabeled = 0;
  // Confusion at each of kEvaluatedLevels.
  std::array<Confusion, 3> levels;
  // One tally per rule of the pack, by pack index.
  std::vector<RuleTally> rules;
  // Confusion at medium per Prediction::group value, for listings with a
  // non-empty group.
  std::map<std::string, Confusion> groups;
};

// Matches listings to their labels and counts them.
class Evaluation {
 public:
  // `rule_count` is the number of rules in the pack.
  Evaluation(LabelSet labels, size_t rule_count);

  // Counts the listing `id`: in every metric when it has a label, as
  // unlabeled otherwise. A listing id seen twice is counted twice.
  void Add(const std::string& id, const Prediction& prediction);

  // The counts so far.
  const EvaluationCounts& counts() const { return counts_; }

  // Labels whose id matched no listing added so far.
  uint64_t labels_without_listing() const;

 private:
  LabelSet labels_;
  EvaluationCounts counts_;
  // Distinct labeled ids seen so far.
  std::unordered_set<std::string> matched_;
};

// Returns `value` rounded to 4 decimals, as reports print ratios.
double RoundRatio(double value);

}  // namespace adflag

#endif  // ADFLAG_EVALUATION_H_

// The scorer turns the rules a listing fired into a verdict: resolves the
// composite rules (`requires`), splits fired rules into those that count
// and the experimental ones reported under `shadow`, and computes the
// score and level.
//
// Score is the noisy-OR of the weights of the counted rules,
// 1 - prod(1 - weight), rounded to 4 decimals. Level: `high` from the
// pack's high mark, `medium` from its medium mark, `low` below, and `none`
// when no counted rule fired.

#ifndef ADFLAG_SCORER_H_
#define ADFLAG_SCORER_H_

#include <string>
#include <vector>

#include "adflag/matcher.h"
#include "adflag/rule_pack.h"

namespace adflag {

// A listing's level, ordered from least to most severe.
enum class Level { kNone, kLow, kMedium, kHigh };

// Returns "none", "low", "medium" or "high".
const char* LevelName(Level level);

// Parses a level name as LevelName prints it. Returns false for anything
// else.
bool ParseLevel(const std::string& name, Level* level);

// Returns the level of `score` under the pack's marks.
Level LevelOf(double score, const PackSettings& settings);

// A listing's verdict.
struct Verdict {
  double score = 0;
  Level level = Level::kNone;
  // Rules that count toward the score, in pack order.
  std::vector<RuleMatch> counted;
  // Experimental rules that fired, in pack order.
  std::vector<RuleMatch> shadow;
};

// Resolves composites and scores a listing. Composites are evaluated in an
// order where every rule comes after those it requires. A composite that
// counts sees only counted rules; an experimental one sees all.
class Scorer {
 public:
  // REQUIRES: `pack` passed the loader's checks (no missing rule in
  // `requires`, no cycle). It must outlive the Scorer.
  explicit Scorer(const RulePack& pack);

  // Fills *verdict from the pattern matches of one listing.
  void Score(const MatchResult& matches, Verdict* verdict) const;

 private:
  bool Counts(int rule) const;

  const RulePack& pack_;
  // Indexes of rules with `requires`, dependencies first.
  std::vector<int> composites_;
  // requires_[i]: indexes of the rules rule i requires.
  std::vector<std::vector<int>> requires_;
};

}  // namespace adflag

#endif  // ADFLAG_SCORER_H_

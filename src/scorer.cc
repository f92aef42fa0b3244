#include "adflag/scorer.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace adflag {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kNone:
      return "none";
    case Level::kLow:
      return "low";
    case Level::kMedium:
      return "medium";
    case Level::kHigh:
      return "high";
  }
  return "none";
}

bool ParseLevel(const std::string& name, Level* level) {
  for (Level candidate :
       {Level::kNone, Level::kLow, Level::kMedium, Level::kHigh}) {
    if (name == LevelName(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

Level LevelOf(double score, const PackSettings& settings) {
  if (score >= settings.high) return Level::kHigh;
  if (score >= settings.medium) return Level::kMedium;
  return Level::kLow;
}

namespace {

// Appends the composites reachable from `rule` to *order after the rules
// they require (depth first). The loader has refused cycles.
void Visit(int rule, const std::vector<std::vector<int>>& requires_rules,
           std::vector<bool>* visited, std::vector<int>* order) {
  if ((*visited)[rule]) return;
  (*visited)[rule] = true;
  for (int required : requires_rules[rule]) {
    Visit(required, requires_rules, visited, order);
  }
  if (!requires_rules[rule].empty()) order->push_back(rule);
}

double RoundScore(double score) {
  return std::round(score * 10000.0) / 10000.0;
}

}  // namespace

Scorer::Scorer(const RulePack& pack) : pack_(pack) {
  std::map<std::string, int> index_of;
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    index_of[pack.rules[r].id] = static_cast<int>(r);
  }
  requires_.resize(pack.rules.size());
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    for (const std::string& id : pack.rules[r].requires_rules) {
      auto it = index_of.find(id);
      if (it != index_of.end()) requires_[r].push_back(it->second);
    }
  }
  std::vector<bool> visited(pack.rules.size(), false);
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    Visit(static_cast<int>(r), requires_, &visited, &composites_);
  }
}

bool Scorer::Counts(int rule) const {
  return pack_.rules[rule].status != RuleStatus::kExperimental;
}

void Scorer::Score(const MatchResult& matches, Verdict* verdict) const {
  // fired[r]: 0 not fired, 1 fired.
  std::vector<char> fired(pack_.rules.size(), 0);
  std::vector<const RuleMatch*> match_of(pack_.rules.size(), nullptr);
  for (const RuleMatch& match : matches.rules) {
    fired[match.rule] = 1;
    match_of[match.rule] = &match;
  }

  // Resolve composites, dependencies first.
  std::vector<RuleMatch> composite_matches;
  composite_matches.reserve(composites_.size());
  for (int rule : composites_) {
    const Rule& spec = pack_.rules[rule];
    bool has_patterns = !spec.any.empty() || !spec.all.empty();
    bool vetoed =
        std::binary_search(matches.vetoed.begin(), matches.vetoed.end(), rule);
    bool ok = spec.status != RuleStatus::kDeprecated && !vetoed &&
              (!has_patterns || fired[rule]);
    for (int required : requires_[rule]) {
      ok = ok && fired[required] && (Counts(required) || !Counts(rule));
    }
    fired[rule] = ok ? 1 : 0;
    if (ok && match_of[rule] == nullptr) {
      composite_matches.push_back({rule, {}});
      match_of[rule] = &composite_matches.back();
    }
  }

  // Split counted and shadow rules in pack order, and score.
  verdict->counted.clear();
  verdict->shadow.clear();
  double keep = 1.0;
  for (size_t r = 0; r < pack_.rules.size(); ++r) {
    if (!fired[r]) continue;
    if (!Counts(static_cast<int>(r))) {
      verdict->shadow.push_back(*match_of[r]);
      continue;
    }
    verdict->counted.push_back(*match_of[r]);
    keep *= 1.0 - pack_.rules[r].weight;
  }
  verdict->score = RoundScore(1.0 - keep);
  verdict->level = verdict->counted.empty()
                       ? Level::kNone
                       : LevelOf(verdict->score, pack_.settings);
}

}  // namespace adflag

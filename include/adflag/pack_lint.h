// Pack lint: the warnings `adflag check` adds to the loader's errors. The
// loader refuses what cannot run; the lint points at what runs but is
// probably not what the author meant:
//
//   - a stable rule without examples, without a `hit` example, or without
//     references;
//   - a pattern, or a part of one, that can never match the normalized
//     text it is run against: an upper-case letter in a case-sensitive
//     rule, an accented letter or a Cyrillic or Greek look-alike that
//     normalization folds to plain Latin, a character normalization drops,
//     or a look-alike digit between letters ("n3w") that it spells out;
//   - the same pattern on the same text in two rules that count toward
//     the score, where it fires each of them on its own, so that one match
//     counts twice; and a pattern written twice in one rule's `any`.
//
// Every warning points at the node concerned: the pattern, or the rule's
// `- id:` entry. Deprecated rules are linted too (they are checked, not
// run), except for the double counting, which needs rules that run.
//
// Usage:
//   std::vector<Diagnostic> problems;
//   LoadRulePack("rules/", &pack, &problems);
//   LintRulePack(pack, &problems);

#ifndef ADFLAG_PACK_LINT_H_
#define ADFLAG_PACK_LINT_H_

#include <string>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/rule_pack.h"

namespace adflag {

// Adds a warning to *diagnostics for every problem above, rule by rule in
// pack order. Works on any pack, also one the loader found errors in: it
// then lints the rules that loaded.
void LintRulePack(const RulePack& pack, std::vector<Diagnostic>* diagnostics);

// Returns why `regex` can never match, or a part of it can never match,
// the text of a rule that matches normalized text (normalize: true), or
// "" when every part can match. `case_sensitive` is the rule's setting.
// RE2 must accept `regex`. Exposed for tests; LintRulePack uses it.
std::string NormalizedPatternProblem(const std::string& regex,
                                     bool case_sensitive);

}  // namespace adflag

#endif  // ADFLAG_PACK_LINT_H_

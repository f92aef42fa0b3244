// Rule examples: the hit and miss texts a rule carries to show, and to
// prove, what it is meant to catch. Each example becomes a listing whose
// fields read by the rule (and by the rules it requires) hold the text,
// and runs through the whole pack, with the linked context its `links`
// give (see links.h). `when` conditions are set aside for
// examples: they test the patterns, and an example has no category.

#ifndef ADFLAG_EXAMPLES_H_
#define ADFLAG_EXAMPLES_H_

#include <string>
#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {

// An example that did not do what it says.
struct ExampleFailure {
  std::string rule_id;
  // The example's text and place in its rule file.
  Example example;
  // True for a `hit` example that did not fire its rule, false for a
  // `miss` example that did.
  bool expected_hit = true;
  // Every rule the example fired, counted and shadow, in pack order.
  std::vector<std::string> fired;
};

// The outcome of running every example of a pack.
struct ExampleReport {
  int passed = 0;
  std::vector<ExampleFailure> failures;
};

// Runs every example of every rule of `pack` that runs (deprecated rules
// are skipped). Returns false and adds diagnostics when the pack does not
// compile; *report is then left empty.
bool RunRuleExamples(const RulePack& pack, ExampleReport* report,
                     std::vector<Diagnostic>* diagnostics);

// Returns the diagnostic that reports a failed example at its place, for
// example "rules/youth.yaml:30:13: error: example should fire rule
// 'youth.language' but did not".
Diagnostic ExampleDiagnostic(const ExampleFailure& failure);

}  // namespace adflag

#endif  // ADFLAG_EXAMPLES_H_

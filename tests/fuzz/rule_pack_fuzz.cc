// Fuzzes the rule-pack loader: any bytes as a rule file, through YAML
// parsing, every check and RE2 compilation of its patterns, then the lint
// of `adflag check` on a pack that loaded. It must never crash or throw,
// every diagnostic names the file, and a pack that loads has rules.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/pack_lint.h"
#include "adflag/rule_pack.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using adflag::fuzz::Check;
  std::vector<adflag::RuleFile> files = {
      {"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)}};

  adflag::RulePack pack;
  pack.origin = "fuzz.yaml";
  std::vector<adflag::Diagnostic> diagnostics;
  const bool loaded = adflag::ParseRulePack(files, &pack, &diagnostics);
  Check(loaded != adflag::HasErrors(diagnostics),
        "the result disagrees with the diagnostics");
  for (const adflag::Diagnostic& diagnostic : diagnostics) {
    Check(!diagnostic.message.empty(), "a diagnostic without a message");
    Check(adflag::FormatDiagnostic(diagnostic).rfind("fuzz.yaml", 0) == 0,
          "a diagnostic does not name the file");
  }
  if (!loaded) return 0;

  Check(!pack.rules.empty(), "a pack without rules loaded");
  adflag::LintRulePack(pack, &diagnostics);
  return 0;
}

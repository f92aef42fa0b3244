#include "check_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "adflag/builtin_pack.h"
#include "adflag/diagnostic.h"
#include "adflag/pack_lint.h"
#include "adflag/rule_pack.h"

namespace adflag {
namespace {

constexpr int kClean = 0;
constexpr int kProblemsFound = 1;
constexpr int kCannotRun = 2;

// A diagnostic with the notes that follow it, which belong to it.
using DiagnosticGroup = std::vector<Diagnostic>;

// Returns the diagnostics grouped with their notes, in order of file and
// place; diagnostics at the same place keep the order they were found in.
std::vector<DiagnosticGroup> InPlaceOrder(
    const std::vector<Diagnostic>& diagnostics) {
  std::vector<DiagnosticGroup> groups;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Severity::kNote && !groups.empty()) {
      groups.back().push_back(diagnostic);
    } else {
      groups.push_back({diagnostic});
    }
  }

  auto place = [](const DiagnosticGroup& group) {
    const SourcePos& pos = group.front().pos;
    return std::tie(pos.file, pos.line, pos.column);
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const DiagnosticGroup& a, const DiagnosticGroup& b) {
                     return place(a) < place(b);
                   });
  return groups;
}

void Print(const Diagnostic& diagnostic) {
  const std::string text = FormatDiagnostic(diagnostic);
  switch (diagnostic.severity) {
    case Severity::kError:
      spdlog::error("{}", text);
      break;
    case Severity::kWarning:
      spdlog::warn("{}", text);
      break;
    case Severity::kNote:
      spdlog::info("{}", text);
      break;
  }
}

std::string Count(size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Returns the last line of a pack's report, such as "rules/: 2 errors, 1
// warning in 21 rules".
std::string Summary(const std::string& name, size_t rules, size_t errors,
                    size_t warnings, bool strict) {
  if (errors == 0 && warnings == 0) {
    return name + ": no problems in " + Count(rules, "rule");
  }

  std::string counts;
  if (errors > 0) counts = Count(errors, "error");
  if (errors > 0 && warnings > 0) counts += ", ";
  if (warnings > 0) counts += Count(warnings, "warning");
  std::string summary = name + ": " + counts + " in " + Count(rules, "rule");
  if (strict && errors == 0) summary += " (--strict: warnings fail)";
  return summary;
}

// Reads and parses the pack at `path`, or the built-in pack when `path`
// is empty, adding every problem to *diagnostics. Returns false when the
// pack cannot be read at all.
bool ReadPack(const std::string& path, RulePack* pack,
              std::vector<Diagnostic>* diagnostics) {
  if (path.empty()) {
    LoadBuiltinPack(pack, diagnostics);
    return true;
  }

  std::vector<RuleFile> files;
  if (!ReadRuleFiles(path, &files, diagnostics)) return false;
  pack->origin = path;
  ParseRulePack(files, pack, diagnostics);
  return true;
}

int CheckPack(const std::string& path, bool strict) {
  const std::string name = path.empty() ? kBuiltinPackOrigin : path;
  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  const bool readable = ReadPack(path, &pack, &diagnostics);
  if (readable) LintRulePack(pack, &diagnostics);
  for (const DiagnosticGroup& group : InPlaceOrder(diagnostics)) {
    for (const Diagnostic& diagnostic : group) Print(diagnostic);
  }
  if (!readable) {
    spdlog::error("{}: not checked: the pack cannot be read", name);
    return kCannotRun;
  }

  auto count = [&](Severity severity) {
    return static_cast<size_t>(std::count_if(
        diagnostics.begin(), diagnostics.end(),
        [&](const Diagnostic& d) { return d.severity == severity; }));
  };
  const size_t errors = count(Severity::kError);
  const size_t warnings = count(Severity::kWarning);
  spdlog::info("{}",
               Summary(name, pack.rules.size(), errors, warnings, strict));
  return errors > 0 || (strict && warnings > 0) ? kProblemsFound : kClean;
}

}  // namespace

int RunCheckCommand(const CheckOptions& options) {
  std::vector<std::string> packs = options.packs;
  if (packs.empty()) packs.push_back("");

  int worst = kClean;
  for (const std::string& pack : packs) {
    worst = std::max(worst, CheckPack(pack, options.strict));
  }
  return worst;
}

}  // namespace adflag

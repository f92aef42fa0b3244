// Diagnostics: problems found in a rule file or an input, located by file,
// line and column, and printed the way compilers print them:
//
//   rules/youth.yaml:12:9: error: unknown key 'pattern' (did you mean 'any'?)
//
// Editors and CI systems parse this form to annotate the exact line, so
// every diagnostic that concerns a place in a file carries that place.

#ifndef ADFLAG_DIAGNOSTIC_H_
#define ADFLAG_DIAGNOSTIC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {

// A place in a text file. Lines and columns count from 1; a column counts
// bytes. Zero means "unknown" and is left out when printed.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { kError, kWarning, kNote };

// One problem, with the place it concerns.
struct Diagnostic {
  SourcePos pos;
  Severity severity = Severity::kError;
  std::string message;
};

// Returns "FILE:LINE:COL", leaving out the parts that are unknown (a line
// or column of 0).
std::string FormatPlace(const SourcePos& pos);

// Returns "FILE:LINE", or "FILE:LINE:COL" when `column` is not 0: where a
// line of an input (a listing, a label) lies.
std::string FormatLinePlace(std::string_view file, uint64_t line,
                            int column = 0);

// Returns "FILE:LINE:COL: error: message", leaving out the parts of the
// place that are unknown.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

// Returns true when any diagnostic in the list is an error.
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Returns the entry of `candidates` closest to `word` by edit distance, or
// an empty string when none is close enough to be a likely typo.
std::string SuggestSpelling(const std::string& word,
                            const std::vector<std::string>& candidates);

}  // namespace adflag

#endif  // ADFLAG_DIAGNOSTIC_H_

#include "adflag/diagnostic.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace adflag {

namespace {

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

std::string Lowercase(const std::string& text) {
  std::string lower = text;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower;
}

// Levenshtein distance in which swapping two adjacent characters also
// counts as one edit ("optimal string alignment"), since a transposed pair
// is the most common typo in a key ("weigth").
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;

  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string FormatPlace(const SourcePos& pos) {
  if (pos.line <= 0) return pos.file;
  return FormatLinePlace(pos.file, static_cast<uint64_t>(pos.line), pos.column);
}

std::string FormatLinePlace(std::string_view file, uint64_t line, int column) {
  std::string place(file);
  place += ':';
  place += std::to_string(line);
  if (column > 0) {
    place += ':';
    place += std::to_string(column);
  }
  return place;
}

std::string FormatDiagnostic(const Diagnostic& diagnostic) {
  const std::string place = FormatPlace(diagnostic.pos);
  std::string text;
  if (!place.empty()) text = place + ": ";
  text += SeverityName(diagnostic.severity);
  text += ": " + diagnostic.message;
  return text;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& diagnostic) {
                       return diagnostic.severity == Severity::kError;
                     });
}

std::string SuggestSpelling(const std::string& word,
                            const std::vector<std::string>& candidates) {
  const std::string lower_word = Lowercase(word);
  const size_t max_distance = std::max<size_t>(1, word.size() / 3);

  std::string best;
  size_t best_distance = max_distance + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(lower_word, Lowercase(candidate));
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace adflag

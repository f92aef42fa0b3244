#include "adflag/pack_lint.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adflag/normalizer.h"

namespace adflag {
namespace {

// A class range wider than this is taken to hold some character that can
// match, without looking at each one.
constexpr char32_t kWidestCheckedRange = 256;

// Marks an atom that is not a single literal character.
constexpr char32_t kNoLiteral = 0xFFFFFFFF;

// What a part of a pattern can match.
struct Reach {
  // False when no text can match the part.
  bool possible = true;
  // Why no text can match the part; set when `possible` is false.
  std::string blocking;
  // Why a part inside it that may be skipped can never match.
  std::string partial;

  // The part may be skipped: what blocked it now only concerns a part.
  void MakeOptional() {
    if (possible) return;
    if (partial.empty()) partial = blocking;
    possible = true;
    blocking.clear();
  }
};

// Returns the letter that `c` stands for when it is a look-alike digit or
// symbol, which normalization spells out between letters; 0 otherwise.
char LookAlikeLetter(char32_t c) {
  switch (c) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '5':
      return 's';
    case '7':
      return 't';
    case '@':
      return 'a';
    case '$':
      return 's';
    default:
      return 0;
  }
}

bool IsAsciiLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Utf8(char32_t code_point) {
  utf8proc_uint8_t bytes[4];
  const utf8proc_ssize_t size =
      utf8proc_encode_char(static_cast<utf8proc_int32_t>(code_point), bytes);
  return std::string(reinterpret_cast<const char*>(bytes),
                     static_cast<size_t>(size));
}

std::string Utf8(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) out += Utf8(c);
  return out;
}

std::string CodeName(char32_t code_point) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code_point));
  return name;
}

// Names a character in a message: quoted when it prints as itself, always
// with its code point when it is not ASCII.
std::string CharName(char32_t code_point) {
  const utf8proc_category_t category =
      utf8proc_category(static_cast<utf8proc_int32_t>(code_point));
  const bool visible =
      category != UTF8PROC_CATEGORY_CC && category != UTF8PROC_CATEGORY_CF &&
      category != UTF8PROC_CATEGORY_MN && category != UTF8PROC_CATEGORY_ME &&
      category != UTF8PROC_CATEGORY_ZS && category != UTF8PROC_CATEGORY_CN;
  if (!visible) return CodeName(code_point);

  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about
  // "'" + string + "'".
  std::string name = "'";
  name += Utf8(code_point);
  name += '\'';
  if (code_point >= 0x80) name += " (" + CodeName(code_point) + ")";
  return name;
}

std::string ScriptPrefix(char32_t code_point) {
  if (code_point >= 0x0400 && code_point <= 0x04FF) return "Cyrillic ";
  if (code_point >= 0x0370 && code_point <= 0x03FF) return "Greek ";
  return "";
}

// Says why the normalized text never holds `code_point`, which
// normalization turns into `folded`.
std::string DeadCharReason(char32_t code_point, const std::string& folded) {
  if (code_point >= 'A' && code_point <= 'Z') {
    return "it has upper-case '" + Utf8(code_point) +
           "' but the rule is case-sensitive and matches normalized "
           "(lower-case) text";
  }
  const std::string name = ScriptPrefix(code_point) + CharName(code_point);
  if (folded.empty()) {
    return "it has " + name +
           " but the rule matches normalized text, which drops it";
  }
  return "it has " + name +
         " but the rule matches normalized text, where it becomes '" + folded +
         "'";
}

// The characters from `first` to `second` of a class.
using CharRange = std::pair<char32_t, char32_t>;

// Finds what a pattern can match in normalized text, reading RE2 syntax.
// The pattern compiled in RE2, so the reading can be lenient; where it is
// unsure it assumes a part can match, so that it never warns wrongly.
class ReachScanner {
 public:
  ReachScanner(std::string_view regex, bool case_sensitive)
      : text_(regex), case_insensitive_(!case_sensitive) {}

  // Returns what the whole pattern can match.
  Reach Scan() { return Alternation(); }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Accept(char c);
  char32_t NextCodePoint();

  Reach Alternation();
  Reach Concat();
  Reach Repeat(char32_t* literal);
  bool RepeatCount(int* min, int* max);
  int Number();
  Reach Atom(char32_t* literal);
  Reach Group();
  void SkipGroupName();
  Reach Class();
  Reach RangesReach(const std::vector<CharRange>& ranges);
  bool ClassMember(char32_t* code_point);
  Reach Escape(char32_t* literal);
  bool EscapedCodePoint(char c, char32_t* code_point);
  char32_t Hex();
  void SkipPropertyName();
  Reach Quoted();

  std::string CharProblem(char32_t code_point);
  Reach CharReach(char32_t code_point);
  std::string LookAlikeProblem(const std::u32string& run) const;

  std::string_view text_;
  size_t pos_ = 0;
  bool case_insensitive_;
  Normalizer normalizer_;
};

bool ReachScanner::Accept(char c) {
  if (Peek() != c || AtEnd()) return false;
  ++pos_;
  return true;
}

char32_t ReachScanner::NextCodePoint() {
  utf8proc_int32_t code_point = 0;
  utf8proc_ssize_t size = utf8proc_iterate(
      reinterpret_cast<const utf8proc_uint8_t*>(text_.data() + pos_),
      static_cast<utf8proc_ssize_t>(text_.size() - pos_), &code_point);
  if (size <= 0) {
    size = 1;
    code_point = 0xFFFD;
  }
  pos_ += static_cast<size_t>(size);
  return static_cast<char32_t>(code_point);
}

// Adds `branch` as another alternative to *result: the alternation can
// match when any branch can.
void AddBranch(Reach* result, Reach branch) {
  if (!branch.possible && result->possible) branch.MakeOptional();
  if (branch.possible && !result->possible) result->MakeOptional();
  if (result->partial.empty()) result->partial = std::move(branch.partial);
}

Reach ReachScanner::Alternation() {
  Reach result = Concat();
  while (Accept('|')) AddBranch(&result, Concat());
  return result;
}

// A sequence of items: it matches only when every item that must be there
// can match, and no look-alike digit sits spelled between literal letters.
Reach ReachScanner::Concat() {
  Reach result;
  std::u32string literal_run;
  while (!AtEnd() && Peek() != '|' && Peek() != ')') {
    char32_t literal = kNoLiteral;
    Reach item = Repeat(&literal);
    if (literal != kNoLiteral) {
      literal_run.push_back(literal);
      std::string problem = LookAlikeProblem(literal_run);
      if (!problem.empty() && item.possible) {
        item.possible = false;
        item.blocking = std::move(problem);
      }
    } else {
      literal_run.clear();
    }

    if (!item.possible && result.possible) {
      result.possible = false;
      result.blocking = std::move(item.blocking);
    }
    if (result.partial.empty()) result.partial = std::move(item.partial);
  }
  return result;
}

// An atom and its repetition. *literal keeps the atom's character only
// when it stands exactly once.
Reach ReachScanner::Repeat(char32_t* literal) {
  Reach atom = Atom(literal);
  int min = 1;
  int max = 1;
  if (Accept('*') || Accept('?')) {
    min = 0;
    max = -1;
  } else if (Accept('+')) {
    max = -1;
  } else if (Peek() == '{' && !RepeatCount(&min, &max)) {
    return atom;  // not a repetition: RE2 reads the '{' as a literal
  }

  if (min != 1 || max != 1) {
    Accept('?');  // non-greedy
    *literal = kNoLiteral;
  }
  if (min == 0) atom.MakeOptional();
  return atom;
}

// Reads "{n}", "{n,}" or "{n,m}" at the current place. Returns false, and
// reads nothing, when the text there is not a repetition.
bool ReachScanner::RepeatCount(int* min, int* max) {
  const size_t start = pos_;
  ++pos_;
  *min = Number();
  *max = *min;
  if (Accept(',')) *max = Peek() == '}' ? -1 : Number();
  if (*min < 0 || !Accept('}')) {
    pos_ = start;
    return false;
  }
  return true;
}

// Reads a decimal number; returns -1 when there is none.
int ReachScanner::Number() {
  int value = -1;
  while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
    value = (value < 0 ? 0 : value * 10) + (Peek() - '0');
    if (value > 100000) value = 100000;
    ++pos_;
  }
  return value;
}

Reach ReachScanner::Atom(char32_t* literal) {
  if (Accept('(')) return Group();
  if (Accept('[')) return Class();
  if (Accept('\\')) return Escape(literal);
  if (Accept('.') || Accept('^') || Accept('$')) return Reach();

  const char32_t code_point = NextCodePoint();
  *literal = code_point;
  return CharReach(code_point);
}

// After "(": a group, possibly with flags or a name. Flags set by "(?i)"
// hold to the end of the enclosing group.
Reach ReachScanner::Group() {
  const bool saved_case = case_insensitive_;
  if (Accept('?')) {
    if (Peek() == 'P' || Peek() == '<') {
      SkipGroupName();
    } else {
      bool negated = false;
      while (!AtEnd() && Peek() != ':' && Peek() != ')') {
        const char flag = text_[pos_++];
        if (flag == '-') negated = true;
        if (flag == 'i') case_insensitive_ = !negated;
      }
      if (Accept(')')) return Reach();
      Accept(':');
    }
  }

  Reach body = Alternation();
  Accept(')');
  case_insensitive_ = saved_case;
  return body;
}

void ReachScanner::SkipGroupName() {
  while (!AtEnd() && Peek() != '>') ++pos_;
  Accept('>');
}

// After "[": a class can match when any of its members can. A negated
// class, or one with a named or escaped class inside, is taken to match.
Reach ReachScanner::Class() {
  const bool negated = Accept('^');
  bool matches_other = negated;
  std::vector<CharRange> ranges;
  for (bool first = true; !AtEnd(); first = false) {
    if (!first && Accept(']')) break;
    if (text_.substr(pos_, 2) == "[:") {
      const size_t end = text_.find(":]", pos_);
      pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      matches_other = true;
      continue;
    }
    char32_t low = 0;
    char32_t high = 0;
    if (!ClassMember(&low)) {
      matches_other = true;
      continue;
    }
    high = low;
    if (Peek() == '-' && text_.substr(pos_, 2) != "-]") {
      ++pos_;
      if (!ClassMember(&high)) matches_other = true;
    }
    ranges.emplace_back(low, high);
  }

  if (matches_other) return Reach();
  return RangesReach(ranges);
}

// A class of plain characters can match when one of them can.
Reach ReachScanner::RangesReach(const std::vector<CharRange>& ranges) {
  std::string first_problem;
  for (const auto& [low, high] : ranges) {
    if (high < low || high - low > kWidestCheckedRange) return Reach();
    for (char32_t c = low; c <= high; ++c) {
      std::string problem = CharProblem(c);
      if (problem.empty()) return Reach();
      if (first_problem.empty()) first_problem = std::move(problem);
    }
  }
  if (first_problem.empty()) return Reach();
  return Reach{false, first_problem, ""};
}

// Reads one member of a class. Returns false for a member that is itself
// a class (\d, \pL) or a character this reading does not decode.
bool ReachScanner::ClassMember(char32_t* code_point) {
  if (!Accept('\\')) {
    *code_point = NextCodePoint();
    return true;
  }
  if (AtEnd()) return false;
  const char c = text_[pos_++];
  if (c == 'p' || c == 'P') SkipPropertyName();
  return EscapedCodePoint(c, code_point);
}

// After "\": an escape outside a class.
Reach ReachScanner::Escape(char32_t* literal) {
  if (AtEnd()) return Reach();
  const char c = text_[pos_++];
  if (c == 'Q') return Quoted();
  if (c == 'p' || c == 'P') SkipPropertyName();

  char32_t code_point = 0;
  if (!EscapedCodePoint(c, &code_point)) return Reach();
  *literal = code_point;
  return CharReach(code_point);
}

// Decodes the escape "\c" (and its digits, for \x) into the character it
// stands for. Returns false for classes, assertions, control characters
// and octal escapes, which are taken to match.
bool ReachScanner::EscapedCodePoint(char c, char32_t* code_point) {
  if (c == 'x') {
    *code_point = Hex();
    return true;
  }
  const bool letter_or_digit =
      IsAsciiLetter(static_cast<unsigned char>(c)) || (c >= '0' && c <= '9');
  if (letter_or_digit) {
    while (c >= '0' && c <= '7' && !AtEnd() && Peek() >= '0' && Peek() <= '7')
      ++pos_;
    return false;
  }
  *code_point = static_cast<unsigned char>(c);
  return true;
}

// After "\x": "{HHHH}" or "HH".
char32_t ReachScanner::Hex() {
  const bool braced = Accept('{');
  char32_t value = 0;
  for (int digits = 0; !AtEnd() && (braced || digits < 2); ++digits) {
    const char c = Peek();
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) break;
    value = (value << 4) | static_cast<char32_t>(digit);
    ++pos_;
  }
  if (braced) Accept('}');
  return value > 0x10FFFF ? 0xFFFD : value;
}

// After "\p" or "\P": "{Name}" or one letter.
void ReachScanner::SkipPropertyName() {
  if (Accept('{')) {
    while (!AtEnd() && !Accept('}')) ++pos_;
  } else if (!AtEnd()) {
    ++pos_;
  }
}

// After "\Q": literal text up to "\E".
Reach ReachScanner::Quoted() {
  Reach result;
  while (!AtEnd() && text_.substr(pos_, 2) != "\\E") {
    Reach item = CharReach(NextCodePoint());
    if (!item.possible && result.possible) result = std::move(item);
  }
  pos_ = std::min(text_.size(), pos_ + 2);
  return result;
}

// Returns why the normalized text never holds `code_point` in any case
// the rule matches, or "" when it may.
std::string ReachScanner::CharProblem(char32_t code_point) {
  const auto point = static_cast<utf8proc_int32_t>(code_point);
  std::vector<char32_t> forms = {code_point};
  if (case_insensitive_) {
    forms.push_back(static_cast<char32_t>(utf8proc_tolower(point)));
    forms.push_back(static_cast<char32_t>(utf8proc_toupper(point)));
  }
  for (char32_t form : forms) {
    const std::string text = Utf8(form);
    if (normalizer_.Normalize(text).text() == text) return "";
  }
  return DeadCharReason(code_point,
                        normalizer_.Normalize(Utf8(code_point)).text());
}

Reach ReachScanner::CharReach(char32_t code_point) {
  std::string problem = CharProblem(code_point);
  if (problem.empty()) return Reach();
  return Reach{false, std::move(problem), ""};
}

// Looks at the end of a run of literal characters: a look-alike digit or
// symbol with a letter on both sides ("n3w") is spelled out as a letter
// by normalization, so the run never occurs in normalized text.
std::string ReachScanner::LookAlikeProblem(const std::u32string& run) const {
  if (run.size() < 3 || !IsAsciiLetter(run.back())) return "";
  size_t start = run.size() - 1;
  while (start > 0 && LookAlikeLetter(run[start - 1]) != 0) --start;
  if (start == run.size() - 1 || start == 0 || !IsAsciiLetter(run[start - 1])) {
    return "";
  }

  const std::u32string written = run.substr(start - 1);
  std::u32string folded = written;
  for (size_t i = 1; i + 1 < folded.size(); ++i) {
    folded[i] = static_cast<char32_t>(LookAlikeLetter(folded[i]));
  }
  return "it has '" + Utf8(written) +
         "' but the rule matches normalized text, where it becomes '" +
         Utf8(folded) + "'";
}

Diagnostic Warning(const SourcePos& pos, std::string message) {
  return Diagnostic{pos, Severity::kWarning, std::move(message)};
}

// A stable rule is what the nightly run relies on: it shows what it
// catches and where the indicator comes from.
void LintDocumentation(const Rule& rule, std::vector<Diagnostic>* out) {
  if (rule.status != RuleStatus::kStable) return;

  const std::string name = "stable rule '" + rule.id + "'";
  if (rule.hit_examples.empty() && rule.miss_examples.empty()) {
    out->push_back(Warning(rule.pos, name + " has no examples: add 'hit' and "
                                            "'miss' texts that show what it "
                                            "catches"));
  } else if (rule.hit_examples.empty()) {
    out->push_back(Warning(
        rule.pos, name + " has no 'hit' example: nothing shows that it fires"));
  }
  if (rule.references.empty()) {
    out->push_back(Warning(
        rule.pos,
        name + " has no references: cite where the indicator comes from"));
  }
}

void LintNormalizedPatterns(const Rule& rule, std::vector<Diagnostic>* out) {
  if (!rule.normalize) return;
  for (const auto* patterns :
       {&rule.any, &rule.all, &rule.except, &rule.unless}) {
    for (const Pattern& pattern : *patterns) {
      std::string problem =
          NormalizedPatternProblem(pattern.regex, rule.case_sensitive);
      if (!problem.empty()) out->push_back(Warning(pattern.pos, problem));
    }
  }
}

// The same pattern twice in `any` counts as two distinct hits toward
// min_hits, and is at best redundant.
void LintRepeatedAny(const Rule& rule, std::vector<Diagnostic>* out) {
  std::map<std::string, const Pattern*> seen;
  for (const Pattern& pattern : rule.any) {
    const auto [it, inserted] = seen.emplace(pattern.regex, &pattern);
    if (inserted) continue;
    out->push_back(Warning(pattern.pos,
                           "duplicate pattern: it is already in this rule's "
                           "'any' at " +
                               FormatPlace(it->second->pos)));
  }
}

// Returns a key that is equal for two rules exactly when their patterns
// run on the same text: same fields, view, case and `when`.
std::string TextKey(const Rule& rule) {
  std::string key = rule.normalize ? "normalized" : "raw";
  key += rule.case_sensitive ? "|case" : "|nocase";
  for (const std::string& field : rule.fields) key += "|f:" + field;
  for (const WhenClause& when : rule.when) {
    key += "|w:" + when.field + "\x1f" + when.pattern.regex;
  }
  return key;
}

// Returns the patterns of `rule` that fire it on their own.
std::vector<const Pattern*> SufficientPatterns(const Rule& rule) {
  std::vector<const Pattern*> patterns;
  if (!rule.requires_rules.empty()) return patterns;
  if (rule.all.empty() && rule.min_hits == 1) {
    for (const Pattern& pattern : rule.any) patterns.push_back(&pattern);
  } else if (rule.any.empty() && rule.all.size() == 1) {
    patterns.push_back(&rule.all[0]);
  }
  return patterns;
}

bool Counts(const Rule& rule) {
  return rule.status == RuleStatus::kStable || rule.status == RuleStatus::kTest;
}

// One match of a pattern that alone fires two counted rules adds both
// weights: the same words count twice toward the score.
void LintDoubleCounting(const RulePack& pack, std::vector<Diagnostic>* out) {
  struct FirstUse {
    const Rule* rule;
    const Pattern* pattern;
  };
  std::map<std::string, FirstUse> first_use;
  for (const Rule& rule : pack.rules) {
    if (!Counts(rule)) continue;
    const std::string text_key = TextKey(rule);
    for (const Pattern* pattern : SufficientPatterns(rule)) {
      const auto [it, inserted] = first_use.emplace(
          pattern->regex + '\0' + text_key, FirstUse{&rule, pattern});
      if (inserted || it->second.rule == &rule) continue;
      out->push_back(Warning(pattern->pos,
                             "duplicate pattern: rule '" + it->second.rule->id +
                                 "' has it too (" +
                                 FormatPlace(it->second.pattern->pos) +
                                 "), on the same text, so one match fires both "
                                 "rules and counts twice toward the score"));
    }
  }
}

}  // namespace

std::string NormalizedPatternProblem(const std::string& regex,
                                     bool case_sensitive) {
  const Reach reach = ReachScanner(regex, case_sensitive).Scan();
  if (!reach.possible) return "pattern can never match: " + reach.blocking;
  if (!reach.partial.empty()) {
    return "part of the pattern can never match: " + reach.partial;
  }
  return "";
}

void LintRulePack(const RulePack& pack, std::vector<Diagnostic>* diagnostics) {
  for (const Rule& rule : pack.rules) {
    LintDocumentation(rule, diagnostics);
    LintNormalizedPatterns(rule, diagnostics);
    LintRepeatedAny(rule, diagnostics);
  }
  LintDoubleCounting(pack, diagnostics);
}

}  // namespace adflag

#include "adflag/entities.h"

#include <phonenumbers/phonenumberutil.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

namespace adflag {

// What libphonenumber made of one collected digit string.
struct PhoneVerdict {
  bool possible = false;
  std::string e164;
};

// One stretch of digits written without separators inside a phone number:
// "915", "5five5", "9️⃣1️⃣5️⃣" or a spelled word such as "nine".
struct DigitGroup {
  size_t start = 0;
  size_t end = 0;
  // The number of collected digits up to the end of this group.
  size_t digits_end = 0;
  // Only ASCII digits, as in "(915) 555-0110".
  bool plain = true;
  // A standalone spelled word, as "nine" or "cero".
  bool spelled = false;
};

// A host name read from the text.
struct DomainMatch {
  size_t end = 0;
  // Lower case, labels joined by '.'.
  std::string host;
  // Written with spaced or bracketed dots or the word "dot".
  bool obscured = false;
  bool known_tld = false;
};

// The digits collected from a run of groups joined by separators.
struct PhoneRun {
  // The run begins with "+".
  bool plus = false;
  std::string digits;
  std::vector<DigitGroup> groups;
};

// State kept by an EntityExtractor between calls: libphonenumber's answers
// and buffers reused for every field value.
class EntityWorkspace {
 public:
  explicit EntityWorkspace(std::string region) : region_(std::move(region)) {}

  // Returns libphonenumber's verdict on `dialed` (digits, optionally
  // after "+"), from the cache when it was asked before.
  const PhoneVerdict& Verdict(const std::string& dialed);

  PhoneRun run;
  DomainMatch domain;
  std::string number;

 private:
  // Parse takes microseconds; listings repeat numbers, and a bounded
  // cache, cleared when full, keeps memory flat on any input.
  static constexpr size_t kMaxCachedNumbers = 16384;

  // The region is fixed for the workspace, so the number alone is the key.
  std::string region_;
  std::unordered_map<std::string, PhoneVerdict> verdicts_;
};

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

PhoneVerdict AskLibphonenumber(const std::string& number,
                               const std::string& region) {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneVerdict verdict;
  PhoneNumber parsed;
  if (util->Parse(number, region, &parsed) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return verdict;
  }

  verdict.possible =
      util->IsPossibleNumberWithReason(parsed) == PhoneNumberUtil::IS_POSSIBLE;
  if (!verdict.possible) return verdict;

  util->Format(parsed, PhoneNumberUtil::E164, &verdict.e164);
  return verdict;
}

}  // namespace

// libphonenumber's answers for every extractor of the process, so that a
// number costs one parse per run, not one per thread and per pass (a linked
// scan reads every listing twice). Bounded like the caches of the
// workspaces, which are asked first and need no lock.
class SharedVerdicts {
 public:
  static constexpr size_t kMaxNumbers = size_t{1} << 16;

  // Returns the verdict on `dialed` in `region`, asking libphonenumber
  // when no extractor has asked before.
  static PhoneVerdict Get(const std::string& region,
                          const std::string& dialed) {
    static SharedVerdicts shared;
    std::string key = region + ":" + dialed;
    {
      std::lock_guard<std::mutex> lock(shared.mutex_);
      const auto found = shared.verdicts_.find(key);
      if (found != shared.verdicts_.end()) return found->second;
    }

    PhoneVerdict verdict = AskLibphonenumber(dialed, region);
    std::lock_guard<std::mutex> lock(shared.mutex_);
    if (shared.verdicts_.size() >= kMaxNumbers) shared.verdicts_.clear();
    shared.verdicts_.emplace(std::move(key), verdict);
    return verdict;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, PhoneVerdict> verdicts_;
};

const PhoneVerdict& EntityWorkspace::Verdict(const std::string& dialed) {
  const auto found = verdicts_.find(dialed);
  if (found != verdicts_.end()) return found->second;

  if (verdicts_.size() >= kMaxCachedNumbers) verdicts_.clear();
  return verdicts_.emplace(dialed, SharedVerdicts::Get(region_, dialed))
      .first->second;
}

namespace {

// Classes of ASCII bytes, as bits.
constexpr uint8_t kAlpha = 1;
constexpr uint8_t kDigit = 2;
constexpr uint8_t kAlnum = kAlpha | kDigit;
// Joins the digit groups of a phone number: ' ', '-', '.', '(', ')', '_'.
constexpr uint8_t kPhoneSeparator = 4;
// May appear in the local part of an email address.
constexpr uint8_t kLocalPart = 8;
// May appear in a label of a host name.
constexpr uint8_t kHostChar = 16;
// May appear in a social media handle.
constexpr uint8_t kHandleChar = 32;
// Makes the scan look closer: letters, digits, '@', '+' and non-ASCII.
constexpr uint8_t kTrigger = 64;

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> classes{};
  constexpr uint8_t kWordChar = kLocalPart | kHostChar | kHandleChar | kTrigger;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] = kAlpha | kWordChar;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] = kAlpha | kWordChar;
  for (int c = '0'; c <= '9'; ++c) classes[c] = kDigit | kWordChar;
  for (char c : {' ', '\t', '-', '.', '(', ')', '_'}) {
    classes[static_cast<unsigned char>(c)] |= kPhoneSeparator;
  }
  for (char c : {'.', '_', '%', '+', '-'}) {
    classes[static_cast<unsigned char>(c)] |= kLocalPart;
  }
  classes['-'] |= kHostChar;
  classes['_'] |= kHandleChar;
  classes['.'] |= kHandleChar;
  classes['@'] |= kTrigger;
  classes['+'] |= kTrigger;
  for (int c = 0x80; c <= 0xFF; ++c) classes[c] = kTrigger;
  return classes;
}

constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

inline bool Is(std::string_view text, size_t pos, uint8_t classes) {
  return pos < text.size() &&
         (kByteClasses[static_cast<unsigned char>(text[pos])] & classes) != 0;
}

inline bool IsByte(std::string_view text, size_t pos, char byte) {
  return pos < text.size() && text[pos] == byte;
}

inline char LowerAscii(char byte) {
  return byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte + ('a' - 'A'))
                                    : byte;
}

bool EqualsIgnoreCase(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (LowerAscii(text[i]) != lower_word[i]) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view lower_word) {
  return text.size() >= lower_word.size() &&
         EqualsIgnoreCase(text.substr(0, lower_word.size()), lower_word);
}

void AppendLower(std::string_view text, std::string* out) {
  for (char byte : text) out->push_back(LowerAscii(byte));
}

// Returns the end of the run of bytes of `classes` that starts at `pos`.
size_t RunEnd(std::string_view text, size_t pos, uint8_t classes) {
  while (Is(text, pos, classes)) ++pos;
  return pos;
}

size_t SkipSpaces(std::string_view text, size_t pos, int max_spaces) {
  for (int i = 0; i < max_spaces && IsByte(text, pos, ' '); ++i) ++pos;
  return pos;
}

size_t SkipSpacesBackward(std::string_view text, size_t end, int max_spaces) {
  for (int i = 0; i < max_spaces && end > 0 && text[end - 1] == ' '; ++i) {
    --end;
  }
  return end;
}

bool IsOpenBracket(std::string_view text, size_t pos) {
  return pos < text.size() &&
         (text[pos] == '[' || text[pos] == '(' || text[pos] == '{');
}

bool IsCloseBracket(std::string_view text, size_t pos) {
  return pos < text.size() &&
         (text[pos] == ']' || text[pos] == ')' || text[pos] == '}');
}

// --- Unicode digits ---------------------------------------------------

// Decodes the UTF-8 character at `pos`, a non-ASCII lead byte. Returns its
// length; a byte that starts no valid sequence is one character U+FFFD.
size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* code_point) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  *code_point = 0xFFFD;
  if (lead < 0xC2 || lead > 0xF4 || pos + length > text.size()) return 1;

  char32_t value = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[pos + i]);
    if ((next & 0xC0) != 0x80) return 1;
    value = (value << 6) | (next & 0x3F);
  }
  *code_point = value;
  return length;
}

// The zeros of the blocks of ten decimal digits that are read as digits:
// Arabic-Indic and other scripts, full-width and mathematical digits.
constexpr char32_t kDigitZeros[] = {
    0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6, 0x0A66,  0x0AE6,
    0x0B66,  0x0BE6,  0x0C66,  0x0CE6,  0x0D66, 0x0E50,  0x0ED0,
    0x0F20,  0x1040,  0x17E0,  0x1810,  0xFF10, 0x1D7CE, 0x1D7D8,
    0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1FBF0,
};

// Returns the digit '0'..'9' that `code_point` stands for, or 0.
// TODO: circled, parenthesized and superscript digits ("⑨", "⁹") are not
// read, so numbers written with them are missed.
char UnicodeDigit(char32_t code_point) {
  // Punctuation, symbols and emoji, the common non-ASCII characters of
  // listings, fall between the blocks of digits.
  const bool between_blocks = code_point < kDigitZeros[0] ||
                              (code_point > 0x1819 && code_point < 0xFF10) ||
                              (code_point > 0xFF19 && code_point < 0x1D7CE) ||
                              (code_point > 0x1D7FF && code_point < 0x1FBF0);
  if (between_blocks) return 0;
  for (char32_t zero : kDigitZeros) {
    if (code_point >= zero && code_point < zero + 10) {
      return static_cast<char>('0' + (code_point - zero));
    }
  }
  return 0;
}

// Returns the length of the Unicode digit at `pos` and sets *digit, or 0.
size_t UnicodeDigitAt(std::string_view text, size_t pos, char* digit) {
  if (pos >= text.size() || static_cast<unsigned char>(text[pos]) < 0x80) {
    return 0;
  }
  char32_t code_point = 0;
  const size_t length = DecodeUtf8(text, pos, &code_point);
  *digit = UnicodeDigit(code_point);
  return *digit != 0 ? length : 0;
}

// Returns the end of the emoji keycap marks after a digit at `pos - 1`
// (U+FE0F and U+20E3, as in "9️⃣"), or `pos` when there are none.
size_t KeycapEnd(std::string_view text, size_t pos) {
  if (text.substr(pos, 3) == "\xEF\xB8\x8F") pos += 3;
  if (text.substr(pos, 3) == "\xE2\x83\xA3") pos += 3;
  return pos;
}

// --- Words --------------------------------------------------------------

// A digit written as a word. `among_digits` words ("o", "oh") stand for
// zero only after other digits of the same number.
struct DigitWord {
  std::string_view word;
  char digit;
  bool among_digits;
};

// Longest first, so that the first word that matches is the longest.
constexpr DigitWord kDigitWords[] = {
    {"cuatro", '4', false}, {"three", '3', false}, {"seven", '7', false},
    {"eight", '8', false},  {"nueve", '9', false}, {"cinco", '5', false},
    {"siete", '7', false},  {"zero", '0', false},  {"four", '4', false},
    {"five", '5', false},   {"nine", '9', false},  {"cero", '0', false},
    {"tres", '3', false},   {"seis", '6', false},  {"ocho", '8', false},
    {"one", '1', false},    {"two", '2', false},   {"six", '6', false},
    {"uno", '1', false},    {"dos", '2', false},   {"oh", '0', true},
    {"o", '0', true},
};

// Returns the longest digit word that `letters` starts with, or null.
const DigitWord* DigitWordPrefix(std::string_view letters) {
  for (const DigitWord& word : kDigitWords) {
    if (StartsWithIgnoreCase(letters, word.word)) return &word;
  }
  return nullptr;
}

// Look-alike letters read as digits inside a run of digits.
char LookAlikeDigit(char letter) {
  switch (letter) {
    case 'O':
    case 'o':
      return '0';
    case 'l':
    case 'I':
      return '1';
    default:
      return 0;
  }
}

// What a whole word of letters means to the scan.
enum class WordKind : uint8_t { kNone, kSpelledDigit, kAt, kScheme, kPlatform };

struct Keyword {
  std::string_view word;
  WordKind kind;
  // For platforms: the canonical platform name.
  std::string_view platform;
};

// The digit words that may start a number are keywords too.
constexpr Keyword kKeywords[] = {
    {"at", WordKind::kAt, ""},
    {"http", WordKind::kScheme, ""},
    {"https", WordKind::kScheme, ""},
    {"instagram", WordKind::kPlatform, "instagram"},
    {"insta", WordKind::kPlatform, "instagram"},
    {"ig", WordKind::kPlatform, "instagram"},
    {"snapchat", WordKind::kPlatform, "snapchat"},
    {"snap", WordKind::kPlatform, "snapchat"},
    {"telegram", WordKind::kPlatform, "telegram"},
    {"tg", WordKind::kPlatform, "telegram"},
    {"whatsapp", WordKind::kPlatform, "whatsapp"},
    {"wa", WordKind::kPlatform, "whatsapp"},
    {"kik", WordKind::kPlatform, "kik"},
    {"tiktok", WordKind::kPlatform, "tiktok"},
    {"twitter", WordKind::kPlatform, "twitter"},
    {"onlyfans", WordKind::kPlatform, "onlyfans"},
    {"zero", WordKind::kSpelledDigit, ""},
    {"one", WordKind::kSpelledDigit, ""},
    {"two", WordKind::kSpelledDigit, ""},
    {"three", WordKind::kSpelledDigit, ""},
    {"four", WordKind::kSpelledDigit, ""},
    {"five", WordKind::kSpelledDigit, ""},
    {"six", WordKind::kSpelledDigit, ""},
    {"seven", WordKind::kSpelledDigit, ""},
    {"eight", WordKind::kSpelledDigit, ""},
    {"nine", WordKind::kSpelledDigit, ""},
    {"cero", WordKind::kSpelledDigit, ""},
    {"uno", WordKind::kSpelledDigit, ""},
    {"dos", WordKind::kSpelledDigit, ""},
    {"tres", WordKind::kSpelledDigit, ""},
    {"cuatro", WordKind::kSpelledDigit, ""},
    {"cinco", WordKind::kSpelledDigit, ""},
    {"seis", WordKind::kSpelledDigit, ""},
    {"siete", WordKind::kSpelledDigit, ""},
    {"ocho", WordKind::kSpelledDigit, ""},
    {"nueve", WordKind::kSpelledDigit, ""},
};

constexpr size_t kMaxKeywordLength = 10;
constexpr size_t kBucketSlots = 3;

// The keywords of one first letter and length, as indices into kKeywords
// plus one; zero marks an empty slot.
using KeywordBucket = std::array<uint8_t, kBucketSlots>;

constexpr std::array<KeywordBucket, 26 * kMaxKeywordLength>
MakeKeywordBuckets() {
  std::array<KeywordBucket, 26 * kMaxKeywordLength> buckets{};
  for (size_t i = 0; i < std::size(kKeywords); ++i) {
    const std::string_view word = kKeywords[i].word;
    KeywordBucket& bucket =
        buckets[(word[0] - 'a') * kMaxKeywordLength + word.size()];
    size_t slot = 0;
    while (bucket[slot] != 0) ++slot;  // Out of range: a compile error.
    bucket[slot] = static_cast<uint8_t>(i + 1);
  }
  return buckets;
}

// Most words are ruled out by one lookup by first letter and length.
constexpr std::array<KeywordBucket, 26 * kMaxKeywordLength> kKeywordBuckets =
    MakeKeywordBuckets();

constexpr std::array<uint16_t, 26 * 26> MakeKeywordFilter() {
  std::array<uint16_t, 26 * 26> lengths{};
  for (const Keyword& keyword : kKeywords) {
    const std::string_view word = keyword.word;
    lengths[(word[0] - 'a') * 26 + (word[1] - 'a')] |=
        static_cast<uint16_t>(1u << word.size());
  }
  return lengths;
}

// For each first two letters, the lengths of the keywords that start with
// them, as bits.
constexpr std::array<uint16_t, 26 * 26> kKeywordFilter = MakeKeywordFilter();

// Whether the word of ASCII letters `word` may be a keyword. Rules out
// nearly every word of prose with one lookup.
inline bool MayBeKeyword(std::string_view word) {
  if (word.size() < 2 || word.size() >= kMaxKeywordLength) return false;
  // Letters only, so setting bit 0x20 lowercases them.
  const int first = (word[0] | 0x20) - 'a';
  const int second = (word[1] | 0x20) - 'a';
  if (first < 0 || first >= 26 || second < 0 || second >= 26) return false;
  return ((kKeywordFilter[first * 26 + second] >> word.size()) & 1) != 0;
}

// Returns the keyword that the word of ASCII letters `word` is, if any.
const Keyword* FindKeyword(std::string_view word) {
  if (!MayBeKeyword(word)) return nullptr;
  const int first = (word[0] | 0x20) - 'a';

  const KeywordBucket& bucket =
      kKeywordBuckets[first * kMaxKeywordLength + word.size()];
  for (uint8_t slot : bucket) {
    if (slot == 0) return nullptr;
    if (EqualsIgnoreCase(word, kKeywords[slot - 1].word)) {
      return &kKeywords[slot - 1];
    }
  }
  return nullptr;
}

// Top-level domains that make a bare "name.tld" a domain.
// TODO: only common TLDs are listed, so bare domains under others
// ("name.photography") are missed unless written with "www." or a scheme.
constexpr std::string_view kKnownTlds[] = {
    "com",  "org",    "net",  "info",  "biz",  "edu", "gov",     "io",   "co",
    "me",   "us",     "uk",   "ca",    "mx",   "de",  "fr",      "es",   "it",
    "nl",   "ru",     "br",   "au",    "in",   "xyz", "app",     "dev",  "site",
    "club", "online", "live", "link",  "top",  "tv",  "cc",      "ly",   "gg",
    "ws",   "to",     "vip",  "store", "shop", "biz", "invalid", "test",
};

bool IsKnownTld(std::string_view label) {
  for (std::string_view tld : kKnownTlds) {
    if (EqualsIgnoreCase(label, tld)) return true;
  }
  return false;
}

bool IsAlphabetic(std::string_view label) {
  for (char byte : label) {
    if ((kByteClasses[static_cast<unsigned char>(byte)] & kAlpha) == 0) {
      return false;
    }
  }
  return true;
}

// Returned by the Scan functions when there is nothing there; an entity
// never ends at byte 0.
constexpr size_t kNotFound = 0;

// --- Phones ---------------------------------------------------------------

// The fewest digits after "+" or "00", and the most E.164 allows.
constexpr size_t kMinInternationalDigits = 8;
constexpr size_t kMaxNumberDigits = 15;
// A number without a country code has at least the ten digits of a NANP
// number; a part of a longer run is tried with ten or eleven digits.
constexpr size_t kMinNationalDigits = 10;
constexpr size_t kMaxPartDigits = 11;
// Separator bytes allowed between two groups, as in ") " or " - ".
constexpr size_t kMaxSeparatorBytes = 3;
// From this many single-digit groups on, a number is spaced out.
constexpr int kMinSpacedDigits = 3;

// Reads the digits of a phone number from some position of a text.
class PhoneRunReader {
 public:
  PhoneRunReader(std::string_view text, PhoneRun* run)
      : text_(text), run_(*run) {}

  // Reads the run of digit groups that starts at `begin` (at a "+" or the
  // first group) into the run. Returns false when no group starts there.
  bool Read(size_t begin);

 private:
  bool ReadGroup(size_t pos, DigitGroup* group);
  bool ReadLetters(size_t start, size_t end, DigitGroup* group);
  size_t SeparatorsEnd(size_t pos) const;

  std::string_view text_;
  PhoneRun& run_;
};

bool PhoneRunReader::Read(size_t begin) {
  run_.digits.clear();
  run_.groups.clear();
  run_.plus = IsByte(text_, begin, '+');
  size_t pos = run_.plus ? begin + 1 : begin;

  while (true) {
    DigitGroup group;
    const size_t digits_before = run_.digits.size();
    if (!ReadGroup(pos, &group)) {
      run_.digits.resize(digits_before);
      break;
    }
    run_.groups.push_back(group);

    const size_t next = SeparatorsEnd(group.end);
    if (next == group.end) break;
    pos = next;
  }
  return !run_.groups.empty();
}

// Reads one group of digits, digit words and look-alike letters that has
// no separator inside. Returns false when a letter in it is none of those.
bool PhoneRunReader::ReadGroup(size_t pos, DigitGroup* group) {
  group->start = pos;
  const size_t digits_before = run_.digits.size();
  while (pos < text_.size()) {
    char digit = 0;
    if (Is(text_, pos, kDigit)) {
      run_.digits.push_back(text_[pos]);
      const size_t end = KeycapEnd(text_, pos + 1);
      if (end != pos + 1) group->plain = false;
      pos = end;
    } else if (Is(text_, pos, kAlpha)) {
      const size_t end = RunEnd(text_, pos, kAlpha);
      if (!ReadLetters(pos, end, group)) return false;
      pos = end;
    } else if (const size_t length = UnicodeDigitAt(text_, pos, &digit)) {
      run_.digits.push_back(digit);
      group->plain = false;
      pos += length;
    } else {
      break;
    }
  }

  group->end = pos;
  group->digits_end = run_.digits.size();
  return group->digits_end > digits_before;
}

// Reads the letters [start, end) as digits: a word of its own must be
// digit words ("nine", "cero"); letters glued to digits may also be
// look-alikes ("5five5", "O11O").
bool PhoneRunReader::ReadLetters(size_t start, size_t end, DigitGroup* group) {
  const bool glued = start > group->start || Is(text_, end, kDigit);
  group->plain = false;
  group->spelled = !glued;

  std::string_view letters = text_.substr(start, end - start);
  while (!letters.empty()) {
    const DigitWord* word = DigitWordPrefix(letters);
    const char look_alike = glued ? LookAlikeDigit(letters[0]) : 0;
    if (word != nullptr &&
        (glued || !word->among_digits || !run_.digits.empty())) {
      run_.digits.push_back(word->digit);
      letters.remove_prefix(word->word.size());
    } else if (look_alike != 0) {
      run_.digits.push_back(look_alike);
      letters.remove_prefix(1);
    } else {
      return false;
    }
  }
  return true;
}

// TODO: groups joined by more than three separator bytes, or by ',' or
// '/', stay apart, so numbers written as "915 / 555 / 0110" are missed.
size_t PhoneRunReader::SeparatorsEnd(size_t pos) const {
  const size_t limit = pos + kMaxSeparatorBytes;
  while (pos < limit && Is(text_, pos, kPhoneSeparator)) ++pos;
  return pos;
}

// The groups of a run that libphonenumber accepted as one number.
struct PhoneMatch {
  size_t first = 0;
  size_t last = 0;
  const PhoneVerdict* verdict = nullptr;
};

// Picks the number out of a run of digit groups: the whole run when
// libphonenumber calls it possible, else the first part of ten or eleven
// digits that it does.
class PhoneChooser {
 public:
  PhoneChooser(std::string_view text, const PhoneRun& run,
               EntityWorkspace* workspace)
      : text_(text), run_(run), workspace_(*workspace) {}

  // Returns true and fills *match when the run holds a possible number.
  bool Choose(PhoneMatch* match);

 private:
  size_t FirstGroup() const;
  bool TryInternational(size_t prefix_digits, PhoneMatch* match);
  bool TryNational(size_t first, PhoneMatch* match);
  bool TryParts(size_t first, PhoneMatch* match);
  bool IsPlausiblePart(size_t begin, size_t last) const;
  bool Try(bool plus, size_t first, size_t last, size_t skip_digits,
           PhoneMatch* match);

  size_t DigitsBegin(size_t group) const {
    return group == 0 ? 0 : run_.groups[group - 1].digits_end;
  }

  std::string_view text_;
  const PhoneRun& run_;
  EntityWorkspace& workspace_;
};

bool PhoneChooser::Choose(PhoneMatch* match) {
  const size_t first = FirstGroup();
  if (first >= run_.groups.size()) return false;

  if (run_.plus && first == 0) return TryInternational(0, match);
  const bool double_zero =
      run_.groups[first].plain &&
      run_.digits.compare(DigitsBegin(first), 2, "00") == 0;
  if (double_zero && first == 0) return TryInternational(2, match);
  return TryNational(first, match) || TryParts(first, match);
}

// Skips the groups that belong to something else: a price ("$150") and a
// lone spelled word before plain digits ("one 915 555 0110").
size_t PhoneChooser::FirstGroup() const {
  const std::vector<DigitGroup>& groups = run_.groups;
  size_t first = 0;
  if (groups[0].start > 0 && text_[groups[0].start - 1] == '$') first = 1;

  const bool lone_word = first + 1 < groups.size() && groups[first].spelled &&
                         groups[first].digits_end - DigitsBegin(first) == 1;
  if (lone_word && groups[first + 1].plain &&
      groups[first + 1].digits_end - groups[first].digits_end >= 3) {
    ++first;
  }
  return first;
}

// Tries the whole run, then shorter ones, as a number after "+" or "00".
bool PhoneChooser::TryInternational(size_t prefix_digits, PhoneMatch* match) {
  for (size_t last = run_.groups.size(); last-- > 0;) {
    const size_t digits = run_.groups[last].digits_end - prefix_digits;
    if (digits < kMinInternationalDigits) return false;
    if (digits <= kMaxNumberDigits &&
        Try(true, 0, last, prefix_digits, match)) {
      return true;
    }
  }
  return false;
}

bool PhoneChooser::TryNational(size_t first, PhoneMatch* match) {
  const size_t last = run_.groups.size() - 1;
  const size_t digits = run_.groups[last].digits_end - DigitsBegin(first);
  return digits >= kMinNationalDigits && digits <= kMaxNumberDigits &&
         Try(false, first, last, DigitsBegin(first), match);
}

// TODO: only whole groups are cut, so a number glued to other digits
// ("9155550110123") is missed.
// Whether groups [begin, last], cut out of a longer run, look like one
// number: they end with a group of four or more digits (the line number,
// as in "0110") or a single digit (spaced or spelled out), and do not start
// with a plain group of four digits, such as a year.
bool PhoneChooser::IsPlausiblePart(size_t begin, size_t last) const {
  const size_t last_digits = run_.groups[last].digits_end - DigitsBegin(last);
  const size_t first_digits =
      run_.groups[begin].digits_end - DigitsBegin(begin);
  const bool year_like = run_.groups[begin].plain && first_digits == 4;
  return (last_digits >= 4 || last_digits == 1) && !year_like;
}

// Tries each plausible part of ten or eleven digits, earliest first, but
// not the whole run again.
bool PhoneChooser::TryParts(size_t first, PhoneMatch* match) {
  const size_t count = run_.groups.size();
  for (size_t begin = first; begin < count; ++begin) {
    for (size_t last = begin; last < count; ++last) {
      const size_t digits = run_.groups[last].digits_end - DigitsBegin(begin);
      if (digits > kMaxPartDigits) break;
      const bool whole = begin == first && last == count - 1;
      if (digits >= kMinNationalDigits && !whole &&
          IsPlausiblePart(begin, last) &&
          Try(false, begin, last, DigitsBegin(begin), match)) {
        return true;
      }
    }
  }
  return false;
}

// Asks libphonenumber about the digits of groups [first, last], without
// their first `skip_digits` digits.
bool PhoneChooser::Try(bool plus, size_t first, size_t last, size_t skip_digits,
                       PhoneMatch* match) {
  std::string& number = workspace_.number;
  number.clear();
  if (plus) number.push_back('+');
  number.append(run_.digits, skip_digits,
                run_.groups[last].digits_end - skip_digits);

  const PhoneVerdict& verdict = workspace_.Verdict(number);
  if (!verdict.possible) return false;
  *match = {first, last, &verdict};
  return true;
}

// Whether reading groups [first, last] needed more than plain formatting.
bool IsObscured(const PhoneRun& run, size_t first, size_t last) {
  int single_digits = 0;
  for (size_t i = first; i <= last; ++i) {
    const DigitGroup& group = run.groups[i];
    if (!group.plain) return true;
    const size_t begin = i == 0 ? 0 : run.groups[i - 1].digits_end;
    if (group.digits_end - begin == 1) ++single_digits;
  }
  return single_digits >= kMinSpacedDigits;
}

// --- Hosts, emails and handles -------------------------------------------

// Returns the end of the dot between two labels of a host name at `pos`:
// a plain '.', or when `allow_obscured`, " . ", "[.]", " dot " or
// "(dot)". Returns kNotFound when there is none.
size_t DotEnd(std::string_view text, size_t pos, bool allow_obscured,
              bool* obscured) {
  *obscured = false;
  if (IsByte(text, pos, '.') && Is(text, pos + 1, kHostChar)) return pos + 1;
  if (!allow_obscured) return kNotFound;

  size_t end = SkipSpaces(text, pos, 2);
  const bool bracketed = IsOpenBracket(text, end);
  if (bracketed) end = SkipSpaces(text, end + 1, 1);
  const bool dot_word = (bracketed || end > pos) &&
                        StartsWithIgnoreCase(text.substr(end), "dot") &&
                        !Is(text, end + 3, kAlpha);
  if (!IsByte(text, end, '.') && !dot_word) return kNotFound;
  end += dot_word ? 3 : 1;

  if (bracketed) {
    end = SkipSpaces(text, end, 1);
    if (!IsCloseBracket(text, end)) return kNotFound;
    ++end;
  }
  end = SkipSpaces(text, end, 2);
  if (!Is(text, end, kHostChar)) return kNotFound;
  *obscured = true;
  return end;
}

// Reads the host name that starts at `pos` into *match, up to its last
// label that can end it: a known top-level domain, or any alphabetic one
// when all dots are plain. Returns false when there is no such label.
bool ReadDomain(std::string_view text, size_t pos, bool allow_obscured,
                DomainMatch* match) {
  std::string& host = match->host;
  host.clear();
  size_t host_size = 0;
  bool obscured = false;
  for (int labels = 1;; ++labels) {
    const size_t label_end = RunEnd(text, pos, kHostChar);
    if (label_end == pos) break;
    const std::string_view label = text.substr(pos, label_end - pos);
    AppendLower(label, &host);

    const bool known = IsKnownTld(label);
    const bool top_level =
        known || (!obscured && label.size() >= 2 && IsAlphabetic(label));
    if (labels >= 2 && top_level) {
      match->end = label_end;
      match->obscured = obscured;
      match->known_tld = known;
      host_size = host.size();
    }

    bool dot_obscured = false;
    pos = DotEnd(text, label_end, allow_obscured, &dot_obscured);
    if (pos == kNotFound) break;
    obscured = obscured || dot_obscured;
    host.push_back('.');
  }
  host.resize(host_size);
  return host_size > 0;
}

// Returns the start of the email local part that ends at `end`.
// TODO: a local part written with "dot" ("jolie dot k at example dot com")
// is read from its last word only, giving "k@example.com".
size_t LocalPartStart(std::string_view text, size_t end) {
  size_t start = end;
  while (start > 0 && Is(text, start - 1, kLocalPart)) --start;
  while (start < end && !Is(text, start, kAlnum)) ++start;
  return start;
}

// Returns the end of the social media handle that starts at `pos`, or
// kNotFound: a letter or '_', then letters, digits, '_' and inner dots,
// at most 30 bytes as on the large platforms.
size_t HandleEnd(std::string_view text, size_t pos) {
  constexpr size_t kMaxHandleBytes = 30;
  if (!Is(text, pos, kAlpha) && !IsByte(text, pos, '_')) return kNotFound;
  size_t end = RunEnd(text, pos, kHandleChar);
  while (text[end - 1] == '.') --end;
  return end - pos <= kMaxHandleBytes ? end : kNotFound;
}

bool IsUrlEnd(char byte) {
  return static_cast<unsigned char>(byte) <= ' ' || byte == '"' ||
         byte == '\'' || byte == '<' || byte == '>';
}

bool IsTrailingPunctuation(char byte) {
  return std::string_view(".,;:!?)]}").find(byte) != std::string_view::npos;
}

// Returns the end of the port and path after a host that ends at `pos`,
// without punctuation that ends the sentence.
size_t PathEnd(std::string_view text, size_t pos) {
  if (IsByte(text, pos, ':') && Is(text, pos + 1, kDigit)) {
    pos = RunEnd(text, pos + 1, kDigit);
  }
  if (!IsByte(text, pos, '/') && !IsByte(text, pos, '?') &&
      !IsByte(text, pos, '#')) {
    return pos;
  }

  size_t end = pos;
  while (end < text.size() && !IsUrlEnd(text[end])) ++end;
  while (end > pos && IsTrailingPunctuation(text[end - 1])) --end;
  return end;
}

// Words that often stand before " at " in prose ("find us at ..."), so
// are not read as the local part of an email written with "at".
// TODO: a real local part that is one of these words ("info at example dot
// com") is missed.
constexpr std::string_view kProseBeforeAt[] = {
    "me",   "us",      "you",   "him",    "her",     "them",
    "it",   "here",    "there", "info",   "online",  "website",
    "site", "page",    "visit", "find",   "located", "available",
    "meet", "contact", "email", "mail",   "reach",   "message",
    "text", "call",    "look",  "arrive", "open",    "see",
};

bool IsProseBeforeAt(std::string_view word) {
  for (std::string_view prose : kProseBeforeAt) {
    if (EqualsIgnoreCase(word, prose)) return true;
  }
  return false;
}

// How the '@' of an email address was written.
enum class AtForm { kPlain, kObscured, kWord };

// --- The scan ---------------------------------------------------------------

// The classes of 64 bytes of text, one bit per byte.
struct BlockMasks {
  uint64_t alnum;
  uint64_t digit;
  // '@', '+' and non-ASCII bytes.
  uint64_t symbol;
};

// One linear pass over a field value. Most bytes are ruled out by one table
// lookup; words, digits, '@', '+' and non-ASCII characters get a closer
// look, and only candidates reach the readers above.
class EntityScanner {
 public:
  EntityScanner(std::string_view text, EntityWorkspace* workspace,
                std::vector<Entity>* out)
      : text_(text),
        workspace_(*workspace),
        out_(*out),
        first_entity_(out->size()) {}

  void Run();

 private:
#if defined(__SSE2__)
  void ScanBlock(size_t block, const BlockMasks& masks, uint64_t triggers);
#endif

  // Each returns where the scan goes on.
  size_t OnSymbol(size_t pos);
  size_t OnToken(size_t start);
  size_t OnTokenRange(size_t start, size_t end, bool has_digit);
  size_t OnWord(size_t start, size_t end);
  size_t OnAt(size_t at);
  size_t OnPlus(size_t plus);
  size_t OnNonAscii(size_t pos);

  // Each returns the end of the entity it found, or kNotFound; ScanPhone
  // returns the end of the digits it looked at when it finds none.
  size_t ScanPhone(size_t begin);
  size_t ScanEmailAt(size_t at);
  size_t ScanEmailAtWord(size_t start, size_t end);
  size_t ScanEmail(size_t local_end, size_t domain_start, AtForm form);
  size_t ScanBareHandle(size_t at);
  size_t ScanPlatformHandle(size_t start, size_t end,
                            std::string_view platform);
  size_t ScanUrl(size_t start, size_t end);

  Entity& Emit(EntityKind kind, size_t start, size_t end, bool obscured);
  void DropEntitiesAfter(size_t pos);

  std::string_view text_;
  EntityWorkspace& workspace_;
  std::vector<Entity>& out_;
  // The entities before this one were there before the scan.
  size_t first_entity_;
  // Where the scan goes on: the end of what was last read.
  size_t resume_ = 0;
};

#if defined(__SSE2__)

// Returns one bit per byte of `bytes` that is in [low, high]. REQUIRES:
// low > 0, so that non-ASCII bytes, negative here, are never in range.
inline uint64_t InRange16(__m128i bytes, char low, char high) {
  const __m128i above = _mm_cmpgt_epi8(bytes, _mm_set1_epi8(low - 1));
  const __m128i below = _mm_cmplt_epi8(bytes, _mm_set1_epi8(high + 1));
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(above, below)));
}

inline uint64_t Equal16(__m128i bytes, char value) {
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(value))));
}

BlockMasks ClassifyBlock(const char* bytes) {
  BlockMasks masks{0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    const __m128i chunk =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * k));
    const __m128i folded = _mm_or_si128(chunk, _mm_set1_epi8(0x20));
    const uint64_t digit = InRange16(chunk, '0', '9');
    const uint64_t letter = InRange16(folded, 'a', 'z');
    const uint64_t symbol = static_cast<uint32_t>(_mm_movemask_epi8(chunk)) |
                            Equal16(chunk, '@') | Equal16(chunk, '+');

    const int shift = 16 * k;
    masks.alnum |= (digit | letter) << shift;
    masks.digit |= digit << shift;
    masks.symbol |= symbol << shift;
  }
  return masks;
}

void EntityScanner::Run() {
  alignas(16) char padded[64];
  uint64_t alnum_before = 0;
  for (size_t block = 0; block < text_.size(); block += 64) {
    const size_t size = std::min<size_t>(64, text_.size() - block);
    const char* bytes = text_.data() + block;
    if (size < 64) {
      // Zero bytes are neither letters, digits nor symbols.
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, bytes, size);
      bytes = padded;
    }

    const BlockMasks masks = ClassifyBlock(bytes);
    const uint64_t token_starts =
        masks.alnum & ~((masks.alnum << 1) | alnum_before);
    alnum_before = masks.alnum >> 63;
    ScanBlock(block, masks, token_starts | masks.symbol);
  }
}

// Looks at each trigger of one block of 64 bytes that starts at `block`,
// but not at those inside what an earlier one has read.
void EntityScanner::ScanBlock(size_t block, const BlockMasks& masks,
                              uint64_t triggers) {
  while (triggers != 0) {
    const int bit = std::countr_zero(triggers);
    triggers &= triggers - 1;
    const size_t pos = block + static_cast<size_t>(bit);
    if (pos < resume_) continue;
    if (((masks.symbol >> bit) & 1) != 0) {
      resume_ = OnSymbol(pos);
      continue;
    }

    const int length = std::countr_zero(~(masks.alnum >> bit));
    if (bit + length >= 64) {
      // The token may go on in the next block.
      resume_ = OnToken(pos);
      continue;
    }
    const uint64_t token_bits = (uint64_t{1} << length) - 1;
    const bool has_digit = ((masks.digit >> bit) & token_bits) != 0;
    resume_ = OnTokenRange(pos, pos + static_cast<size_t>(length), has_digit);
  }
}

#else  // Without SSE2, one byte at a time.

void EntityScanner::Run() {
  size_t pos = 0;
  while (pos < text_.size()) {
    const uint8_t classes =
        kByteClasses[static_cast<unsigned char>(text_[pos])];
    const bool token_start =
        (classes & kAlnum) != 0 && (pos == 0 || !Is(text_, pos - 1, kAlnum));
    if (token_start) {
      pos = OnToken(pos);
    } else if ((classes & kTrigger) != 0 && (classes & kAlnum) == 0) {
      pos = OnSymbol(pos);
    } else {
      ++pos;
    }
  }
}

#endif  // __SSE2__

size_t EntityScanner::OnSymbol(size_t pos) {
  if (text_[pos] == '@') return OnAt(pos);
  if (text_[pos] == '+') return OnPlus(pos);
  return OnNonAscii(pos);
}

// A token is a run of ASCII letters and digits.
size_t EntityScanner::OnToken(size_t start) {
  size_t end = start;
  uint8_t classes = 0;
  while (end < text_.size()) {
    const uint8_t byte_classes =
        kByteClasses[static_cast<unsigned char>(text_[end])];
    if ((byte_classes & kAlnum) == 0) break;
    classes |= byte_classes;
    ++end;
  }
  return OnTokenRange(start, end, (classes & kDigit) != 0);
}

// TODO: a token with a digit is only read as a phone number, so host names
// that start with one ("web2.example.com") are missed, as are host names
// with non-ASCII letters.
inline size_t EntityScanner::OnTokenRange(size_t start, size_t end,
                                          bool has_digit) {
  if (has_digit) return std::max(end, ScanPhone(start));
  // Most words are neither keywords nor followed by a host name.
  const bool host_next = IsByte(text_, end, '.') && Is(text_, end + 1, kAlnum);
  if (!host_next && !MayBeKeyword(text_.substr(start, end - start))) {
    return end;
  }
  return OnWord(start, end);
}

size_t EntityScanner::OnWord(size_t start, size_t end) {
  const Keyword* keyword = FindKeyword(text_.substr(start, end - start));
  size_t found = kNotFound;
  if (keyword != nullptr) {
    switch (keyword->kind) {
      case WordKind::kSpelledDigit:
        return std::max(end, ScanPhone(start));
      case WordKind::kAt:
        found = ScanEmailAtWord(start, end);
        break;
      case WordKind::kScheme:
        found = ScanUrl(start, end);
        break;
      case WordKind::kPlatform:
        found = ScanPlatformHandle(start, end, keyword->platform);
        break;
      case WordKind::kNone:
        break;
    }
  }

  if (found == kNotFound && IsByte(text_, end, '.') &&
      Is(text_, end + 1, kAlnum)) {
    found = ScanUrl(start, end);
  }
  return found != kNotFound ? found : end;
}

size_t EntityScanner::OnAt(size_t at) {
  size_t found = ScanEmailAt(at);
  if (found == kNotFound) found = ScanBareHandle(at);
  return found != kNotFound ? found : at + 1;
}

size_t EntityScanner::OnPlus(size_t plus) {
  char digit = 0;
  const bool digit_next = Is(text_, plus + 1, kDigit) ||
                          UnicodeDigitAt(text_, plus + 1, &digit) != 0;
  if (!digit_next || (plus > 0 && Is(text_, plus - 1, kAlnum))) {
    return plus + 1;
  }
  return std::max(plus + 1, ScanPhone(plus));
}

size_t EntityScanner::OnNonAscii(size_t pos) {
  char32_t code_point = 0;
  const size_t length = DecodeUtf8(text_, pos, &code_point);
  if (UnicodeDigit(code_point) == 0 ||
      (pos > 0 && Is(text_, pos - 1, kAlnum))) {
    return pos + length;
  }
  return std::max(pos + length, ScanPhone(pos));
}

size_t EntityScanner::ScanPhone(size_t begin) {
  PhoneRun& run = workspace_.run;
  if (!PhoneRunReader(text_, &run).Read(begin)) return begin + 1;
  PhoneMatch match;
  if (!PhoneChooser(text_, run, &workspace_).Choose(&match)) {
    return run.groups.back().end;
  }

  size_t start = run.groups[match.first].start;
  if (run.plus && match.first == 0) {
    start = begin;
  } else if (start > 0 && text_[start - 1] == '(') {
    --start;
  }
  const size_t end = run.groups[match.last].end;
  Entity& entity = Emit(EntityKind::kPhone, start, end,
                        IsObscured(run, match.first, match.last));
  entity.value = match.verdict->e164;
  return end;
}

// An '@', also spaced (" @ ") or bracketed ("[@]").
size_t EntityScanner::ScanEmailAt(size_t at) {
  const bool bracketed =
      at > 0 && IsOpenBracket(text_, at - 1) && IsCloseBracket(text_, at + 1);
  const size_t before = bracketed ? at - 1 : at;
  const size_t after = bracketed ? at + 2 : at + 1;
  const size_t local_end = SkipSpacesBackward(text_, before, 2);
  const size_t domain_start = SkipSpaces(text_, after, 2);

  const bool spaced = local_end != before;
  if (spaced != (domain_start != after)) return kNotFound;
  return ScanEmail(local_end, domain_start,
                   bracketed || spaced ? AtForm::kObscured : AtForm::kPlain);
}

// The word "at" at [start, end): " at ", "[at]", "(at)", " AT ".
size_t EntityScanner::ScanEmailAtWord(size_t start, size_t end) {
  const bool bracketed = start > 0 && IsOpenBracket(text_, start - 1) &&
                         IsCloseBracket(text_, end);
  const size_t before = bracketed ? start - 1 : start;
  const size_t after = bracketed ? end + 1 : end;
  const size_t local_end = SkipSpacesBackward(text_, before, 2);
  const size_t domain_start = SkipSpaces(text_, after, 2);

  if (!bracketed && (local_end == before || domain_start == after)) {
    return kNotFound;
  }
  return ScanEmail(local_end, domain_start,
                   bracketed ? AtForm::kObscured : AtForm::kWord);
}

size_t EntityScanner::ScanEmail(size_t local_end, size_t domain_start,
                                AtForm form) {
  const size_t local_start = LocalPartStart(text_, local_end);
  const std::string_view local =
      text_.substr(local_start, local_end - local_start);
  if (local.empty()) return kNotFound;
  if (form == AtForm::kWord && IsProseBeforeAt(local)) return kNotFound;

  DomainMatch& domain = workspace_.domain;
  if (!ReadDomain(text_, domain_start, true, &domain)) return kNotFound;
  const bool obscured = form != AtForm::kPlain || domain.obscured;
  if (obscured && !domain.known_tld) return kNotFound;
  // Written " at " with plain dots is too often prose: "meet at 9.30".
  if (form == AtForm::kWord && !domain.obscured) return kNotFound;

  DropEntitiesAfter(local_start);
  Entity& entity = Emit(EntityKind::kEmail, local_start, domain.end, obscured);
  AppendLower(local, &entity.value);
  entity.value.push_back('@');
  entity.value += domain.host;
  return domain.end;
}

// "@name" that is not part of an email address.
size_t EntityScanner::ScanBareHandle(size_t at) {
  if (at > 0 && Is(text_, at - 1, kLocalPart)) return kNotFound;
  const size_t end = HandleEnd(text_, at + 1);
  if (end == kNotFound) return kNotFound;

  Entity& entity = Emit(EntityKind::kHandle, at, end, false);
  entity.value.push_back('@');
  AppendLower(text_.substr(at + 1, end - at - 1), &entity.value);
  return end;
}

// A platform name, then ':', '-', '=' or '@', then the handle:
// "IG: name", "telegram @name".
// TODO: a handle written right after the platform name ("instagram
// jolie.k") is missed; requiring the mark keeps prose ("instagram is ...")
// from being read as handles.
size_t EntityScanner::ScanPlatformHandle(size_t start, size_t end,
                                         std::string_view platform) {
  size_t pos = SkipSpaces(text_, end, 2);
  bool marked = false;
  if (IsByte(text_, pos, ':') || IsByte(text_, pos, '-') ||
      IsByte(text_, pos, '=')) {
    marked = true;
    pos = SkipSpaces(text_, pos + 1, 2);
  }
  if (IsByte(text_, pos, '@')) {
    marked = true;
    ++pos;
  }

  const size_t handle_end = marked ? HandleEnd(text_, pos) : kNotFound;
  if (handle_end == kNotFound) return kNotFound;
  const std::string_view handle = text_.substr(pos, handle_end - pos);
  // "whatsapp: nine one five ..." is a phone number.
  if (FindKeyword(handle) != nullptr) return kNotFound;

  Entity& entity = Emit(EntityKind::kHandle, start, handle_end, false);
  entity.value.assign(platform);
  entity.value.push_back(':');
  AppendLower(handle, &entity.value);
  return handle_end;
}

// A host name at the word [start, end), or after it when it is "http" or
// "https" and "://" follows.
size_t EntityScanner::ScanUrl(size_t start, size_t end) {
  const bool scheme =
      text_.substr(end, 3) == "://" &&
      (EqualsIgnoreCase(text_.substr(start, end - start), "http") ||
       EqualsIgnoreCase(text_.substr(start, end - start), "https"));
  DomainMatch& domain = workspace_.domain;
  if (!ReadDomain(text_, scheme ? end + 3 : start, false, &domain)) {
    return kNotFound;
  }

  const bool www = domain.host.starts_with("www.");
  const std::string_view host =
      std::string_view(domain.host).substr(www ? 4 : 0);
  if (!domain.known_tld && !scheme && !www) return kNotFound;
  if (host.find('.') == std::string_view::npos) return kNotFound;
  // The local part of an email address, read at its '@'.
  if (IsByte(text_, domain.end, '@')) return kNotFound;

  const size_t url_end = PathEnd(text_, domain.end);
  Entity& entity = Emit(EntityKind::kUrl, start, url_end, false);
  entity.value.assign(host);
  return url_end;
}

Entity& EntityScanner::Emit(EntityKind kind, size_t start, size_t end,
                            bool obscured) {
  Entity& entity = out_.emplace_back();
  entity.kind = kind;
  entity.span = {start, end};
  entity.obscured = obscured;
  return entity;
}

// Drops the entities of this scan that end after `pos`: they were read
// inside what turned out to be an email address.
void EntityScanner::DropEntitiesAfter(size_t pos) {
  while (out_.size() > first_entity_ && out_.back().span.end > pos) {
    out_.pop_back();
  }
}

}  // namespace

EntityExtractor::EntityExtractor(EntityOptions options)
    : workspace_(
          std::make_unique<EntityWorkspace>(std::move(options.phone_region))) {}

EntityExtractor::~EntityExtractor() = default;
EntityExtractor::EntityExtractor(EntityExtractor&&) noexcept = default;
EntityExtractor& EntityExtractor::operator=(EntityExtractor&&) noexcept =
    default;

void EntityExtractor::Extract(std::string_view text, std::vector<Entity>* out) {
  EntityScanner(text, workspace_.get(), out).Run();
}

bool IsKnownPhoneRegion(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.count(std::string(region)) > 0;
}

}  // namespace adflag

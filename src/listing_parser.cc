#include "adflag/listing_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adflag/diagnostic.h"

namespace adflag {

namespace {

namespace dom = simdjson::dom;

constexpr int kMaxDepth = 1024;
constexpr std::string_view kTooDeep =
    "JSON nested too deeply (more than 1024 levels)";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr std::string_view kUnpaired = "unpaired surrogate in string";
constexpr std::string_view kTruncated =
    "unexpected end of line (truncated JSON)";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kInnerByteOrderMark =
    "byte-order mark inside the file (only line 1 may start with one)";
constexpr std::string_view kAfterCr =
    "content after a CR: lines must end in LF or CRLF, not CR alone";
constexpr std::string_view kNotJson =
    "not JSON (each line must hold one JSON object)";

// Returns the 1-based column of byte `offset`, clamped to fit an int.
int Column(size_t offset) {
  return static_cast<int>(std::min<size_t>(offset + 1, INT_MAX));
}

// The bytes that may follow a UTF-8 lead byte: how many, and the range of
// the first one (the others are 80..BF), per Unicode table 3-7.
struct Utf8Lead {
  int continuations;
  unsigned char low;
  unsigned char high;
};

Utf8Lead LeadOf(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {1, 0x80, 0xBF};
  if (lead == 0xE0) return {2, 0xA0, 0xBF};
  if (lead == 0xED) return {2, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {2, 0x80, 0xBF};
  if (lead == 0xF0) return {3, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {3, 0x80, 0xBF};
  if (lead == 0xF4) return {3, 0x80, 0x8F};
  return {-1, 0, 0};
}

// Returns the length of the UTF-8 sequence at text[pos] and sets *valid.
// An invalid sequence's length is that of its maximal subpart: the longest
// start of a valid sequence, or 1 byte.
size_t MeasureUtf8(std::string_view text, size_t pos, bool* valid) {
  auto lead = static_cast<unsigned char>(text[pos]);
  *valid = lead < 0x80;
  if (lead < 0x80) return 1;

  Utf8Lead expected = LeadOf(lead);
  unsigned char low = expected.low;
  unsigned char high = expected.high;
  size_t length = 1;
  for (int i = 0; i < expected.continuations; ++i) {
    if (pos + length == text.size()) return length;
    auto byte = static_cast<unsigned char>(text[pos + length]);
    if (byte < low || byte > high) return length;
    ++length;
    low = 0x80;
    high = 0xBF;
  }
  *valid = expected.continuations > 0;
  return length;
}

// Returns the offset of the first byte of invalid UTF-8, or npos.
size_t FirstInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    bool valid;
    size_t length = MeasureUtf8(text, pos, &valid);
    if (!valid) return pos;
    pos += length;
  }
  return std::string_view::npos;
}

// Copies `text` to *out with each maximal invalid subpart replaced by
// U+FFFD, as the Unicode standard recommends.
void RepairUtf8(std::string_view text, std::string* out) {
  out->clear();
  size_t run_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    bool valid;
    size_t length = MeasureUtf8(text, pos, &valid);
    if (!valid) {
      out->append(text, run_start, pos - run_start);
      out->append(kReplacement);
      run_start = pos + length;
    }
    pos += length;
  }
  out->append(text, run_start);
}

// Reads the four hex digits at `pos`, or returns -1.
int HexUnitAt(std::string_view text, size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int unit = 0;
  for (char c : text.substr(pos, 4)) {
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool IsSurrogate(int unit) { return unit >= 0xD800 && unit <= 0xDFFF; }

// Length of the escape at `pos` (a backslash inside a string): 12 for a
// surrogate pair, 6 for any other \u escape, 2 otherwise. Sets *lone when
// it is a surrogate without its other half.
size_t MeasureEscape(std::string_view text, size_t pos, bool* lone) {
  *lone = false;
  if (pos + 1 >= text.size() || text[pos + 1] != 'u') return 2;
  const int unit = HexUnitAt(text, pos + 2);
  if (!IsSurrogate(unit)) return 6;
  if (unit <= 0xDBFF && text.substr(pos + 6, 2) == "\\u") {
    const int low = HexUnitAt(text, pos + 8);
    if (low >= 0xDC00 && low <= 0xDFFF) return 12;
  }
  *lone = true;
  return 6;
}

// Copies `line` to *out with every \u escape of a lone UTF-16 surrogate
// (half an emoji cut by another tool) replaced by \ufffd, which is as
// long, so columns stay. Returns false, leaving *out alone, when there is
// none.
bool RepairLoneSurrogates(std::string_view line, std::string* out) {
  bool found = false;
  bool in_string = false;
  for (size_t pos = 0; pos < line.size();) {
    const char c = line[pos];
    if (c == '"') in_string = !in_string;
    if (!in_string || c != '\\') {
      ++pos;
      continue;
    }
    bool lone = false;
    const size_t length = MeasureEscape(line, pos, &lone);
    if (lone) {
      if (!found) out->assign(line);
      found = true;
      out->replace(pos + 2, 4, "fffd");
    }
    pos += length;
  }
  return found;
}

// Names a byte that cannot start or continue a JSON token.
std::string InvalidCharacter(char c) {
  if (c > ' ' && c < 0x7f) return std::string("invalid character '") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  auto byte = static_cast<unsigned char>(c);
  return std::string("invalid byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLowSurrogate(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Finds the first syntax error in a line meant to hold one JSON value, to
// tell where a line that simdjson rejected goes wrong (simdjson does not
// report positions). Bytes of 0x80 and up pass inside strings: UTF-8 is
// checked separately.
class SyntaxScanner {
 public:
  explicit SyntaxScanner(std::string_view text) : text_(text) {}

  // Returns true and fills *reason when the text is not one JSON value.
  bool FindError(RejectReason* reason);

 private:
  bool Value(int depth);
  bool Object(int depth);
  bool Array(int depth);
  bool String();
  bool Escape();
  bool HexUnit(int* unit);
  bool Number();
  bool Literal(std::string_view word);

  bool AtEnd() const { return pos_ >= text_.size(); }
  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Digits() {
    size_t start = pos_;
    while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    return pos_ > start;
  }
  void SkipSpace() {
    while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                        text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  // Records `message` at the current byte, or truncation at the end.
  bool Fail(std::string_view message) { return FailAt(pos_, message); }
  bool FailAt(size_t offset, std::string_view message) {
    error_.message = AtEnd() ? kTruncated : message;
    error_.column = Column(AtEnd() ? pos_ : offset);
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  RejectReason error_;
};

bool SyntaxScanner::FindError(RejectReason* reason) {
  SkipSpace();
  if (AtEnd()) {
    *reason = {"empty line", 0};
    return true;
  }
  // Line 1 loses its mark before parsing: this line followed another.
  if (text_.substr(pos_).starts_with(kByteOrderMark)) {
    *reason = {std::string(kInnerByteOrderMark), Column(pos_)};
    return true;
  }

  // A line that does not even start like an object or an array is not
  // JSON gone wrong but something else, such as a line of plain text.
  size_t start = pos_;
  bool is_object = text_[pos_] == '{';
  bool is_container = is_object || text_[pos_] == '[';
  if (!Value(0)) {
    *reason = is_container ? std::move(error_)
                           : RejectReason{std::string(kNotJson), Column(start)};
    return true;
  }

  const size_t end = pos_;
  SkipSpace();
  if (AtEnd()) return false;
  // A CR before more content: a file whose lines end in CR alone.
  const bool after_cr =
      text_.substr(end, pos_ - end).find('\r') != std::string_view::npos;
  *reason = {after_cr    ? std::string(kAfterCr)
             : is_object ? "trailing content after the object"
                         : "trailing content after the value",
             Column(pos_)};
  return true;
}

bool SyntaxScanner::Value(int depth) {
  SkipSpace();
  if (AtEnd()) return Fail(kTruncated);
  char c = text_[pos_];
  switch (c) {
    case '{':
      return Object(depth + 1);
    case '[':
      return Array(depth + 1);
    case '"':
      return String();
    case 't':
      return Literal("true");
    case 'f':
      return Literal("false");
    case 'n':
      return Literal("null");
    default:
      if (c == '-' || IsDigit(c)) return Number();
      return Fail(InvalidCharacter(c));
  }
}

bool SyntaxScanner::Object(int depth) {
  if (depth > kMaxDepth) return Fail(kTooDeep);
  ++pos_;
  SkipSpace();
  if (Consume('}')) return true;
  while (true) {
    SkipSpace();
    if (AtEnd() || text_[pos_] != '"') return Fail("expected a quoted key");
    if (!String()) return false;
    SkipSpace();
    if (!Consume(':')) return Fail("expected ':'");
    if (!Value(depth)) return false;
    SkipSpace();
    if (Consume('}')) return true;
    if (!Consume(',')) return Fail("expected ',' or '}'");
  }
}

bool SyntaxScanner::Array(int depth) {
  if (depth > kMaxDepth) return Fail(kTooDeep);
  ++pos_;
  SkipSpace();
  if (Consume(']')) return true;
  while (true) {
    if (!Value(depth)) return false;
    SkipSpace();
    if (Consume(']')) return true;
    if (!Consume(',')) return Fail("expected ',' or ']'");
  }
}

bool SyntaxScanner::String() {
  ++pos_;
  while (!AtEnd()) {
    auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c < 0x20) return Fail("control character in string");
    if (c == '\\') {
      if (!Escape()) return false;
    } else {
      ++pos_;
    }
  }
  return Fail(kTruncated);
}

// Checks the escape at the current backslash. Surrogates must pair up, as
// simdjson requires.
bool SyntaxScanner::Escape() {
  size_t start = pos_++;
  if (AtEnd()) return Fail(kTruncated);
  if (std::string_view("\"\\/bfnrt").find(text_[pos_]) !=
      std::string_view::npos) {
    ++pos_;
    return true;
  }
  if (!Consume('u')) return Fail("invalid escape in string");

  int unit;
  if (!HexUnit(&unit)) return false;
  if (IsLowSurrogate(unit)) return FailAt(start, kUnpaired);
  if (unit < 0xD800 || unit > 0xDBFF) return true;

  if (!Consume('\\') || !Consume('u')) return FailAt(start, kUnpaired);
  if (!HexUnit(&unit)) return false;
  if (!IsLowSurrogate(unit)) return FailAt(start, kUnpaired);
  return true;
}

// Reads the four hex digits of a \u escape into *unit.
bool SyntaxScanner::HexUnit(int* unit) {
  *unit = 0;
  for (int i = 0; i < 4; ++i, ++pos_) {
    if (AtEnd() || !IsHexDigit(text_[pos_])) {
      return Fail("invalid \\u escape in string");
    }
    char c = text_[pos_];
    *unit = *unit * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return true;
}

bool SyntaxScanner::Number() {
  Consume('-');
  if (!Consume('0') && !Digits()) return Fail("invalid number");
  if (Consume('.') && !Digits()) return Fail("invalid number");
  if (Consume('e') || Consume('E')) {
    if (!Consume('+')) Consume('-');
    if (!Digits()) return Fail("invalid number");
  }
  return true;
}

bool SyntaxScanner::Literal(std::string_view word) {
  for (char expected : word) {
    if (AtEnd()) return Fail(kTruncated);
    if (text_[pos_] != expected) return Fail(InvalidCharacter(text_[pos_]));
    ++pos_;
  }
  return true;
}

// Explains why simdjson rejected `line`: the first syntax error, or
// failing that the kind of error simdjson found.
//
// TODO: numbers out of range are only found by simdjson, so they get no
// column.
RejectReason Diagnose(std::string_view line, simdjson::error_code error) {
  RejectReason reason;
  if (SyntaxScanner(line).FindError(&reason)) return reason;

  switch (error) {
    case simdjson::NUMBER_ERROR:
      return {"number out of range", 0};
    case simdjson::STRING_ERROR:
      return {"invalid escape in string", 0};
    case simdjson::DEPTH_ERROR:
      return {std::string(kTooDeep), 0};
    case simdjson::CAPACITY:
      return {"line too long to parse", 0};
    case simdjson::MEMALLOC:
      return {"out of memory", 0};
    default:
      return {"invalid JSON", 0};
  }
}

// Names the JSON type of a root that is not an object.
std::string NotAnObject(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "not a JSON object (found an array)";
    case dom::element_type::STRING:
      return "not a JSON object (found a string)";
    case dom::element_type::BOOL:
      return "not a JSON object (found a boolean)";
    case dom::element_type::NULL_VALUE:
      return "not a JSON object (found null)";
    default:
      return "not a JSON object (found a number)";
  }
}

bool IsScalar(dom::element element) {
  dom::element_type type = element.type();
  return type != dom::element_type::ARRAY &&
         type != dom::element_type::OBJECT &&
         type != dom::element_type::NULL_VALUE;
}

template <typename Integer>
void AssignInteger(Integer value, std::string* out) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  out->assign(digits, end - digits);
}

// Sets *out to a string's value or a number's or boolean's JSON text.
void AssignScalar(dom::element element, std::string* out) {
  switch (element.type()) {
    case dom::element_type::STRING:
      out->assign(element.get_string().value_unsafe());
      break;
    case dom::element_type::INT64:
      AssignInteger(element.get_int64().value_unsafe(), out);
      break;
    case dom::element_type::UINT64:
      AssignInteger(element.get_uint64().value_unsafe(), out);
      break;
    case dom::element_type::BOOL:
      out->assign(element.get_bool().value_unsafe() ? "true" : "false");
      break;
    default:
      *out = simdjson::minify(element);
      break;
  }
}

// Appends the value of `element` to values[0, *count), reusing a string
// left there by an earlier listing.
void AddValue(dom::element element, int index, std::vector<FieldValue>* values,
              size_t* count) {
  if (*count == values->size()) values->emplace_back();
  FieldValue& value = (*values)[(*count)++];
  value.index = index;
  AssignScalar(element, &value.text);
}

// Where a field lies in a listing: its JSON pointer and, for a top-level
// name (the usual case), the name, found without reading the pointer.
struct FieldPath {
  explicit FieldPath(std::string json_pointer)
      : pointer(std::move(json_pointer)) {
    const bool top_level = pointer.starts_with('/') &&
                           pointer.find_first_of("/~", 1) == std::string::npos;
    if (top_level) name = pointer.substr(1);
  }

  // Finds the field in `root`, an object.
  simdjson::error_code Find(dom::element root, dom::element* field) const {
    if (!name) return root.at_pointer(pointer).get(*field);
    return dom::object(root.get_object().value_unsafe())
        .at_key(*name)
        .get(*field);
  }

  std::string pointer;
  std::optional<std::string> name;
};

// Sets *values to the strings of the field at `path`.
void CollectValues(dom::element root, const FieldPath& path,
                   std::vector<FieldValue>* values) {
  size_t count = 0;
  dom::element field;
  if (path.Find(root, &field) == simdjson::SUCCESS) {
    dom::array items;
    if (field.get(items) == simdjson::SUCCESS) {
      int index = 0;
      for (dom::element item : items) {
        if (IsScalar(item)) AddValue(item, index, values, &count);
        ++index;
      }
    } else if (IsScalar(field)) {
      AddValue(field, -1, values, &count);
    }
  }
  values->resize(count);
}

}  // namespace

std::string FieldPointer(const std::string& field) {
  if (field.starts_with('/')) return field;
  std::string pointer = "/";
  for (char c : field) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
  return pointer;
}

bool IsValidPointer(std::string_view pointer) {
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] != '~') continue;
    if (i + 1 == pointer.size()) return false;
    if (pointer[i + 1] != '0' && pointer[i + 1] != '1') return false;
  }
  return true;
}

struct ListingParser::Impl {
  explicit Impl(ListingFields listing_fields);

  bool Parse(std::string_view line, bool padded, Listing* listing,
             RejectReason* reason);
  bool ParseDocument(std::string_view line, bool padded, dom::element* root,
                     bool* repaired, RejectReason* reason);
  void Extract(dom::element root, Listing* listing) const;
  void ExtractTexts(dom::element root, size_t from, size_t to,
                    Listing* listing) const;

  ListingFields fields;
  FieldPath id_path;
  std::vector<FieldPath> text_paths;
  std::vector<FieldPath> included_paths;
  dom::parser parser;
  // The root of the last line parsed, for ReadLateFields.
  dom::element last_root;
  // The last line whose UTF-8 needed repair.
  std::string repaired_line;
  // The last line whose lone surrogate escapes were replaced.
  std::string surrogate_line;
};

ListingParser::Impl::Impl(ListingFields listing_fields)
    : fields(std::move(listing_fields)),
      id_path(FieldPointer(fields.id_field)) {
  for (const std::string& field : fields.text_fields) {
    text_paths.emplace_back(FieldPointer(field));
  }
  for (const std::string& field : fields.included_fields) {
    included_paths.emplace_back(FieldPointer(field));
  }
}

bool ListingParser::Impl::Parse(std::string_view line, bool padded,
                                Listing* listing, RejectReason* reason) {
  dom::element root;
  bool repaired = false;
  if (!ParseDocument(line, padded, &root, &repaired, reason)) return false;

  if (!root.is_object()) {
    size_t start = line.find_first_not_of(" \t\n\r");
    *reason = {NotAnObject(root.type()), Column(start)};
    return false;
  }

  listing->repaired = repaired;
  last_root = root;
  Extract(root, listing);
  return true;
}

// A padded line is parsed where it lies; any other is copied first.
bool ListingParser::Impl::ParseDocument(std::string_view line, bool padded,
                                        dom::element* root, bool* repaired,
                                        RejectReason* reason) {
  simdjson::error_code error =
      parser.parse(line.data(), line.size(), !padded).get(*root);
  if (error == simdjson::SUCCESS) return true;

  // A lone surrogate escape is repaired like invalid UTF-8, or rejected
  // in strict mode (by the syntax scan below).
  if (!fields.strict_utf8 && RepairLoneSurrogates(line, &surrogate_line)) {
    *repaired = true;
    line = surrogate_line;
    error = parser.parse(line.data(), line.size()).get(*root);
    if (error == simdjson::SUCCESS) return true;
  }
  if (error != simdjson::UTF8_ERROR) {
    *reason = Diagnose(line, error);
    return false;
  }

  // simdjson checks the encoding first, so the syntax may be broken too.
  if (SyntaxScanner(line).FindError(reason)) return false;
  if (fields.strict_utf8) {
    *reason = {"invalid UTF-8", Column(FirstInvalidUtf8(line))};
    return false;
  }

  RepairUtf8(line, &repaired_line);
  *repaired = true;
  error = parser.parse(repaired_line.data(), repaired_line.size()).get(*root);
  if (error == simdjson::SUCCESS) return true;
  *reason = Diagnose(repaired_line, error);
  return false;
}

void ListingParser::Impl::Extract(dom::element root, Listing* listing) const {
  dom::element id;
  listing->has_id = false;
  listing->id.clear();
  if (id_path.Find(root, &id) == simdjson::SUCCESS && !id.is_bool() &&
      IsScalar(id)) {
    AssignScalar(id, &listing->id);
    listing->has_id = true;
  }

  listing->values.resize(text_paths.size());
  const size_t late = std::min(fields.first_late_field, text_paths.size());
  ExtractTexts(root, 0, late, listing);
  for (size_t i = late; i < text_paths.size(); ++i) {
    listing->values[i].clear();
  }

  listing->included.resize(included_paths.size());
  for (size_t i = 0; i < included_paths.size(); ++i) {
    dom::element field;
    if (included_paths[i].Find(root, &field) == simdjson::SUCCESS) {
      listing->included[i] = simdjson::minify(field);
    } else {
      listing->included[i].reset();
    }
  }
}

ListingParser::ListingParser(ListingFields fields)
    : impl_(std::make_unique<Impl>(std::move(fields))) {}

ListingParser::~ListingParser() = default;

void ListingParser::Impl::ExtractTexts(dom::element root, size_t from,
                                       size_t to, Listing* listing) const {
  for (size_t i = from; i < to; ++i) {
    CollectValues(root, text_paths[i], &listing->values[i]);
  }
}

bool ListingParser::Parse(std::string_view line, Listing* listing,
                          RejectReason* reason) {
  return impl_->Parse(line, /*padded=*/false, listing, reason);
}

bool ListingParser::ParsePadded(std::string_view line, Listing* listing,
                                RejectReason* reason) {
  static_assert(kPadding >= simdjson::SIMDJSON_PADDING);
  return impl_->Parse(line, /*padded=*/true, listing, reason);
}

void ListingParser::ReadLateFields(Listing* listing) {
  const size_t count = impl_->text_paths.size();
  const size_t late = std::min(impl_->fields.first_late_field, count);
  impl_->ExtractTexts(impl_->last_root, late, count, listing);
}

RejectReason TooLongReason(uint64_t max_line_bytes) {
  return {"line is longer than --max-line-bytes (" +
              std::to_string(max_line_bytes) + " bytes)",
          0};
}

std::string RejectNote(const std::string& source, uint64_t line,
                       const RejectReason& reason) {
  return FormatLinePlace(source, line, reason.column) +
         ": rejected line: " + reason.message;
}

}  // namespace adflag

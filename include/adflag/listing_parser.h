// The listing parser reads one line of input as a JSON object and pulls
// out what the rules and the output need: the listing id, the text of the
// fields that rules match, and the raw JSON of the fields that are copied
// through to the output (--include).
//
// Fields are named by JSON pointer ("/contact/phone") or by top-level name
// ("body"). Strings are taken as they are, numbers and booleans as their
// JSON text, arrays of those element by element; objects, nulls and
// missing fields yield nothing.
//
// Invalid UTF-8 inside a string is repaired (each bad sequence becomes
// U+FFFD) and the listing is marked repaired, unless strict UTF-8 was
// asked for, in which case the line is rejected.
//
// A ListingParser keeps parse buffers between calls: one per thread.

#ifndef ADFLAG_LISTING_PARSER_H_
#define ADFLAG_LISTING_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {

// One string taken from a field. `index` is the position in the array for
// a field that holds an array, and -1 otherwise.
struct FieldValue {
  std::string text;
  int index = -1;
};

// What the parser took from one line.
struct Listing {
  // The id from the id field, or empty when has_id is false.
  std::string id;
  bool has_id = false;
  // values[i] holds the strings of the parser's i-th field, in order.
  std::vector<std::vector<FieldValue>> values;
  // included[i] holds the minified JSON of the i-th included field, or
  // nothing when the listing lacks it.
  std::vector<std::optional<std::string>> included;
  // True when invalid UTF-8 was replaced by U+FFFD.
  bool repaired = false;
};

// Why a line was rejected, and where in the line (1-based byte column,
// 0 when the problem concerns the whole line).
struct RejectReason {
  std::string message;
  int column = 0;
};

// Returns the reason for a line longer than `max_line_bytes`, the limit
// that --max-line-bytes sets.
RejectReason TooLongReason(uint64_t max_line_bytes);

// Returns the note that names a rejected line on stderr:
// "SOURCE:LINE:COL: rejected line: reason", without the column when it is
// unknown. It never holds the text of the line.
std::string RejectNote(const std::string& source, uint64_t line,
                       const RejectReason& reason);

// What to take from each listing.
struct ListingFields {
  // JSON pointer or top-level name of the listing id.
  std::string id_field = "/id";
  // Fields whose strings rules match, in the order Listing::values uses.
  std::vector<std::string> text_fields;
  // Fields copied through to the output, in the order Listing::included
  // uses.
  std::vector<std::string> included_fields;
  // Reject lines with invalid UTF-8 instead of repairing them.
  bool strict_utf8 = false;
  // Text fields from this index on are read only when asked for
  // (ListingParser::ReadLateFields): fields that only some listings need,
  // such as those entities are read from for the listings written.
  size_t first_late_field = SIZE_MAX;
};

// Returns the JSON pointer for a field name: names that start with "/" are
// pointers already; others are top-level names, escaped as RFC 6901 says.
std::string FieldPointer(const std::string& field);

// Returns true when `pointer` is a syntactically valid JSON pointer.
bool IsValidPointer(std::string_view pointer);

// Parses listings, one line at a time.
class ListingParser {
 public:
  explicit ListingParser(ListingFields fields);
  ~ListingParser();
  ListingParser(const ListingParser&) = delete;
  ListingParser& operator=(const ListingParser&) = delete;

  // Parses `line` into *listing. Returns false and fills *reason when the
  // line is not a single JSON object (truncated, malformed, another JSON
  // type, trailing content) or, in strict mode, is not valid UTF-8.
  bool Parse(std::string_view line, Listing* listing, RejectReason* reason);

  // The readable bytes ParsePadded needs after the end of a line.
  static constexpr size_t kPadding = 64;

  // As Parse, for a line followed in memory by at least kPadding readable
  // bytes (of any value), which spares a copy of the line.
  bool ParsePadded(std::string_view line, Listing* listing,
                   RejectReason* reason);

  // Reads the late text fields (ListingFields::first_late_field on) of the
  // line the last call to Parse accepted into *listing. REQUIRES: that
  // call returned true, with the same *listing.
  void ReadLateFields(Listing* listing);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace adflag

#endif  // ADFLAG_LISTING_PARSER_H_

// Hand-written JSON output: the pieces the flag writer and the link
// summary put together, faster than building a DOM for every record.

#ifndef ADFLAG_SRC_JSON_TEXT_H_
#define ADFLAG_SRC_JSON_TEXT_H_

#include <charconv>
#include <string>
#include <string_view>

namespace adflag {

// Appends `text` as a JSON string. REQUIRES: `text` is valid UTF-8 (the
// listing parser repairs input), so only quotes, backslashes and control
// characters need escaping.
void AppendJsonString(std::string_view text, std::string* out);

// Appends `"key":`.
void AppendJsonKey(std::string_view key, std::string* out);

// Appends a number in its shortest form that reads back the same.
template <typename Number>
void AppendJsonNumber(Number value, std::string* out) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, result.ptr);
}

}  // namespace adflag

#endif  // ADFLAG_SRC_JSON_TEXT_H_

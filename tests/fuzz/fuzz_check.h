// Helpers shared by the libFuzzer harnesses: a check that stops the fuzzer
// with a message when an invariant fails, and UTF-8 helpers to state the
// invariants of offsets.
#ifndef ADFLAG_TESTS_FUZZ_FUZZ_CHECK_H_
#define ADFLAG_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace adflag::fuzz {

// Stops the run with `message` when `condition` is false: libFuzzer saves
// the input that did it as a crash.
inline void Check(bool condition, const char* message) {
  if (condition) return;
  std::fprintf(stderr, "invariant failed: %s\n", message);
  std::abort();
}

// Returns true when byte `pos` of `text` starts a character (or is the
// end): it is not a UTF-8 continuation byte.
inline bool IsCharBoundary(std::string_view text, size_t pos) {
  if (pos == 0 || pos == text.size()) return true;
  if (pos > text.size()) return false;
  return (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80;
}

// Returns the length of the valid UTF-8 character at `pos`, or 0 when the
// bytes there are not one (overlong forms and surrogates included).
inline size_t ValidCharLength(std::string_view text, size_t pos) {
  auto at = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = at(pos);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((at(pos + i) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = at(pos + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;
  if (lead == 0xED && second > 0x9F) return 0;
  if (lead == 0xF0 && second < 0x90) return 0;
  if (lead == 0xF4 && second > 0x8F) return 0;
  return length;
}

// Returns true when `text` is valid UTF-8.
inline bool IsValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    size_t length = ValidCharLength(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

// Returns `text` with every byte that does not start a valid character
// replaced by '?', so any input becomes a valid UTF-8 field value.
inline std::string MakeValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t length = ValidCharLength(text, pos);
    if (length == 0) {
      out.push_back('?');
      ++pos;
      continue;
    }
    out.append(text.substr(pos, length));
    pos += length;
  }
  return out;
}

}  // namespace adflag::fuzz

#endif  // ADFLAG_TESTS_FUZZ_FUZZ_CHECK_H_

// The normalizer turns a field value into the folded view that rules are
// matched against, and keeps a map from that view back to the original
// bytes so that every hit can be reported as a span of the original text.
//
// Folding, in order:
//   1. Unicode NFKC, case folding and accent stripping; pure-ASCII runs take
//      a fast path that only lowercases.
//   2. Zero-width and format characters are removed; common Cyrillic and
//      Greek look-alikes of Latin letters fold to those letters.
//   3. Spaced-out letters ("N E W", "y.o.u.n.g") join into one word.
//   4. Look-alike digits and symbols between letters fold to letters
//      ("n3w" -> "new", "b@rely" -> "barely").
//
// Usage:
//   NormalizedText view = Normalize(value);
//   // match against view.text(); for a hit [b, e) of view.text():
//   ByteSpan original = view.ToOriginal(b, e);
//
// A NormalizedText is immutable once built and safe to read from several
// threads.

#ifndef ADFLAG_NORMALIZER_H_
#define ADFLAG_NORMALIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {

// A half-open byte range [start, end) of a field value.
struct ByteSpan {
  size_t start = 0;
  size_t end = 0;
};

// The folded view of one field value and its map back to the original.
class NormalizedText {
 public:
  NormalizedText() = default;

  // The folded text: valid UTF-8, lower case.
  const std::string& text() const { return text_; }

  // Returns the span of the original value that produced the folded bytes
  // [begin, end). REQUIRES: begin <= end <= text().size(). The result
  // starts and ends on UTF-8 character boundaries of the original, so
  // it can be cut out and shown as it was written.
  ByteSpan ToOriginal(size_t begin, size_t end) const;

 private:
  friend class Normalizer;

  std::string text_;
  // origin_start_[i] and origin_end_[i] bound the original bytes that
  // produced folded byte i. Both are empty when the folded text maps to
  // the original byte for byte (the common ASCII case).
  std::vector<uint32_t> origin_start_;
  std::vector<uint32_t> origin_end_;
};

// Folds field values. Holds no state, so one Normalizer may serve any
// number of threads.
class Normalizer {
 public:
  // Returns the folded view of `value`. REQUIRES: `value` is valid UTF-8
  // (the listing parser repairs invalid input before this point).
  NormalizedText Normalize(std::string_view value);

  // The same, into *out, reusing its buffers: the form for hot loops.
  void Normalize(std::string_view value, NormalizedText* out);
};

}  // namespace adflag

#endif  // ADFLAG_NORMALIZER_H_

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

// A stretch of folded text with one way back to the original. A run
// copied byte for byte maps its k-th byte to original byte
// original_start + k; the bytes of one folded character all map to the
// whole written character, [original_start, original_end).
struct OriginPiece {
  uint32_t folded_start = 0;
  uint32_t original_start = 0;
  uint32_t original_end = 0;
  bool byte_for_byte = false;
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

  // The original span of folded byte `pos`, by the pieces.
  ByteSpan OriginOf(size_t pos) const;

  std::string text_;
  // The pieces in folded order, each starting where the one before ends.
  // Empty when the folded text maps to the original byte for byte (the
  // common ASCII case). One piece per stretch, not one entry per byte,
  // keeps the map small and cheap to build.
  std::vector<OriginPiece> pieces_;
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

// For tests: lets the ASCII fast path use AVX2 where the processor has it
// (the default) or keeps it to SSE2. Returns whether AVX2 is now used.
// Not thread-safe.
bool UseAvx2ForTesting(bool use);

}  // namespace adflag

#endif  // ADFLAG_NORMALIZER_H_

// Fuzzes the normalizer: any valid UTF-8 value folds to valid UTF-8, and
// every span of the folded text maps back to a span of the original that
// starts and ends on character boundaries, covers the spans of its parts,
// and is not empty when the folded span is not.

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/normalizer.h"
#include "fuzz_check.h"

namespace {

using adflag::ByteSpan;
using adflag::NormalizedText;
using adflag::fuzz::Check;
using adflag::fuzz::IsCharBoundary;

// The character boundaries of `text`, 0 and text.size() included.
std::vector<size_t> Boundaries(std::string_view text) {
  std::vector<size_t> out;
  for (size_t pos = 0; pos <= text.size(); ++pos) {
    if (IsCharBoundary(text, pos)) out.push_back(pos);
  }
  return out;
}

// Checks what a reported hit relies on for folded span [begin, end).
ByteSpan CheckSpan(const NormalizedText& folded, std::string_view original,
                   size_t begin, size_t end) {
  ByteSpan span = folded.ToOriginal(begin, end);
  Check(span.start <= span.end, "span ends before it starts");
  Check(span.end <= original.size(), "span ends past the original");
  Check(IsCharBoundary(original, span.start), "span starts mid-character");
  Check(IsCharBoundary(original, span.end), "span ends mid-character");
  Check(begin == end || span.start < span.end,
        "a folded span maps to no original text");
  return span;
}

// Every span of consecutive characters, and each one's halves.
void CheckAllSteps(const NormalizedText& folded, std::string_view original) {
  const std::vector<size_t> cuts = Boundaries(folded.text());
  size_t last_start = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    ByteSpan one = CheckSpan(folded, original, cuts[i], cuts[i + 1]);
    Check(one.start >= last_start, "spans go backwards");
    last_start = one.start;
    CheckSpan(folded, original, cuts[i], cuts[i]);
    if (i + 2 < cuts.size()) {
      ByteSpan two = CheckSpan(folded, original, cuts[i], cuts[i + 2]);
      ByteSpan second = CheckSpan(folded, original, cuts[i + 1], cuts[i + 2]);
      Check(two.start <= one.start && two.end >= second.end,
            "a span does not cover its parts");
    }
  }
  CheckSpan(folded, original, folded.text().size(), folded.text().size());
  if (!cuts.empty()) {
    CheckSpan(folded, original, 0, folded.text().size());
  }
}

// The hits a rule would report: words and runs of non-space.
void CheckHits(const NormalizedText& folded, std::string_view original) {
  static const RE2 word("(\\w+|\\S+)");
  re2::StringPiece rest(folded.text());
  re2::StringPiece hit;
  while (RE2::FindAndConsume(&rest, word, &hit)) {
    size_t begin = static_cast<size_t>(hit.data() - folded.text().data());
    ByteSpan span = CheckSpan(folded, original, begin, begin + hit.size());
    std::string_view text = original.substr(span.start, span.end - span.start);
    Check(adflag::fuzz::IsValidUtf8(text), "reported text is not UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string original = adflag::fuzz::MakeValidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size));

  adflag::Normalizer normalizer;
  NormalizedText folded = normalizer.Normalize(original);
  Check(adflag::fuzz::IsValidUtf8(folded.text()), "folded text not UTF-8");
  CheckAllSteps(folded, original);
  CheckHits(folded, original);

  NormalizedText reused = normalizer.Normalize("x y z n3w");
  normalizer.Normalize(original, &reused);
  Check(reused.text() == folded.text(), "reused buffers fold differently");
  return 0;
}

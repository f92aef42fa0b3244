#include "adflag/normalizer.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <string_view>

namespace adflag {
namespace {

std::string Fold(std::string_view value) {
  Normalizer normalizer;
  return normalizer.Normalize(value).text();
}

// Returns the original text behind the first occurrence of `folded_word`
// in the folded view of `value`.
std::string OriginalOf(std::string_view value, std::string_view folded_word) {
  Normalizer normalizer;
  const NormalizedText view = normalizer.Normalize(value);
  const size_t begin = view.text().find(folded_word);
  REQUIRE(begin != std::string::npos);
  const ByteSpan span = view.ToOriginal(begin, begin + folded_word.size());
  REQUIRE(span.start <= span.end);
  REQUIRE(span.end <= value.size());
  return std::string(value.substr(span.start, span.end - span.start));
}

bool IsCharBoundary(std::string_view text, size_t pos) {
  return pos == text.size() ||
         (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80;
}

TEST_CASE("ASCII text is lowercased byte for byte") {
  Normalizer normalizer;
  const NormalizedText view = normalizer.Normalize("NEW In Town, Call Today");
  CHECK(view.text() == "new in town, call today");

  const ByteSpan span = view.ToOriginal(4, 11);
  CHECK(span.start == 4);
  CHECK(span.end == 11);
}

TEST_CASE("Accents are stripped") {
  CHECK(Fold("jóven") == "joven");
  CHECK(Fold("Señorita ÉCOLE") == "senorita ecole");
}

TEST_CASE("Combining accents written apart are stripped") {
  CHECK(Fold("jo\u0301ven") == "joven");
}

TEST_CASE("Full-width letters fold through NFKC") {
  CHECK(Fold("ｙｏｕｎｇ") == "young");
  CHECK(Fold("ＹＯＵＮＧ") == "young");
}

TEST_CASE("Compatibility characters expand") {
  CHECK(Fold("ﬁne") == "fine");
  CHECK(Fold("ⓝew") == "new");
  CHECK(Fold("Straße") == "strasse");
}

TEST_CASE("Cyrillic look-alikes fold to Latin letters") {
  CHECK(Fold("уоung") == "young");
  CHECK(Fold("УОUNG") == "young");
  CHECK(Fold("ѕрасе") == "space");
}

TEST_CASE("Greek look-alikes fold to Latin letters") {
  CHECK(Fold("ταχι") == "taxi");
  CHECK(Fold("ΤΑΧΙ") == "taxi");
}

TEST_CASE("Zero-width characters are removed") {
  CHECK(Fold("you\u200Bng") == "young");
  CHECK(Fold("y\u200Co\u200Du\u2060n\uFEFFg") == "young");
}

TEST_CASE("Soft hyphens are removed") {
  CHECK(Fold("avail\u00ADable") == "available");
}

TEST_CASE("Three or more spaced letters join into a word") {
  CHECK(Fold("Call N E W girls") == "call new girls");
  CHECK(Fold("y.o.u.n.g") == "young");
  CHECK(Fold("t-o-w-n") == "town");
  CHECK(Fold("n_e_w") == "new");
}

TEST_CASE("Several spaced-out words in one value all join") {
  CHECK(Fold("a b c, d-e-f and g.h.i") == "abc, def and ghi");
}

TEST_CASE("Spaced letters may mix separators") {
  CHECK(Fold("y.o-u_n g") == "young");
}

TEST_CASE("Two spaced letters stay apart") {
  CHECK(Fold("a b") == "a b");
  CHECK(Fold("i.e. this") == "i.e. this");
}

TEST_CASE("Separators outside spaced letters stay") {
  CHECK(Fold("U.S.A.") == "usa.");
  CHECK(Fold("(n e w)") == "(new)");
}

TEST_CASE("Doubled separators do not join letters") {
  CHECK(Fold("N  E  W") == "n  e  w");
  CHECK(Fold("n. e. w.") == "n. e. w.");
}

TEST_CASE("A letter touching a digit is not a spaced letter") {
  CHECK(Fold("x y z3") == "x y z3");
  CHECK(Fold("2a b c") == "2a b c");
}

TEST_CASE("Spaced letters join after folding") {
  CHECK(Fold("Ｎ Ｅ Ｗ") == "new");
  CHECK(Fold("n\u00A0е\u00A0w") == "new");
}

TEST_CASE("Look-alike digits between letters fold") {
  CHECK(Fold("n3w in t0wn") == "new in town");
  CHECK(Fold("y0ung") == "young");
  CHECK(Fold("b00k") == "book");
  CHECK(Fold("l1st 4v4il") == "list 4vail");
}

TEST_CASE("Look-alike symbols between letters fold") {
  CHECK(Fold("b@rely") == "barely");
  CHECK(Fold("cla$$ic") == "classic");
}

TEST_CASE("Look-alikes at the edge of a word stay") {
  CHECK(Fold("18yo") == "18yo");
  CHECK(Fold("24/7") == "24/7");
  CHECK(Fold("$150") == "$150");
  CHECK(Fold("4 girls") == "4 girls");
  CHECK(Fold("room7") == "room7");
}

TEST_CASE("Look-alikes fold next to folded letters") {
  CHECK(Fold("ⓝ3w") == "new");
  CHECK(Fold("у0ung") == "young");
}

// A zero-width space folds to nothing but sends the value down the Unicode
// path, where steps 3 and 4 always run; the ASCII path must agree with it.
TEST_CASE("The ASCII fast path folds like the Unicode path") {
  const std::string_view kAlphabet = "abXY .-_0137@$2,";
  std::mt19937 random(7);
  Normalizer normalizer;
  for (int i = 0; i < 20000; ++i) {
    std::string value(random() % 40, ' ');
    for (char& byte : value) byte = kAlphabet[random() % kAlphabet.size()];
    INFO("value: \"" << value << "\"");
    REQUIRE(normalizer.Normalize(value).text() ==
            normalizer.Normalize(value + "\u200B").text());
  }
}

TEST_CASE("The AVX2 and SSE2 scans of ASCII text fold alike") {
  if (!UseAvx2ForTesting(true)) {
    WARN("no AVX2 on this processor: only the SSE2 scan runs");
    return;
  }
  const std::string_view kAlphabet = "abXYZz .-_0137@$2,AM";
  std::mt19937 random(11);
  Normalizer normalizer;
  for (int i = 0; i < 20000; ++i) {
    std::string value(random() % 200, ' ');
    for (char& byte : value) byte = kAlphabet[random() % kAlphabet.size()];
    INFO("value: \"" << value << "\"");
    const std::string with_avx2 = normalizer.Normalize(value).text();
    UseAvx2ForTesting(false);
    const std::string with_sse2 = normalizer.Normalize(value).text();
    UseAvx2ForTesting(true);
    REQUIRE(with_avx2 == with_sse2);
  }
}

TEST_CASE("Empty input folds to empty text") {
  Normalizer normalizer;
  const NormalizedText view = normalizer.Normalize("");
  CHECK(view.text().empty());
  const ByteSpan span = view.ToOriginal(0, 0);
  CHECK(span.start == 0);
  CHECK(span.end == 0);
}

TEST_CASE("Spaced letters map back to the whole spaced original") {
  CHECK(OriginalOf("Call N E W girls", "new") == "N E W");
  CHECK(OriginalOf("Call N E W girls", "girls") == "girls");
  CHECK(OriginalOf("so y.o.u.n.g!", "oun") == "o.u.n");
}

TEST_CASE("Spaced letters among non-ASCII text map back exactly") {
  CHECK(OriginalOf("Café: N É W girls", "new") == "N É W");
  CHECK(OriginalOf("Café: N É W girls", "girls") == "girls");
  CHECK(OriginalOf("Café: N É W girls", "cafe") == "Café");
  CHECK(OriginalOf("ß y o u n g ß", "young") == "y o u n g");
  CHECK(OriginalOf("ß y o u n g ß", "ss") == "ß");
}

TEST_CASE("A removed character after an ASCII run joins its last letter") {
  CHECK(OriginalOf("é new\u200B now", "new") == "new\u200B");
  CHECK(OriginalOf("é new\u200B now", "ne") == "ne");
  CHECK(OriginalOf("é new\u200B now", "now") == "now");
}

TEST_CASE("Accented words map back to their original bytes") {
  const std::string value = "so jóven!";
  CHECK(OriginalOf(value, "joven") == "jóven");
  CHECK(OriginalOf(value, "joven").size() == 6);
  CHECK(OriginalOf(value, "!") == "!");
}

TEST_CASE("Cyrillic words map back to their original bytes") {
  CHECK(OriginalOf("new уоung face", "young") == "уоung");
  CHECK(OriginalOf("new уоung face", "face") == "face");
}

TEST_CASE("Zero-width characters inside a word stay in its span") {
  CHECK(OriginalOf("so you\u200Bng now", "young") == "you\u200Bng");
}

TEST_CASE("Combining accents stay in the span of their letter") {
  CHECK(OriginalOf("jo\u0301 ven", "jo") == "jo\u0301");
}

TEST_CASE("Part of an expansion maps back to the whole character") {
  CHECK(OriginalOf("ﬁne", "f") == "ﬁ");
  CHECK(OriginalOf("Straße", "ss") == "ß");
}

TEST_CASE("Empty ranges map to character boundaries") {
  Normalizer normalizer;
  const std::string value = "só ok";
  const NormalizedText view = normalizer.Normalize(value);
  REQUIRE(view.text() == "so ok");

  const ByteSpan inside = view.ToOriginal(2, 2);
  CHECK(inside.start == 3);
  CHECK(inside.end == 3);
  const ByteSpan at_end = view.ToOriginal(5, 5);
  CHECK(at_end.start == value.size());
  CHECK(at_end.end == value.size());
}

TEST_CASE("Every folded span maps inside the original on boundaries") {
  const char* const kValues[] = {
      "Call N E W girls",  "so jóven!",        "уоung ΤΑΧΙ",
      "you\u200Bng\u00AD", "ｙｏｕｎｇ ﬁne",   "n3w in t0wn",
      "y.о.u.n.g b@rely",  "jo\u0301ven 18yo", "Straße ⓝ3w",
      "\u200B\u200B",      "a b c é f",        "가나다 ㄱ ㄴ",
  };
  Normalizer normalizer;
  for (std::string_view value : kValues) {
    const NormalizedText view = normalizer.Normalize(value);
    const size_t size = view.text().size();
    for (size_t begin = 0; begin <= size; ++begin) {
      for (size_t end = begin; end <= size; ++end) {
        const ByteSpan span = view.ToOriginal(begin, end);
        INFO(value << " [" << begin << ", " << end << ")");
        REQUIRE(span.start <= span.end);
        REQUIRE(span.end <= value.size());
        REQUIRE(IsCharBoundary(value, span.start));
        REQUIRE(IsCharBoundary(value, span.end));
      }
    }
  }
}

}  // namespace
}  // namespace adflag

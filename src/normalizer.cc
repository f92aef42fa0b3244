#include "adflag/normalizer.h"

#include <utf8proc.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>

namespace adflag {
namespace {

// Classes of a folded character, as bits.
constexpr uint8_t kLetter = 1;
constexpr uint8_t kDigit = 2;
constexpr uint8_t kWordChar = kLetter | kDigit;
// Separates the letters of a spaced-out word: ' ', '.', '-', '_'.
constexpr uint8_t kSpacer = 4;

// Spaced-out letters join only from this many on, so that "a b" and "i.e."
// stay as written.
constexpr int kMinSpacedLetters = 3;

// NFKC with case folding and accent stripping, one code point at a time.
// Zero-width and other default-ignorable characters decompose to nothing.
// TODO: stripping marks also drops the vowel signs of Indic and other
// scripts, so words there that differ only in vowels fold alike and may
// raise extra hits.
constexpr utf8proc_option_t kDecomposeOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
constexpr utf8proc_option_t kComposeOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);

// The longest full decomposition of one code point is 18 code points.
constexpr utf8proc_ssize_t kMaxDecomposition = 32;

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> classes{};
  for (int c = 'a'; c <= 'z'; ++c) classes[c] = kLetter;
  for (int c = '0'; c <= '9'; ++c) classes[c] = kDigit;
  for (char c : {' ', '.', '-', '_'}) classes[c] = kSpacer;
  return classes;
}

// Classes of the ASCII bytes of folded (lower-case) text; bytes of
// non-ASCII characters have none.
constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

constexpr std::array<char, 256> MakeLookAlikeLetters() {
  std::array<char, 256> letters{};
  letters['0'] = 'o';
  letters['1'] = 'i';
  letters['3'] = 'e';
  letters['4'] = 'a';
  letters['5'] = 's';
  letters['7'] = 't';
  letters['@'] = 'a';
  letters['$'] = 's';
  return letters;
}

// The letter each look-alike digit or symbol stands for inside a word; zero
// for other bytes.
constexpr std::array<char, 256> kLookAlikeLetters = MakeLookAlikeLetters();

// Which of steps 3 and 4 may change a folded text.
struct WordFolds {
  bool spaced_letters;
  bool look_alikes;
};

// Folded text under construction, with the pieces that map it back.
// TODO: origins are 32-bit, so hits in a field value over 4 GiB (possible
// only with a raised --max-line-bytes) would report wrong offsets.
struct MappedText {
  std::string& text;
  std::vector<OriginPiece>& pieces;
};

// Orders pieces by where they start in the folded text.
bool StartsAfter(size_t pos, const OriginPiece& piece) {
  return pos < piece.folded_start;
}

// Returns the piece that holds folded byte `pos`. REQUIRES: `pieces`
// covers `pos`.
std::vector<OriginPiece>::const_iterator PieceAt(
    const std::vector<OriginPiece>& pieces, size_t pos) {
  return std::upper_bound(pieces.begin(), pieces.end(), pos, StartsAfter) - 1;
}

// Appends `piece`, which starts where the last one ends, or extends the
// last one when it continues it: the next original byte of a byte-for-byte
// run, or another folded code point of the same written character.
void AddPiece(const OriginPiece& piece, std::vector<OriginPiece>* pieces) {
  if (piece.byte_for_byte && piece.original_start == piece.original_end) {
    return;
  }
  if (!pieces->empty()) {
    OriginPiece& last = pieces->back();
    const bool continues =
        last.byte_for_byte == piece.byte_for_byte &&
        (piece.byte_for_byte ? last.original_end == piece.original_start
                             : last.original_start == piece.original_start &&
                                   last.original_end == piece.original_end);
    if (continues) {
      last.original_end = piece.original_end;
      return;
    }
  }
  pieces->push_back(piece);
}

// One character of folded text: its classes and its length in bytes.
struct FoldedChar {
  uint8_t classes;
  size_t size;
};

// Look-alikes are ASCII, so a byte test never hits inside a UTF-8 sequence.
bool IsLookAlike(char byte) {
  return kLookAlikeLetters[static_cast<unsigned char>(byte)] != 0;
}

// The ASCII fast path reads eight bytes at a time. A mask marks the bytes
// of such a word that pass a test by their high bit.
constexpr uint64_t kEachByte = 0x0101010101010101ull;
constexpr uint64_t kHighBits = kEachByte * 0x80;

bool IsAscii(std::string_view value) {
  uint64_t high_bits = 0;
  size_t pos = 0;
  for (; pos + 8 <= value.size(); pos += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + pos, 8);
    high_bits |= word;
  }
  for (; pos < value.size(); ++pos) {
    high_bits |= static_cast<unsigned char>(value[pos]);
  }
  return (high_bits & kHighBits) == 0;
}

#if defined(__SSE2__)

// The classes of 64 bytes of lowercased ASCII text, one bit per byte.
struct ChunkMasks {
  uint64_t letter;
  uint64_t spacer;
  uint64_t non_word;
  uint64_t digit_or_symbol;
};

// Returns one bit per byte of `bytes` that is in [low, high]. REQUIRES:
// the bytes are ASCII, so signed comparison is right.
inline uint32_t Between16(__m128i bytes, char low, char high) {
  __m128i in = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(low - 1)),
                             _mm_cmplt_epi8(bytes, _mm_set1_epi8(high + 1)));
  return static_cast<uint32_t>(_mm_movemask_epi8(in));
}

inline uint32_t Equal16(__m128i bytes, char value) {
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(value))));
}

// Lowercases the 64 bytes at `in` into `out` and classifies them.
ChunkMasks LowercaseChunk(const char* in, char* out) {
  ChunkMasks masks{0, 0, 0, 0};
  uint64_t digit = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
    __m128i upper =
        _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('A' - 1)),
                      _mm_cmplt_epi8(bytes, _mm_set1_epi8('Z' + 1)));
    bytes = _mm_or_si128(bytes, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);

    const int shift = 16 * k;
    uint64_t digits = Between16(bytes, '0', '9');
    digit |= digits << shift;
    masks.letter |= uint64_t{Between16(bytes, 'a', 'z')} << shift;
    masks.spacer |= uint64_t{Equal16(bytes, ' ') | Between16(bytes, '-', '.') |
                             Equal16(bytes, '_')}
                    << shift;
    masks.digit_or_symbol |=
        (digits | Equal16(bytes, '@') | Equal16(bytes, '$')) << shift;
    in += 16;
    out += 16;
  }
  masks.non_word = ~(masks.letter | digit);
  return masks;
}

#if defined(__x86_64__)

// Returns one bit per byte of `bytes` that is in [low, high], as Between16.
__attribute__((target("avx2"))) inline uint32_t Between32(__m256i bytes,
                                                          char low, char high) {
  __m256i in_range =
      _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(low - 1)),
                       _mm256_cmpgt_epi8(_mm256_set1_epi8(high + 1), bytes));
  return static_cast<uint32_t>(_mm256_movemask_epi8(in_range));
}

__attribute__((target("avx2"))) inline uint32_t Equal32(__m256i bytes,
                                                        char value) {
  return static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(value))));
}

// The same as LowercaseChunk, 32 bytes at a time, for processors with
// AVX2 (checked at run time: the build targets every x86-64).
__attribute__((target("avx2"))) ChunkMasks LowercaseChunkAvx2(const char* in,
                                                              char* out) {
  ChunkMasks masks{0, 0, 0, 0};
  uint64_t digit = 0;
  for (int k = 0; k < 2; ++k) {
    __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
    __m256i upper =
        _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8('A' - 1)),
                         _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), bytes));
    bytes =
        _mm256_or_si256(bytes, _mm256_and_si256(upper, _mm256_set1_epi8(0x20)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), bytes);

    const int shift = 32 * k;
    uint64_t digits = Between32(bytes, '0', '9');
    digit |= digits << shift;
    masks.letter |= uint64_t{Between32(bytes, 'a', 'z')} << shift;
    masks.spacer |= uint64_t{Equal32(bytes, ' ') | Between32(bytes, '-', '.') |
                             Equal32(bytes, '_')}
                    << shift;
    masks.digit_or_symbol |=
        (digits | Equal32(bytes, '@') | Equal32(bytes, '$')) << shift;
    in += 32;
    out += 32;
  }
  masks.non_word = ~(masks.letter | digit);
  return masks;
}

// Whether LowercaseChunkAvx2 is used; UseAvx2ForTesting may turn it off.
bool use_avx2 = __builtin_cpu_supports("avx2");

ChunkMasks LowercaseChunkFastest(const char* in, char* out) {
  return use_avx2 ? LowercaseChunkAvx2(in, out) : LowercaseChunk(in, out);
}

#else

ChunkMasks LowercaseChunkFastest(const char* in, char* out) {
  return LowercaseChunk(in, out);
}

#endif

// Moves a one-bit-per-byte mask `bytes` positions later in the text,
// filling in from the previous chunk's mask.
inline uint64_t ChunkLater(uint64_t mask, uint64_t previous, int bytes) {
  return (mask << bytes) | (previous >> (64 - bytes));
}

void ScanChunk(const ChunkMasks& current, const ChunkMasks& previous,
               WordFolds* folds) {
  auto later = [&](uint64_t ChunkMasks::*mask, int bytes) {
    return ChunkLater(current.*mask, previous.*mask, bytes);
  };
  folds->spaced_letters |=
      (current.non_word & later(&ChunkMasks::letter, 1) &
       later(&ChunkMasks::spacer, 2) & later(&ChunkMasks::letter, 3) &
       later(&ChunkMasks::spacer, 4) & later(&ChunkMasks::letter, 5) &
       later(&ChunkMasks::non_word, 6)) != 0;
  folds->look_alikes |=
      (current.digit_or_symbol & later(&ChunkMasks::letter, 1)) != 0;
}

// Lowercases ASCII `value` into `out`, 64 bytes at a time with SSE2, and
// tells which word folds the result needs.
WordFolds LowercaseAndScanAscii(std::string_view value, char* out) {
  // The text starts after bytes that are neither letters nor digits.
  ChunkMasks previous{0, 0, ~uint64_t{0}, 0};
  WordFolds folds{false, false};
  alignas(16) char padded_in[64];
  alignas(16) char padded_out[64];
  for (size_t pos = 0;; pos += 64) {
    const size_t size = std::min<size_t>(64, value.size() - pos);
    ChunkMasks current;
    if (size == 64) {
      current = LowercaseChunkFastest(value.data() + pos, out + pos);
    } else {
      // The last chunk is padded with zero bytes, which end any spaced
      // letters before them, as the end of the text does.
      std::memset(padded_in, 0, sizeof padded_in);
      if (size > 0) std::memcpy(padded_in, value.data() + pos, size);
      current = LowercaseChunkFastest(padded_in, padded_out);
      if (size > 0) std::memcpy(out + pos, padded_out, size);
    }
    ScanChunk(current, previous, &folds);
    if (size < 64) return folds;
    previous = current;
  }
}

#else  // Without SSE2, eight bytes at a time in plain integers.

char LowerAscii(unsigned char byte) {
  return static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A')
                                                      : byte);
}

void LowercaseAscii(std::string_view value, char* out) {
  for (size_t i = 0; i < value.size(); ++i) {
    out[i] = LowerAscii(static_cast<unsigned char>(value[i]));
  }
}

// Marks the bytes equal to `value`. REQUIRES: `word` is ASCII.
uint64_t BytesEqual(uint64_t word, unsigned char value) {
  return ~((word ^ (kEachByte * value)) + kEachByte * 0x7F) & kHighBits;
}

// Marks the bytes in [low, high]. REQUIRES: `word` is ASCII, 0 < low.
uint64_t BytesBetween(uint64_t word, unsigned char low, unsigned char high) {
  return (word + kEachByte * (0x80 - low)) &
         ~(word + kEachByte * (0x7F - high)) & kHighBits;
}

// Moves a mask `bytes` positions later in the text, filling in from the
// mask of the previous word, so that each byte sees a byte before it.
uint64_t ShiftLater(uint64_t mask, uint64_t previous_mask, int bytes) {
  const int bits = 8 * bytes;
  if constexpr (std::endian::native == std::endian::little) {
    return (mask << bits) | (previous_mask >> (64 - bits));
  } else {
    return (mask >> bits) | (previous_mask << (64 - bits));
  }
}

// The classes of the bytes of one lowercased ASCII word.
struct WordMasks {
  uint64_t letter;
  uint64_t spacer;
  uint64_t non_word;
  // Digits, '@' and '$': a superset of the look-alikes, enough to tell
  // whether FoldLookAlikeRuns has anything to look at.
  uint64_t digit_or_symbol;
};

WordMasks ClassifyWord(uint64_t lower) {
  const uint64_t letter = BytesBetween(lower, 'a', 'z');
  const uint64_t digit = BytesBetween(lower, '0', '9');
  return {letter,
          BytesEqual(lower, ' ') | BytesBetween(lower, '-', '.') |
              BytesEqual(lower, '_'),
          ~(letter | digit) & kHighBits,
          digit | BytesEqual(lower, '@') | BytesEqual(lower, '$')};
}

// Whether three single letters joined by spacers end just before a byte
// of the word `current`.
bool HasSpacedLetters(const WordMasks& current, const WordMasks& previous) {
  return (current.non_word & ShiftLater(current.letter, previous.letter, 1) &
          ShiftLater(current.spacer, previous.spacer, 2) &
          ShiftLater(current.letter, previous.letter, 3) &
          ShiftLater(current.spacer, previous.spacer, 4) &
          ShiftLater(current.letter, previous.letter, 5) &
          ShiftLater(current.non_word, previous.non_word, 6)) != 0;
}

bool HasSymbolAfterLetter(const WordMasks& current, const WordMasks& previous) {
  return (current.digit_or_symbol &
          ShiftLater(current.letter, previous.letter, 1)) != 0;
}

// Returns the (up to) eight bytes of `text` at `pos`, padded with zero
// bytes, which like the end of the text are neither letters nor digits.
uint64_t LoadWord(std::string_view text, size_t pos) {
  uint64_t word = 0;
  const size_t size = std::min<size_t>(8, text.size() - pos);
  if (size == 8) {
    std::memcpy(&word, text.data() + pos, 8);
  } else if (size > 0) {
    std::memcpy(&word, text.data() + pos, size);
  }
  return word;
}

void StoreWord(uint64_t word, char* out, size_t size) {
  if (size == 8) {
    std::memcpy(out, &word, 8);
  } else if (size > 0) {
    std::memcpy(out, &word, size);
  }
}

// Lowercases ASCII `value` into `out`, eight bytes at a time, and tells
// which word folds the result needs. The spaced-letter answer is exact;
// the look-alike one may send FoldLookAlikeRuns to look in vain.
WordFolds LowercaseAndScanAscii(std::string_view value, char* out) {
  // The text starts after bytes that are neither letters nor digits.
  WordMasks previous{0, 0, kHighBits, 0};
  WordFolds folds{false, false};
  for (size_t pos = 0;; pos += 8) {
    uint64_t word = LoadWord(value, pos);
    word |= BytesBetween(word, 'A', 'Z') >> 2;
    StoreWord(word, out + pos, std::min<size_t>(8, value.size() - pos));

    const WordMasks current = ClassifyWord(word);
    folds.spaced_letters |= HasSpacedLetters(current, previous);
    folds.look_alikes |= HasSymbolAfterLetter(current, previous);
    // The last word has padding, which ends any spaced letters before it.
    if (pos + 8 > value.size()) return folds;
    previous = current;
  }
}

#endif  // __SSE2__

uint8_t ClassesOfCodePoint(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return kLetter;
    case UTF8PROC_CATEGORY_ND:
      return kDigit;
    default:
      return 0;
  }
}

FoldedChar NonAsciiCharAt(std::string_view text, size_t pos) {
  utf8proc_int32_t code_point = 0;
  const utf8proc_ssize_t size = utf8proc_iterate(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
      static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
  if (size <= 0) return {0, 1};
  return {ClassesOfCodePoint(code_point), static_cast<size_t>(size)};
}

// REQUIRES: pos < text.size() and pos is the start of a character.
inline FoldedChar CharAt(std::string_view text, size_t pos) {
  const auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) return {kByteClasses[byte], 1};
  return NonAsciiCharAt(text, pos);
}

// Returns the classes of the character that ends at `pos`, or 0 at the start.
uint8_t ClassesBefore(std::string_view text, size_t pos) {
  if (pos == 0) return 0;
  size_t start = pos - 1;
  while (start > 0 &&
         (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
    --start;
  }
  return CharAt(text, start).classes;
}

// Cyrillic and Greek letters that look like Latin ones, after case folding.
struct LatinLookAlike {
  utf8proc_int32_t code_point;
  char letter;
};
constexpr LatinLookAlike kLatinLookAlikes[] = {
    {0x0430, 'a'},  // Cyrillic а
    {0x0435, 'e'},  // Cyrillic е
    {0x043E, 'o'},  // Cyrillic о
    {0x0440, 'p'},  // Cyrillic р
    {0x0441, 'c'},  // Cyrillic с
    {0x0443, 'y'},  // Cyrillic у
    {0x0445, 'x'},  // Cyrillic х
    {0x0456, 'i'},  // Cyrillic і
    {0x0458, 'j'},  // Cyrillic ј
    {0x0455, 's'},  // Cyrillic ѕ
    {0x03BF, 'o'},  // Greek ο
    {0x03B1, 'a'},  // Greek α
    {0x03B9, 'i'},  // Greek ι
    {0x03BA, 'k'},  // Greek κ
    {0x03BD, 'v'},  // Greek ν
    {0x03C1, 'p'},  // Greek ρ
    {0x03C4, 't'},  // Greek τ
    {0x03C5, 'u'},  // Greek υ
    {0x03C7, 'x'},  // Greek χ
};

utf8proc_int32_t FoldLatinLookAlike(utf8proc_int32_t code_point) {
  for (const LatinLookAlike& look_alike : kLatinLookAlikes) {
    if (look_alike.code_point == code_point) return look_alike.letter;
  }
  return code_point;
}

// Appends the folded bytes of the character at original bytes
// [start, end).
void AppendFolded(const char* bytes, size_t size, size_t start, size_t end,
                  MappedText out) {
  const auto folded_start = static_cast<uint32_t>(out.text.size());
  out.text.append(bytes, size);
  AddPiece({folded_start, static_cast<uint32_t>(start),
            static_cast<uint32_t>(end), false},
           &out.pieces);
}

// Appends a run of ASCII bytes that starts at `start` in the original, as
// written: the whole folded text is lowercased once it is complete.
void AppendAsciiRun(std::string_view run, size_t start, MappedText out) {
  const size_t folded_start = out.text.size();
  out.text.append(run);
  AddPiece({static_cast<uint32_t>(folded_start), static_cast<uint32_t>(start),
            static_cast<uint32_t>(start + run.size()), true},
           &out.pieces);
}

// A removed character (a stripped mark, a zero-width character) joins the
// span of the folded character before it, so that a hit ending there still
// covers the whole written character.
void ExtendLastOrigin(size_t end, MappedText out) {
  if (out.pieces.empty()) return;
  OriginPiece& last = out.pieces.back();
  if (last.byte_for_byte && last.original_end - last.original_start > 1) {
    // The run's last byte becomes a character of its own.
    --last.original_end;
    out.pieces.push_back({static_cast<uint32_t>(out.text.size() - 1),
                          last.original_end, last.original_end + 1, false});
  }
  out.pieces.back().byte_for_byte = false;
  out.pieces.back().original_end = static_cast<uint32_t>(end);
}

// Folds the code point at original bytes [start, end) and appends it.
// Returns true when that appended a non-ASCII letter or digit.
bool AppendCodePoint(utf8proc_int32_t code_point, size_t start, size_t end,
                     MappedText out) {
  utf8proc_int32_t decomposed[kMaxDecomposition];
  int boundary_class = 0;
  utf8proc_ssize_t count =
      utf8proc_decompose_char(code_point, decomposed, kMaxDecomposition,
                              kDecomposeOptions, &boundary_class);
  if (count < 0 || count > kMaxDecomposition) {
    decomposed[0] = code_point;
    count = 1;
  }
  if (count == 0) {
    ExtendLastOrigin(end, out);
    return false;
  }
  if (count > 1) {
    count = utf8proc_normalize_utf32(decomposed, count, kComposeOptions);
  }

  bool word_char = false;
  for (utf8proc_ssize_t i = 0; i < count; ++i) {
    const utf8proc_int32_t folded = FoldLatinLookAlike(decomposed[i]);
    word_char = word_char || (folded >= 0x80 && ClassesOfCodePoint(folded));
    utf8proc_uint8_t encoded[4];
    const utf8proc_ssize_t size = utf8proc_encode_char(folded, encoded);
    AppendFolded(reinterpret_cast<const char*>(encoded),
                 static_cast<size_t>(size), start, end, out);
  }
  return word_char;
}

// Returns the end of the run of ASCII bytes at `pos`, looking at eight
// bytes at a time.
size_t AsciiRunEnd(std::string_view value, size_t pos) {
  if constexpr (std::endian::native == std::endian::little) {
    for (; pos + 8 <= value.size(); pos += 8) {
      uint64_t word;
      std::memcpy(&word, value.data() + pos, 8);
      const uint64_t high_bits = word & kHighBits;
      if (high_bits != 0) {
        return pos + static_cast<size_t>(std::countr_zero(high_bits)) / 8;
      }
    }
  }
  while (pos < value.size() && static_cast<unsigned char>(value[pos]) < 0x80) {
    ++pos;
  }
  return pos;
}

// Steps 1 and 2 for text with non-ASCII characters: utf8proc folds each
// non-ASCII code point; ASCII runs are copied, to be lowercased after.
// Returns true when the folded text holds a non-ASCII letter or digit.
// TODO: composition works within one code point only, so conjoining Hangul
// jamo written as separate code points stay decomposed and do not match
// rules written with precomposed syllables.
bool FoldUnicode(std::string_view value, MappedText out) {
  out.text.clear();
  out.pieces.clear();
  bool word_chars = false;
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t ascii_end = AsciiRunEnd(value, pos);
    AppendAsciiRun(value.substr(pos, ascii_end - pos), pos, out);
    if (ascii_end == value.size()) break;

    utf8proc_int32_t code_point = 0;
    utf8proc_ssize_t size = utf8proc_iterate(
        reinterpret_cast<const utf8proc_uint8_t*>(value.data() + ascii_end),
        static_cast<utf8proc_ssize_t>(value.size() - ascii_end), &code_point);
    if (size <= 0) {
      code_point = 0xFFFD;
      size = 1;
    }
    if (AppendCodePoint(code_point, ascii_end, ascii_end + size, out)) {
      word_chars = true;
    }
    pos = ascii_end + static_cast<size_t>(size);
  }
  return word_chars;
}

// Returns the end of the letter at `pos` if it stands alone (no letter or
// digit after it), else `pos`. REQUIRES: the character before `pos` is
// neither a letter nor a digit.
size_t SingleLetterEnd(std::string_view text, size_t pos) {
  if (pos >= text.size()) return pos;
  const FoldedChar letter = CharAt(text, pos);
  if ((letter.classes & kLetter) == 0) return pos;
  const size_t end = pos + letter.size;
  if (end < text.size() && (CharAt(text, end).classes & kWordChar) != 0) {
    return pos;
  }
  return end;
}

// Returns the end of the chain of single letters, each pair joined by one
// spacer, that starts at `pos`, and counts its letters. REQUIRES: as for
// SingleLetterEnd.
size_t SpacedLettersEnd(std::string_view text, size_t pos, int* letters) {
  size_t end = SingleLetterEnd(text, pos);
  *letters = end > pos ? 1 : 0;
  while (*letters > 0 && end + 1 < text.size() &&
         (CharAt(text, end).classes & kSpacer) != 0) {
    const size_t next_end = SingleLetterEnd(text, end + 1);
    if (next_end == end + 1) break;
    end = next_end;
    ++*letters;
  }
  return end;
}

// Returns the first spaced-out word at or after `from`. REQUIRES: `from` is
// 0 or the end of a spaced-out word, so no letter or digit is at `from`.
std::optional<ByteSpan> FindSpacedWord(std::string_view text, size_t from) {
  bool after_word_char = false;
  size_t pos = from;
  while (pos < text.size()) {
    const FoldedChar current = CharAt(text, pos);
    if (!after_word_char && (current.classes & kLetter) != 0) {
      int letters = 0;
      const size_t end = SpacedLettersEnd(text, pos, &letters);
      if (letters >= kMinSpacedLetters) return ByteSpan{pos, end};
      if (end > pos) {
        pos = end;
        after_word_char = true;
        continue;
      }
    }
    after_word_char = (current.classes & kWordChar) != 0;
    pos += current.size;
  }
  return std::nullopt;
}

// Copies the pieces that map the old folded bytes [from, from + size),
// which start and end on character boundaries, to the same bytes moved to
// `to`, after the pieces added so far.
void CopyPieces(const std::vector<OriginPiece>& old, size_t from, size_t size,
                size_t to, std::vector<OriginPiece>* pieces) {
  if (size == 0) return;
  const size_t end = from + size;
  for (auto it = PieceAt(old, from); it != old.end() && it->folded_start < end;
       ++it) {
    OriginPiece piece = *it;
    const size_t start = std::max<size_t>(piece.folded_start, from);
    if (piece.byte_for_byte) {
      const size_t piece_end =
          piece.folded_start + (piece.original_end - piece.original_start);
      piece.original_start += static_cast<uint32_t>(start - piece.folded_start);
      piece.original_end =
          piece.original_start +
          static_cast<uint32_t>(std::min(piece_end, end) - start);
    }
    piece.folded_start = static_cast<uint32_t>(to + (start - from));
    AddPiece(piece, pieces);
  }
}

// Moves folded bytes [from, from + size) to `to` (to <= from), with the
// pieces of the old map that cover them.
void MoveFolded(size_t from, size_t size, size_t to,
                const std::vector<OriginPiece>& old, MappedText text) {
  std::memmove(text.text.data() + to, text.text.data() + from, size);
  CopyPieces(old, from, size, to, &text.pieces);
}

// Moves the letters of a spaced-out word to `to`, without the spacers, and
// returns where the next byte goes.
size_t MoveLetters(ByteSpan word, size_t to,
                   const std::vector<OriginPiece>& old, MappedText text) {
  for (size_t pos = word.start; pos < word.end;) {
    const FoldedChar current = CharAt(text.text, pos);
    if ((current.classes & kSpacer) == 0) {
      MoveFolded(pos, current.size, to, old, text);
      to += current.size;
    }
    pos += current.size;
  }
  return to;
}

// Step 3: joins spaced-out letters ("n e w", "y.o.u.n.g") by dropping the
// spacers between them. The letters keep their origins, so the joined word
// maps back to the whole spaced-out original. Spacers before the first or
// after the last letter stay ("u.s.a." -> "usa."). Rare, so the map is
// built anew.
void CollapseSpacedLetters(MappedText text) {
  std::optional<ByteSpan> word = FindSpacedWord(text.text, 0);
  if (!word) return;
  std::vector<OriginPiece> old;
  old.swap(text.pieces);
  if (old.empty()) {
    old.push_back({0, 0, static_cast<uint32_t>(text.text.size()),
                   /*byte_for_byte=*/true});
  }

  size_t kept = 0;
  size_t pos = 0;
  while (word) {
    MoveFolded(pos, word->start - pos, kept, old, text);
    kept += word->start - pos;
    kept = MoveLetters(*word, kept, old, text);
    pos = word->end;
    word = FindSpacedWord(text.text, pos);
  }
  MoveFolded(pos, text.text.size() - pos, kept, old, text);
  kept += text.text.size() - pos;
  text.text.resize(kept);
}

// Step 4: a maximal run of look-alike digits and symbols with a letter
// directly on both sides spells letters ("t0wn", "b@rely", "b00k"); runs at
// the edge of a word ("18yo", "$150", "4 girls") stay.
void FoldLookAlikeRuns(std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsLookAlike(text[pos])) {
      ++pos;
      continue;
    }

    size_t run_end = pos + 1;
    while (run_end < text.size() && IsLookAlike(text[run_end])) ++run_end;
    if (run_end < text.size() && (ClassesBefore(text, pos) & kLetter) != 0 &&
        (CharAt(text, run_end).classes & kLetter) != 0) {
      for (size_t i = pos; i < run_end; ++i) {
        text[i] = kLookAlikeLetters[static_cast<unsigned char>(text[i])];
      }
    }
    pos = run_end;
  }
}

// Steps 3 and 4 on folded text, each only where it may change something.
void FoldWords(WordFolds folds, MappedText text) {
  if (folds.spaced_letters) CollapseSpacedLetters(text);
  if (folds.look_alikes) FoldLookAlikeRuns(text.text);
}

// Lowercases the ASCII bytes of folded text in place and tells which word
// folds it needs. When its only non-ASCII characters are neither letters
// nor digits (emoji, dashes), they count as the byte scan counts every
// non-ASCII byte, as non-word characters, and the scan decides exactly;
// otherwise both word folds look for themselves.
WordFolds LowercaseFolded(std::string* folded, bool non_ascii_word_chars) {
#if defined(__SSE2__)
  // The SSE2 scan leaves bytes of non-ASCII characters as they are.
  const WordFolds folds = LowercaseAndScanAscii(*folded, folded->data());
  if (!non_ascii_word_chars) return folds;
#else
  (void)non_ascii_word_chars;
  LowercaseAscii(*folded, folded->data());
#endif
  return {true, true};
}

}  // namespace

ByteSpan NormalizedText::OriginOf(size_t pos) const {
  const OriginPiece& piece = *PieceAt(pieces_, pos);
  if (!piece.byte_for_byte) {
    return ByteSpan{piece.original_start, piece.original_end};
  }
  const size_t original = piece.original_start + (pos - piece.folded_start);
  return ByteSpan{original, original + 1};
}

ByteSpan NormalizedText::ToOriginal(size_t begin, size_t end) const {
  if (pieces_.empty()) return ByteSpan{begin, end};
  if (begin < end)
    return ByteSpan{OriginOf(begin).start, OriginOf(end - 1).end};

  // An empty range sits before the character that produced folded byte
  // `begin`, or after the last one when `begin` is the end of the text.
  const size_t at = begin < text_.size() ? OriginOf(begin).start
                                         : OriginOf(text_.size() - 1).end;
  return ByteSpan{at, at};
}

void Normalizer::Normalize(std::string_view value, NormalizedText* out) {
  MappedText text{out->text_, out->pieces_};
  out->pieces_.clear();
  if (IsAscii(value)) {
    out->text_.resize(value.size());
    FoldWords(LowercaseAndScanAscii(value, out->text_.data()), text);
    return;
  }

  const bool non_ascii_word_chars = FoldUnicode(value, text);
  FoldWords(LowercaseFolded(&out->text_, non_ascii_word_chars), text);
}

NormalizedText Normalizer::Normalize(std::string_view value) {
  NormalizedText folded;
  Normalize(value, &folded);
  return folded;
}

bool UseAvx2ForTesting(bool use) {
#if defined(__SSE2__) && defined(__x86_64__)
  use_avx2 = use && __builtin_cpu_supports("avx2");
  return use_avx2;
#else
  (void)use;
  return false;
#endif
}

}  // namespace adflag

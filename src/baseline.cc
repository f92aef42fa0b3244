#include "adflag/baseline.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "adflag/diagnostic.h"
#include "adflag/line_reader.h"
#include "adflag/redaction.h"

namespace adflag {
namespace {

// The hex digits of a fingerprint's hash (128 bits).
constexpr size_t kFingerprintHexDigits = 32;
constexpr std::string_view kPlainPrefix = "sha256:";
constexpr std::string_view kKeyedPrefix = "hmac:";
// Leads the hashed input, so that a later change of what goes into a
// fingerprint can be told apart.
constexpr std::string_view kFingerprintVersion = "adflag fingerprint 1\n";

// Returns the first `hex_digits` hex digits of `digest`.
std::string HexDigits(const unsigned char* digest, unsigned int size,
                      size_t hex_digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size && hex.size() < hex_digits; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

bool IsSpace(char byte) {
  return byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r' ||
         byte == '\f' || byte == '\v';
}

// Appends texts to a string with every run of white space made one space,
// and none at either end, as if they were one text.
class Collapser {
 public:
  explicit Collapser(std::string* out) : out_(*out) {}

  // Appends `text`, a word apart from what came before.
  void Append(std::string_view text) {
    if (any_) pending_space_ = true;
    size_t pos = 0;
#if defined(__SSE2__)
    for (; pos + 16 <= text.size(); pos += 16) {
      if (!AppendPlainBlock(text.data() + pos)) {
        AppendBytes(text.substr(pos, 16));
      }
    }
#endif
    AppendBytes(text.substr(pos));
  }

 private:
#if defined(__SSE2__)
  // Appends 16 bytes at once when their white space needs no change, as
  // in most prose: single spaces only, and none that doubles the pending
  // one or leads the text. Returns false, having appended nothing,
  // otherwise.
  bool AppendPlainBlock(const char* block) {
    const __m128i bytes =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    // Bytes of 0x80 and over compare below '\t' as signed: never spaces.
    const __m128i controls =
        _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('\t' - 1)),
                      _mm_cmplt_epi8(bytes, _mm_set1_epi8('\r' + 1)));
    const auto spaces = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(' '))));
    const bool starts_with_space = (spaces & 1) != 0;
    if (_mm_movemask_epi8(controls) != 0 || (spaces & (spaces >> 1)) != 0 ||
        (starts_with_space && (pending_space_ || !any_))) {
      return false;
    }

    if (pending_space_) out_.push_back(' ');
    const bool ends_with_space = (spaces & 0x8000) != 0;
    out_.append(block, ends_with_space ? 15 : 16);
    pending_space_ = ends_with_space;
    any_ = true;
    return true;
  }
#endif

  void AppendBytes(std::string_view bytes) {
    for (char byte : bytes) {
      if (IsSpace(byte)) {
        pending_space_ = any_;
        continue;
      }
      if (pending_space_) out_.push_back(' ');
      out_.push_back(byte);
      pending_space_ = false;
      any_ = true;
    }
  }

  std::string& out_;
  // Something was appended, and white space came after it.
  bool any_ = false;
  bool pending_space_ = false;
};

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// Returns true when `fingerprint` is one, and sets *keyed to its kind.
bool ParseFingerprint(std::string_view fingerprint, bool* keyed) {
  *keyed = fingerprint.starts_with(kKeyedPrefix);
  if (!*keyed && !fingerprint.starts_with(kPlainPrefix)) return false;
  std::string_view hex =
      fingerprint.substr((*keyed ? kKeyedPrefix : kPlainPrefix).size());
  return hex.size() == kFingerprintHexDigits && IsLowerHex(hex);
}

// True when the id of a baseline record is where its listing stood
// ("SOURCE:LINE"), as for a listing without an id: such an id names
// another listing in another night's file, so it says nothing of change.
bool IsPlaceId(const Listing& record) {
  const std::vector<FieldValue>& source = record.values[1];
  const std::vector<FieldValue>& line = record.values[2];
  if (source.size() != 1 || line.size() != 1) return false;
  return record.id == source[0].text + ":" + line[0].text;
}

// True when a baseline record written with --all says its listing was
// not flagged: it was never before a reviewer, so it has not been seen.
bool WasNotFlagged(const Listing& record) {
  const std::vector<FieldValue>& flagged = record.values[3];
  return flagged.size() == 1 && flagged[0].text == "false";
}

std::string NotARecord(const std::string& place, const std::string& reason) {
  return place + ": not a baseline record: " + reason +
         " (--baseline takes the JSONL output of an earlier adflag scan)";
}

}  // namespace

const char* BaselineStatusName(BaselineStatus status) {
  switch (status) {
    case BaselineStatus::kNew:
      return "new";
    case BaselineStatus::kChanged:
      return "changed";
    case BaselineStatus::kSeen:
      return "seen";
  }
  return "new";
}

struct Fingerprinter::Digest {
  Digest()
      : sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
        context(EVP_MD_CTX_new()) {}
  ~Digest() {
    EVP_MD_CTX_free(context);
    EVP_MD_free(sha256);
  }

  // Returns the first `hex_digits` hex digits of the SHA-256 of `data`.
  std::string Hex(std::string_view data, size_t hex_digits) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestInit_ex(context, sha256 ? sha256 : EVP_sha256(), nullptr);
    EVP_DigestUpdate(context, data.data(), data.size());
    EVP_DigestFinal_ex(context, digest, &size);
    return HexDigits(digest, size, hex_digits);
  }

  EVP_MD* sha256;
  EVP_MD_CTX* context;
};

Fingerprinter::Fingerprinter(std::string key)
    : key_(std::move(key)), digest_(std::make_unique<Digest>()) {}

Fingerprinter::~Fingerprinter() = default;

std::string Fingerprinter::Compute(const RulePack& pack, const Listing& listing,
                                   const std::vector<int>& text_fields,
                                   const Verdict& verdict,
                                   const Matcher* matcher) {
  // The text fields joined, folded as the rules see them. Folding a value
  // never reaches across the line break between values, so folding each
  // value on its own gives the same text as folding them joined.
  input_.assign(kFingerprintVersion);
  Collapser collapsed(&input_);
  for (int field : text_fields) {
    const std::vector<FieldValue>& values = listing.values[field];
    for (size_t position = 0; position < values.size(); ++position) {
      collapsed.Append(FoldedText(field, position, values[position], matcher));
    }
  }
  input_.push_back('\n');

  std::vector<std::string_view> rules;
  for (const auto* matches : {&verdict.counted, &verdict.shadow}) {
    for (const RuleMatch& match : *matches) {
      rules.push_back(pack.rules[match.rule].id);
    }
  }
  std::sort(rules.begin(), rules.end());
  for (size_t r = 0; r < rules.size(); ++r) {
    if (r > 0) input_.push_back(',');
    input_.append(rules[r]);
  }

  if (key_.empty()) {
    return std::string(kPlainPrefix) +
           digest_->Hex(input_, kFingerprintHexDigits);
  }
  return std::string(kKeyedPrefix) +
         HmacSha256Hex(key_, input_, kFingerprintHexDigits);
}

std::string_view Fingerprinter::FoldedText(int field, size_t position,
                                           const FieldValue& value,
                                           const Matcher* matcher) {
  const NormalizedText* folded =
      matcher != nullptr ? matcher->FoldedValue(field, position) : nullptr;
  if (folded != nullptr) return folded->text();

  normalizer_.Normalize(value.text, &folded_);
  return folded_.text();
}

bool Baseline::Load(const std::string& path, uint64_t max_line_bytes,
                    bool keyed, Baseline* baseline, std::string* error) {
  std::unique_ptr<LineReader> reader =
      LineReader::Open(path, max_line_bytes, error);
  if (reader == nullptr) {
    *error = "--baseline: " + *error;
    return false;
  }
  ListingFields fields;
  fields.id_field = "/id";
  fields.text_fields = {"/fingerprint", "/source", "/line", "/flagged"};
  ListingParser parser(fields);
  Listing record;
  Line line;

  while (reader->Next(&line)) {
    if (IsBlankLine(line.content())) continue;
    const std::string place = FormatLinePlace(reader->name(), line.number);
    RejectReason reason;
    if (line.too_long) {
      *error = NotARecord(place, TooLongReason(max_line_bytes).message);
      return false;
    }
    if (!parser.Parse(line.content(), &record, &reason)) {
      *error = NotARecord(
          FormatLinePlace(reader->name(), line.number, reason.column),
          reason.message);
      return false;
    }

    if (!record.has_id) {
      *error = NotARecord(place, "it has no \"id\"");
      return false;
    }
    const std::vector<FieldValue>& values = record.values[0];
    bool record_keyed = false;
    if (values.empty()) {
      *error = NotARecord(place,
                          "it has no \"fingerprint\" (written by an adflag "
                          "without baselines, or by another program)");
      return false;
    }
    if (values.size() != 1 || values[0].index >= 0 ||
        !ParseFingerprint(values[0].text, &record_keyed)) {
      *error = NotARecord(place,
                          "its \"fingerprint\" is not \"sha256:\" or "
                          "\"hmac:\" and 32 hex digits");
      return false;
    }
    if (record_keyed != keyed) {
      *error = place + (record_keyed
                            ? ": the baseline was written with --redact; "
                              "compare with it in a run with --redact and "
                              "the same key"
                            : ": the baseline was written without --redact; "
                              "a redacted run can only compare with a "
                              "redacted baseline");
      return false;
    }

    ++baseline->records_;
    if (WasNotFlagged(record)) continue;
    if (!IsPlaceId(record)) baseline->ids_.insert(record.id);
    baseline->fingerprints_.insert(values[0].text);
  }
  if (!reader->error().empty()) {
    *error = "--baseline: " + reader->error();
    return false;
  }
  return true;
}

BaselineStatus Baseline::StatusOf(std::string_view id,
                                  std::string_view fingerprint) const {
  if (fingerprints_.count(std::string(fingerprint)) > 0) {
    return BaselineStatus::kSeen;
  }
  if (!id.empty() && ids_.count(std::string(id)) > 0) {
    return BaselineStatus::kChanged;
  }
  return BaselineStatus::kNew;
}

}  // namespace adflag

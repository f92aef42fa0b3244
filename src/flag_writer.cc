#include "adflag/flag_writer.h"

#include <charconv>

namespace adflag {
namespace {

// Appends `text` as a JSON string. The text is valid UTF-8 (the parser
// repairs input), so only quotes, backslashes and control characters need
// escaping.
void AppendString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;

    out->append(text.substr(run, i - run));
    run = i + 1;
    switch (byte) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[byte >> 4]);
        out->push_back(kHex[byte & 0xf]);
    }
  }
  out->append(text.substr(run));
  out->push_back('"');
}

// Appends a number in its shortest form that reads back the same.
template <typename Number>
void AppendNumber(Number value, std::string* out) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, result.ptr);
}

// Appends `"key":`.
void AppendKey(std::string_view key, std::string* out) {
  AppendString(key, out);
  out->push_back(':');
}

// Returns the value a hit was found in.
std::string_view HitValue(const Listing& listing, const Hit& hit) {
  for (const FieldValue& value : listing.values[hit.field]) {
    if (value.index == hit.value_index) return value.text;
  }
  return {};
}

void AppendHit(const CompiledPack& pack, const Listing& listing, const Hit& hit,
               std::string* out) {
  std::string_view value = HitValue(listing, hit);
  size_t end = std::min(hit.span.end, value.size());
  size_t start = std::min(hit.span.start, end);
  out->append("{\"field\":");
  AppendString(pack.fields()[hit.field], out);
  if (hit.value_index >= 0) {
    out->append(",\"index\":");
    AppendNumber(hit.value_index, out);
  }
  out->append(",\"start\":");
  AppendNumber(start, out);
  out->append(",\"end\":");
  AppendNumber(end, out);
  out->append(",\"text\":");
  AppendString(value.substr(start, end - start), out);
  out->push_back('}');
}

void AppendRule(const CompiledPack& pack, const Listing& listing,
                const RuleMatch& match, std::string* out) {
  const Rule& rule = pack.pack().rules[match.rule];
  out->append("{\"id\":");
  AppendString(rule.id, out);
  out->append(",\"category\":");
  AppendString(rule.category, out);
  out->append(",\"weight\":");
  AppendNumber(rule.weight, out);
  out->append(",\"hits\":[");
  for (size_t h = 0; h < match.hits.size(); ++h) {
    if (h > 0) out->push_back(',');
    AppendHit(pack, listing, match.hits[h], out);
  }
  out->push_back(']');
  if (!rule.requires_rules.empty()) {
    out->append(",\"requires\":[");
    for (size_t r = 0; r < rule.requires_rules.size(); ++r) {
      if (r > 0) out->push_back(',');
      AppendString(rule.requires_rules[r], out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

void AppendRules(const CompiledPack& pack, const Listing& listing,
                 const std::vector<RuleMatch>& matches, std::string* out) {
  out->push_back('[');
  for (size_t m = 0; m < matches.size(); ++m) {
    if (m > 0) out->push_back(',');
    AppendRule(pack, listing, matches[m], out);
  }
  out->push_back(']');
}

}  // namespace

std::string ListingId(const ListingRecord& record) {
  if (record.listing->has_id) return record.listing->id;
  return *record.source + ":" + std::to_string(record.line);
}

FlagWriter::FlagWriter(const CompiledPack& pack, OutputOptions options)
    : pack_(pack), options_(std::move(options)) {}

void FlagWriter::Append(const ListingRecord& record, std::string* out) const {
  const Listing& listing = *record.listing;
  const Verdict& verdict = *record.verdict;
  out->append("{\"id\":");
  AppendString(ListingId(record), out);
  out->append(",\"source\":");
  AppendString(*record.source, out);
  out->append(",\"line\":");
  AppendNumber(record.line, out);
  out->append(",\"score\":");
  AppendNumber(verdict.score, out);
  out->append(",\"level\":");
  AppendString(LevelName(verdict.level), out);
  if (options_.all) {
    out->append(record.flagged ? ",\"flagged\":true" : ",\"flagged\":false");
  }
  out->append(",\"rules\":");
  AppendRules(pack_, listing, verdict.counted, out);
  out->append(",\"shadow\":");
  AppendRules(pack_, listing, verdict.shadow, out);

  // Included fields are copied as the parser minified them.
  for (size_t i = 0; i < options_.include_fields.size(); ++i) {
    out->push_back(',');
    AppendKey(options_.include_fields[i], out);
    const auto& raw = listing.included[i];
    out->append(raw ? *raw : "null");
  }
  out->append("}\n");
}

}  // namespace adflag

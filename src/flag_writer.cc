#include "adflag/flag_writer.h"

#include <algorithm>

#include "adflag/diagnostic.h"
#include "adflag/listing_links.h"
#include "json_text.h"

namespace adflag {
namespace {

// Returns the value a hit was found in.
std::string_view HitValue(const Listing& listing, const Hit& hit) {
  for (const FieldValue& value : listing.values[hit.field]) {
    if (value.index == hit.value_index) return value.text;
  }
  return {};
}

// Appends the evidence of a hit in text. A redacted run writes the span's
// text with its contacts replaced; its offsets are those of the original
// value, or, with `redacted_offsets` (records that carry the redacted
// texts), those of the redacted value.
void AppendHit(const CompiledPack& pack, const Listing& listing, const Hit& hit,
               Redactor* redactor, bool redacted_offsets, std::string* out) {
  std::string_view value = HitValue(listing, hit);
  size_t end = std::min(hit.span.end, value.size());
  size_t start = std::min(hit.span.start, end);
  size_t shown_start = start;
  size_t shown_end = end;
  if (redactor != nullptr && redacted_offsets) {
    shown_start = redactor->RedactedOffset(value, start, false);
    shown_end = redactor->RedactedOffset(value, end, true);
  }
  out->append("{\"field\":");
  AppendJsonString(pack.fields()[hit.field], out);
  if (hit.value_index >= 0) {
    out->append(",\"index\":");
    AppendJsonNumber(hit.value_index, out);
  }
  out->append(",\"start\":");
  AppendJsonNumber(shown_start, out);
  out->append(",\"end\":");
  AppendJsonNumber(shown_end, out);
  out->append(",\"text\":");
  if (redactor != nullptr) {
    std::string text;
    redactor->RedactSpan(value, start, end, &text);
    AppendJsonString(text, out);
  } else {
    AppendJsonString(value.substr(start, end - start), out);
  }
  out->push_back('}');
}

// Appends the evidence of a condition on linking that the listing meets:
// the measure, its value, the least value the rule asks for and the entity
// (a phone, an email, a handle or a template cluster) that gave it.
void AppendLinkHit(const Rule& rule, const Hit& hit, const LinkFacts* facts,
                   const Redactor* redactor, std::string* out) {
  const auto measure = static_cast<LinkMeasure>(hit.link);
  int64_t at_least = 0;
  for (const LinkCondition& condition : rule.links) {
    if (condition.measure == measure) at_least = condition.at_least;
  }
  out->append("{\"link\":");
  AppendJsonString(LinkMeasureName(measure), out);
  out->append(",\"value\":");
  AppendJsonNumber(facts != nullptr ? facts->values[hit.link] : 0, out);
  out->append(",\"at_least\":");
  AppendJsonNumber(at_least, out);
  out->append(",\"entity\":");
  std::string_view entity;
  if (facts != nullptr) entity = facts->sources[hit.link];
  if (redactor != nullptr) {
    AppendJsonString(redactor->RedactLinkSource(entity), out);
  } else {
    AppendJsonString(entity, out);
  }
  out->push_back('}');
}

void AppendRule(const CompiledPack& pack, const OutputOptions& options,
                const ListingRecord& record, const RuleMatch& match,
                std::string* out) {
  const Listing& listing = *record.listing;
  const Rule& rule = pack.pack().rules[match.rule];
  out->append("{\"id\":");
  AppendJsonString(rule.id, out);
  out->append(",\"category\":");
  AppendJsonString(rule.category, out);
  out->append(",\"weight\":");
  AppendJsonNumber(rule.weight, out);
  out->append(",\"hits\":[");
  for (size_t h = 0; h < match.hits.size(); ++h) {
    if (h > 0) out->push_back(',');
    if (match.hits[h].link >= 0) {
      AppendLinkHit(rule, match.hits[h], record.facts, record.redactor, out);
    } else {
      AppendHit(pack, listing, match.hits[h], record.redactor,
                options.with_texts, out);
    }
  }
  out->push_back(']');
  if (!rule.requires_rules.empty()) {
    out->append(",\"requires\":[");
    for (size_t r = 0; r < rule.requires_rules.size(); ++r) {
      if (r > 0) out->push_back(',');
      AppendJsonString(rule.requires_rules[r], out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

void AppendRules(const CompiledPack& pack, const OutputOptions& options,
                 const ListingRecord& record,
                 const std::vector<RuleMatch>& matches, std::string* out) {
  out->push_back('[');
  for (size_t m = 0; m < matches.size(); ++m) {
    if (m > 0) out->push_back(',');
    AppendRule(pack, options, record, matches[m], out);
  }
  out->push_back(']');
}

// Appends the record's entities and links, with their contacts replaced
// by tokens in a redacted run.
void AppendLinking(const ListingRecord& record, std::string* out) {
  Redactor* redactor = record.redactor;
  if (record.entities != nullptr) {
    out->append(",\"entities\":");
    if (redactor != nullptr) {
      AppendEntitiesJson(redactor->RedactEntities(*record.entities), out);
    } else {
      AppendEntitiesJson(*record.entities, out);
    }
  }
  if (record.links_json != nullptr) {
    out->append(",\"links\":");
    if (redactor != nullptr) {
      redactor->RedactLinksJson(*record.links_json, out);
    } else {
      out->append(*record.links_json);
    }
  }
}

// Appends the "texts" member: [{"field":F,"index":I,"text":T}, ...], the
// pack's text fields first, then the other fields in the matcher's order.
// A redacted run writes each text with its contacts replaced.
void AppendTexts(const CompiledPack& pack, const Listing& listing,
                 Redactor* redactor, std::string* out) {
  const std::vector<std::string>& fields = pack.fields();
  const std::vector<std::string>& text_fields =
      pack.pack().settings.text_fields;
  std::vector<size_t> order;
  for (const std::string& name : text_fields) {
    auto it = std::find(fields.begin(), fields.end(), name);
    if (it != fields.end()) order.push_back(it - fields.begin());
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    if (std::find(order.begin(), order.end(), f) == order.end()) {
      order.push_back(f);
    }
  }

  out->append(",\"texts\":[");
  bool first = true;
  for (size_t f : order) {
    for (const FieldValue& value : listing.values[f]) {
      if (!first) out->push_back(',');
      first = false;
      out->append("{\"field\":");
      AppendJsonString(fields[f], out);
      if (value.index >= 0) {
        out->append(",\"index\":");
        AppendJsonNumber(value.index, out);
      }
      out->append(",\"text\":");
      if (redactor != nullptr) {
        std::string text;
        redactor->RedactText(value.text, &text);
        AppendJsonString(text, out);
      } else {
        AppendJsonString(value.text, out);
      }
      out->push_back('}');
    }
  }
  out->push_back(']');
}

}  // namespace

std::string ListingId(const ListingRecord& record) {
  if (record.listing->has_id) return record.listing->id;
  return FormatLinePlace(*record.source, record.line);
}

void RecordWriter::AppendHeader(std::string* /*out*/) const {}

FlagWriter::FlagWriter(const CompiledPack& pack, OutputOptions options)
    : pack_(pack), options_(std::move(options)) {}

void FlagWriter::Append(const ListingRecord& record, std::string* out) const {
  const Listing& listing = *record.listing;
  const Verdict& verdict = *record.verdict;
  out->append("{\"id\":");
  AppendJsonString(ListingId(record), out);
  out->append(",\"source\":");
  AppendJsonString(*record.source, out);
  out->append(",\"line\":");
  AppendJsonNumber(record.line, out);
  out->append(",\"score\":");
  AppendJsonNumber(verdict.score, out);
  out->append(",\"level\":");
  AppendJsonString(LevelName(verdict.level), out);
  if (options_.all) {
    out->append(record.flagged ? ",\"flagged\":true" : ",\"flagged\":false");
  }
  if (record.status != nullptr) {
    out->append(",\"status\":");
    AppendJsonString(record.status, out);
  }
  if (!record.fingerprint.empty()) {
    out->append(",\"fingerprint\":");
    AppendJsonString(record.fingerprint, out);
  }
  if (record.redactor != nullptr) out->append(",\"redacted\":true");
  out->append(",\"rules\":");
  AppendRules(pack_, options_, record, verdict.counted, out);
  out->append(",\"shadow\":");
  AppendRules(pack_, options_, record, verdict.shadow, out);
  AppendLinking(record, out);

  // Included fields are copied as the parser minified them.
  for (size_t i = 0; i < options_.include_fields.size(); ++i) {
    out->push_back(',');
    AppendJsonKey(options_.include_fields[i], out);
    const auto& raw = listing.included[i];
    if (!raw) {
      out->append("null");
    } else if (record.redactor != nullptr) {
      record.redactor->RedactJson(*raw, out);
    } else {
      out->append(*raw);
    }
  }
  if (options_.with_texts) {
    AppendTexts(pack_, listing, record.redactor, out);
  }
  out->append("}\n");
}

}  // namespace adflag

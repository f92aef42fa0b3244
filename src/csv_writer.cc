#include "adflag/csv_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "json_text.h"

namespace adflag {
namespace {

constexpr std::string_view kRowEnd = "\r\n";

// The columns every run has, up to the entities.
constexpr std::string_view kEvidenceColumns[] = {
    "rules",          "shadow",       "evidence_rule", "evidence_field",
    "evidence_start", "evidence_end", "evidence_text", "phones",
    "emails",         "urls",         "handles",       "obscured"};

// A field separator before every field but the first of a row.
class Row {
 public:
  explicit Row(std::string* out) : out_(*out) {}

  void Field(std::string_view text) {
    Separate();
    AppendCsvField(text, &out_);
  }

  template <typename Value>
  void Number(Value value) {
    Separate();
    AppendJsonNumber(value, &out_);
  }

  void End() { out_.append(kRowEnd); }

 private:
  void Separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }

  std::string& out_;
  bool first_ = true;
};

// The ids of the rules of `matches`, joined by spaces.
std::string RuleIds(const RulePack& pack,
                    const std::vector<RuleMatch>& matches) {
  std::string ids;
  for (const RuleMatch& match : matches) {
    if (!ids.empty()) ids.push_back(' ');
    ids += pack.rules[match.rule].id;
  }
  return ids;
}

// The distinct values of the entities of `kind` (the obscured phones with
// `obscured_only`), in order of appearance, joined by spaces.
std::string EntityValues(const std::vector<Entity>& entities, EntityKind kind,
                         bool obscured_only) {
  std::vector<std::string_view> seen;
  std::string values;
  for (const Entity& entity : entities) {
    if (entity.kind != kind || (obscured_only && !entity.obscured)) continue;
    if (std::find(seen.begin(), seen.end(), entity.value) != seen.end()) {
      continue;
    }
    seen.push_back(entity.value);
    if (!values.empty()) values.push_back(' ');
    values += entity.value;
  }
  return values;
}

// Returns the first hit in text of `matches`, or null.
const Hit* FirstTextHit(const std::vector<RuleMatch>& matches, int* rule) {
  for (const RuleMatch& match : matches) {
    for (const Hit& hit : match.hits) {
      if (hit.link >= 0) continue;
      *rule = match.rule;
      return &hit;
    }
  }
  return nullptr;
}

std::string_view HitValue(const Listing& listing, const Hit& hit) {
  for (const FieldValue& value : listing.values[hit.field]) {
    if (value.index == hit.value_index) return value.text;
  }
  return {};
}

}  // namespace

void AppendCsvField(std::string_view field, std::string* out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char byte : field) {
    if (byte == '"') out->push_back('"');
    out->push_back(byte);
  }
  out->push_back('"');
}

CsvWriter::CsvWriter(const CompiledPack& pack, OutputOptions options)
    : pack_(pack), options_(std::move(options)) {}

void CsvWriter::AppendHeader(std::string* out) const {
  Row row(out);
  for (std::string_view name : {"id", "source", "line", "score", "level"}) {
    row.Field(name);
  }
  if (options_.all) row.Field("flagged");
  if (options_.status) row.Field("status");
  row.Field("fingerprint");
  for (std::string_view name : kEvidenceColumns) row.Field(name);
  if (options_.links) {
    for (int m = 0; m < kLinkMeasureCount; ++m) {
      row.Field(LinkMeasureName(static_cast<LinkMeasure>(m)));
    }
    row.Field("cluster");
  }
  for (const std::string& field : options_.include_fields) row.Field(field);
  row.End();
}

void CsvWriter::Append(const ListingRecord& record, std::string* out) const {
  const Verdict& verdict = *record.verdict;
  Row row(out);
  row.Field(ListingId(record));
  row.Field(*record.source);
  row.Number(record.line);
  row.Number(verdict.score);
  row.Field(LevelName(verdict.level));
  if (options_.all) row.Field(record.flagged ? "true" : "false");
  if (options_.status) row.Field(record.status != nullptr ? record.status : "");
  row.Field(record.fingerprint);
  row.Field(RuleIds(pack_.pack(), verdict.counted));
  row.Field(RuleIds(pack_.pack(), verdict.shadow));
  out->push_back(',');
  AppendEvidence(record, out);

  // Entities, with tokens for contacts in a redacted run.
  std::vector<Entity> entities;
  if (record.entities != nullptr) {
    entities = record.redactor != nullptr
                   ? record.redactor->RedactEntities(*record.entities)
                   : *record.entities;
  }
  Row tail(out);
  out->push_back(',');
  for (EntityKind kind : {EntityKind::kPhone, EntityKind::kEmail,
                          EntityKind::kUrl, EntityKind::kHandle}) {
    tail.Field(EntityValues(entities, kind, false));
  }
  tail.Field(EntityValues(entities, EntityKind::kPhone, true));

  if (options_.links) {
    for (int m = 0; m < kLinkMeasureCount; ++m) {
      tail.Number(record.facts != nullptr ? record.facts->values[m] : 0);
    }
    std::string_view cluster;
    if (record.facts != nullptr) {
      cluster =
          record.facts->sources[static_cast<int>(LinkMeasure::kClusterSize)];
      if (cluster.starts_with("cluster:")) cluster.remove_prefix(8);
    }
    tail.Field(cluster);
  }
  AppendIncluded(record, out);
  out->append(kRowEnd);
}

// Appends the five evidence fields, from evidence_rule to evidence_text,
// without a separator before the first.
void CsvWriter::AppendEvidence(const ListingRecord& record,
                               std::string* out) const {
  const Verdict& verdict = *record.verdict;
  int rule = -1;
  const Hit* hit = FirstTextHit(verdict.counted, &rule);
  if (hit == nullptr) hit = FirstTextHit(verdict.shadow, &rule);
  Row row(out);
  if (hit == nullptr) {
    for (int i = 0; i < 5; ++i) row.Field("");
    return;
  }

  const std::string_view value = HitValue(*record.listing, *hit);
  const size_t end = std::min(hit->span.end, value.size());
  const size_t start = std::min(hit->span.start, end);
  std::string field = pack_.fields()[hit->field];
  if (hit->value_index >= 0) {
    field += '[';
    field += std::to_string(hit->value_index);
    field += ']';
  }
  row.Field(pack_.pack().rules[rule].id);
  row.Field(field);
  row.Number(start);
  row.Number(end);
  if (record.redactor != nullptr) {
    std::string text;
    record.redactor->RedactSpan(value, start, end, &text);
    row.Field(text);
  } else {
    row.Field(value.substr(start, end - start));
  }
}

// Appends a separator and the cell of every included field.
void CsvWriter::AppendIncluded(const ListingRecord& record,
                               std::string* out) const {
  const Listing& listing = *record.listing;
  for (size_t i = 0; i < options_.include_fields.size(); ++i) {
    out->push_back(',');
    const auto& raw = listing.included[i];
    if (!raw || *raw == "null") continue;
    std::string json;
    if (record.redactor != nullptr) {
      record.redactor->RedactJson(*raw, &json);
    } else {
      json = *raw;
    }
    const nlohmann::json value =
        nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (value.is_string()) {
      AppendCsvField(value.get<std::string>(), out);
    } else {
      AppendCsvField(json, out);
    }
  }
}

}  // namespace adflag

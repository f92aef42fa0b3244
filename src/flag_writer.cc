#include "adflag/flag_writer.h"

#include <nlohmann/json.hpp>

namespace adflag {
namespace {

using Json = nlohmann::ordered_json;

// Returns the value a hit was found in.
const std::string& HitValue(const Listing& listing, const Hit& hit) {
  static const std::string kEmpty;
  for (const FieldValue& value : listing.values[hit.field]) {
    if (value.index == hit.value_index) return value.text;
  }
  return kEmpty;
}

Json HitJson(const CompiledPack& pack, const Listing& listing, const Hit& hit) {
  const std::string& value = HitValue(listing, hit);
  size_t end = std::min(hit.span.end, value.size());
  size_t start = std::min(hit.span.start, end);
  Json json;
  json["field"] = pack.fields()[hit.field];
  if (hit.value_index >= 0) json["index"] = hit.value_index;
  json["start"] = start;
  json["end"] = end;
  json["text"] = value.substr(start, end - start);
  return json;
}

Json RulesJson(const CompiledPack& pack, const Listing& listing,
               const std::vector<RuleMatch>& matches) {
  Json rules = Json::array();
  for (const RuleMatch& match : matches) {
    const Rule& rule = pack.pack().rules[match.rule];
    Json json;
    json["id"] = rule.id;
    json["category"] = rule.category;
    json["weight"] = rule.weight;
    json["hits"] = Json::array();
    for (const Hit& hit : match.hits) {
      json["hits"].push_back(HitJson(pack, listing, hit));
    }
    if (!rule.requires_rules.empty()) json["requires"] = rule.requires_rules;
    rules.push_back(std::move(json));
  }
  return rules;
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
  Json json;
  json["id"] = ListingId(record);
  json["source"] = *record.source;
  json["line"] = record.line;
  json["score"] = verdict.score;
  json["level"] = LevelName(verdict.level);
  if (options_.all) json["flagged"] = record.flagged;
  json["rules"] = RulesJson(pack_, listing, verdict.counted);
  json["shadow"] = RulesJson(pack_, listing, verdict.shadow);
  for (size_t i = 0; i < options_.include_fields.size(); ++i) {
    const auto& raw = listing.included[i];
    json[options_.include_fields[i]] =
        raw ? Json::parse(*raw, nullptr, false) : Json(nullptr);
  }

  out->append(json.dump(-1, ' ', false, Json::error_handler_t::replace));
  out->push_back('\n');
}

}  // namespace adflag

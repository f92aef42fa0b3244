#include "adflag/listing_links.h"

#include <algorithm>
#include <utility>

#include "json_text.h"

namespace adflag {
namespace {

// Returns the index of `field` in *fields, appending it when missing.
int FieldIndex(const std::string& field, std::vector<std::string>* fields) {
  auto it = std::find(fields->begin(), fields->end(), field);
  if (it != fields->end()) return static_cast<int>(it - fields->begin());
  fields->push_back(field);
  return static_cast<int>(fields->size() - 1);
}

std::vector<int> FieldIndexes(const std::vector<std::string>& wanted,
                              std::vector<std::string>* fields) {
  std::vector<int> indexes;
  for (const std::string& field : wanted) {
    indexes.push_back(FieldIndex(field, fields));
  }
  return indexes;
}

// Appends the distinct values of `entities` of one kind as a JSON array.
void AppendValues(const std::vector<Entity>& entities, EntityKind kind,
                  bool obscured_only, std::string* out) {
  std::vector<std::string_view> seen;
  out->push_back('[');
  for (const Entity& entity : entities) {
    if (entity.kind != kind || (obscured_only && !entity.obscured)) continue;
    if (std::find(seen.begin(), seen.end(), entity.value) != seen.end()) {
      continue;
    }
    if (!seen.empty()) out->push_back(',');
    seen.push_back(entity.value);
    AppendJsonString(entity.value, out);
  }
  out->push_back(']');
}

}  // namespace

LinkFields AddLinkFields(const PackSettings& settings,
                         std::vector<std::string>* fields) {
  LinkFields link_fields;
  link_fields.entity_fields = FieldIndexes(settings.entity_fields, fields);
  link_fields.text_fields = FieldIndexes(settings.text_fields, fields);
  link_fields.city = FieldIndex(settings.city_field, fields);
  link_fields.region = FieldIndex(settings.region_field, fields);
  link_fields.time = FieldIndex(settings.time_field, fields);
  return link_fields;
}

bool PackUsesLinks(const RulePack& pack) {
  return std::any_of(pack.rules.begin(), pack.rules.end(), [](const Rule& r) {
    return !r.links.empty() && r.status != RuleStatus::kDeprecated;
  });
}

bool PackScoresLinks(const RulePack& pack) {
  return std::any_of(pack.rules.begin(), pack.rules.end(), [](const Rule& r) {
    return !r.links.empty() && r.status != RuleStatus::kDeprecated &&
           r.status != RuleStatus::kExperimental;
  });
}

ListingLinker::ListingLinker(LinkFields fields, EntityOptions options)
    : fields_(std::move(fields)), extractor_(std::move(options)) {}

void ListingLinker::Read(const Listing& listing, const std::string& id,
                         bool with_signature) {
  entities_.clear();
  for (int field : fields_.entity_fields) {
    for (const FieldValue& value : listing.values[field]) {
      extractor_.Extract(value.text, &entities_);
    }
  }
  if (!with_signature) return;

  // The template is read from the text fields joined, as one text.
  joined_.clear();
  for (int field : fields_.text_fields) {
    for (const FieldValue& value : listing.values[field]) {
      joined_.append(value.text);
      joined_.push_back('\n');
    }
  }
  normalizer_.Normalize(joined_, &folded_);
  signature_ = ComputeSignature(folded_.text());

  posting_.id = id;
  posting_.city = FirstValue(listing, fields_.city);
  posting_.region = FirstValue(listing, fields_.region);
  posting_.posted_at = FirstValue(listing, fields_.time);
}

std::string ListingLinker::FirstValue(const Listing& listing, int field) const {
  if (field < 0 || listing.values[field].empty()) return "";
  return listing.values[field].front().text;
}

void AppendEntitiesJson(const std::vector<Entity>& entities, std::string* out) {
  const std::pair<EntityKind, const char*> kinds[] = {
      {EntityKind::kPhone, "phones"},
      {EntityKind::kEmail, "emails"},
      {EntityKind::kUrl, "urls"},
      {EntityKind::kHandle, "handles"}};
  out->push_back('{');
  for (const auto& [kind, name] : kinds) {
    AppendJsonKey(name, out);
    AppendValues(entities, kind, false, out);
    out->push_back(',');
  }
  AppendJsonKey("obscured", out);
  AppendValues(entities, EntityKind::kPhone, true, out);
  out->push_back('}');
}

}  // namespace adflag

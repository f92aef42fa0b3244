#include "adflag/links.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "json_text.h"
#include "sorted_strings.h"

namespace adflag {
namespace {

// The first line of a summary file names its format and version.
constexpr std::string_view kSummaryFormat = "adflag-link-summary";
constexpr int kSummaryVersion = 1;

// The prefixes of LinkIndex keys, by EntityKind; URLs are not linked.
const char* KeyPrefix(EntityKind kind) {
  switch (kind) {
    case EntityKind::kPhone:
      return "phone";
    case EntityKind::kEmail:
      return "email";
    case EntityKind::kHandle:
      return "handle";
    case EntityKind::kUrl:
      return nullptr;
  }
  return nullptr;
}

// Widens [*first, *last] to take in `time`; empty strings are unknown.
void AddTime(const std::string& time, std::string* first, std::string* last) {
  if (time.empty()) return;
  if (first->empty() || time < *first) *first = time;
  if (last->empty() || time > *last) *last = time;
}

void MergeStats(const EntityStats& other, EntityStats* stats) {
  stats->listings += other.listings;
  MergeSorted(other.cities, &stats->cities);
  MergeSorted(other.regions, &stats->regions);
  AddTime(other.first_posted, &stats->first_posted, &stats->last_posted);
  AddTime(other.last_posted, &stats->first_posted, &stats->last_posted);
  MergeSorted(other.sample_ids, &stats->sample_ids, LinkIndex::kSampleIds);
}

// The distinct linked keys of a listing's entities, in first-seen order.
std::vector<std::string> DistinctKeys(const std::vector<Entity>& entities) {
  std::vector<std::string> keys;
  for (const Entity& entity : entities) {
    std::string key = EntityKey(entity);
    if (key.empty()) continue;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

// The distinct phones of a listing, in E.164, sorted.
std::vector<std::string> DistinctPhones(const std::vector<Entity>& entities) {
  std::vector<std::string> phones;
  for (const Entity& entity : entities) {
    if (entity.kind == EntityKind::kPhone) phones.push_back(entity.value);
  }
  std::sort(phones.begin(), phones.end());
  phones.erase(std::unique(phones.begin(), phones.end()), phones.end());
  return phones;
}

void AppendStringArray(const std::vector<std::string>& items,
                       std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(items[i], out);
  }
  out->push_back(']');
}

// How an entity's cities and regions are written: counted, in an output
// record, or listed, in a summary, so that shards merge exactly.
enum class PlaceSets { kCounted, kListed };

// Appends the members of one entity's aggregates.
void AppendStatsMembers(const EntityStats& stats, PlaceSets places,
                        std::string* out) {
  out->append(",\"listings\":");
  AppendJsonNumber(stats.listings, out);
  for (const auto& [name, set] :
       {std::pair<const char*, const std::vector<std::string>*>{"cities",
                                                                &stats.cities},
        {"regions", &stats.regions}}) {
    out->append(",");
    AppendJsonKey(name, out);
    if (places == PlaceSets::kCounted) {
      AppendJsonNumber(set->size(), out);
    } else {
      AppendStringArray(*set, out);
    }
  }
  out->append(",\"first\":");
  AppendJsonString(stats.first_posted, out);
  out->append(",\"last\":");
  AppendJsonString(stats.last_posted, out);
  out->append(",\"ids\":");
  AppendStringArray(stats.sample_ids, out);
}

// Reads a JSON array of strings into *out. Returns false when `json` is
// not one.
template <typename Container>
bool ReadStrings(const nlohmann::json& json, Container* out) {
  if (!json.is_array()) return false;
  for (const nlohmann::json& item : json) {
    if (!item.is_string()) return false;
    out->insert(out->end(), item.get<std::string>());
  }
  return true;
}

// Reads a JSON array of strings into *set, sorted and without repeats, as
// an EntityStats keeps its places. Returns false when `json` is not one.
bool ReadSortedSet(const nlohmann::json& json, std::vector<std::string>* set) {
  if (!ReadStrings(json, set)) return false;
  std::sort(set->begin(), set->end());
  set->erase(std::unique(set->begin(), set->end()), set->end());
  return true;
}

// Reads one entity line of a summary into *key and *stats.
bool ReadEntityJson(const nlohmann::json& json, std::string* key,
                    EntityStats* stats) {
  if (!json.is_object() || !json.contains("key") || !json["key"].is_string() ||
      !json.contains("listings") || !json["listings"].is_number_unsigned()) {
    return false;
  }
  *key = json["key"].get<std::string>();
  stats->listings = json["listings"].get<uint64_t>();
  for (const char* member : {"first", "last"}) {
    if (!json.contains(member) || !json[member].is_string()) return false;
  }
  stats->first_posted = json["first"].get<std::string>();
  stats->last_posted = json["last"].get<std::string>();
  return json.contains("cities") && json.contains("regions") &&
         json.contains("ids") &&
         ReadSortedSet(json["cities"], &stats->cities) &&
         ReadSortedSet(json["regions"], &stats->regions) &&
         ReadStrings(json["ids"], &stats->sample_ids) &&
         stats->sample_ids.size() <= LinkIndex::kSampleIds &&
         std::adjacent_find(stats->sample_ids.begin(), stats->sample_ids.end(),
                            std::greater_equal<>()) == stats->sample_ids.end();
}

// True when `json` is a summary's first line, of any version.
bool IsSummaryHeader(const nlohmann::json& json) {
  auto has = [&](const char* member) { return json.contains(member); };
  return json.is_object() && has("format") && json["format"].is_string() &&
         json["format"] == kSummaryFormat && has("version") &&
         json["version"].is_number_integer() && has("listings") &&
         json["listings"].is_number_unsigned() && has("entities") &&
         json["entities"].is_number_unsigned();
}

// Turns the template index's error `message`, "line N: what", into the
// line of the summary it names, counting from `first_line`, and what.
size_t TemplateErrorLine(std::string* message, size_t first_line) {
  size_t line = 0;
  const size_t colon = message->find(": ");
  if (std::sscanf(message->c_str(), "line %zu:", &line) != 1 || line == 0 ||
      colon == std::string::npos) {
    return first_line;
  }
  message->erase(0, colon + 2);
  return first_line + line - 1;
}

std::string LineError(const std::string& source, size_t line,
                      const std::string& message) {
  return source + ":" + std::to_string(line) + ": " + message;
}

// Splits off the first line of *data (without its newline).
std::string_view TakeLine(std::string_view* data) {
  const size_t end = data->find('\n');
  std::string_view line = data->substr(0, end);
  data->remove_prefix(end == std::string_view::npos ? data->size() : end + 1);
  return line;
}

}  // namespace

void LinkFacts::Raise(LinkMeasure measure, int64_t value,
                      std::string_view source) {
  const int m = static_cast<int>(measure);
  if (value <= values[m]) return;
  values[m] = value;
  sources[m] = source;
}

std::string EntityKey(const Entity& entity) {
  const char* prefix = KeyPrefix(entity.kind);
  if (prefix == nullptr) return "";
  return std::string(prefix) + ":" + entity.value;
}

void LinkIndex::Add(const Posting& posting, const std::vector<Entity>& entities,
                    const TemplateSignature& signature) {
  ++listings_;
  for (const std::string& key : DistinctKeys(entities)) {
    AddEntity(key, posting);
  }
  if (!signature.empty()) {
    const std::vector<std::string> phones = DistinctPhones(entities);
    templates_.Add(signature, posting.id, phones);
  }
}

void LinkIndex::AddEntity(const std::string& key, const Posting& posting) {
  EntityStats& stats = entities_[key];
  ++stats.listings;
  if (!posting.city.empty()) AddToSorted(posting.city, &stats.cities);
  if (!posting.region.empty()) AddToSorted(posting.region, &stats.regions);
  AddTime(posting.posted_at, &stats.first_posted, &stats.last_posted);
  AddToSorted(posting.id, &stats.sample_ids, kSampleIds);
}

void LinkIndex::Merge(const LinkIndex& other) {
  listings_ += other.listings_;
  for (const auto& [key, stats] : other.entities_) {
    MergeStats(stats, &entities_[key]);
  }
  templates_.Merge(other.templates_);
}

const EntityStats* LinkIndex::Find(const Entity& entity) const {
  const std::string key = EntityKey(entity);
  if (key.empty()) return nullptr;
  auto it = entities_.find(key);
  return it == entities_.end() ? nullptr : &it->second;
}

void LinkIndex::FactsFor(const std::vector<Entity>& entities,
                         const TemplateSignature& signature,
                         LinkFacts* facts) const {
  *facts = LinkFacts();
  std::vector<std::string> obscured;
  for (const Entity& entity : entities) {
    const EntityStats* stats = Find(entity);
    const int64_t listings = stats != nullptr ? stats->listings : 1;
    switch (entity.kind) {
      case EntityKind::kPhone:
        facts->Raise(LinkMeasure::kPhoneListings, listings, entity.value);
        if (stats != nullptr) {
          facts->Raise(LinkMeasure::kPhoneCities, stats->cities.size(),
                       entity.value);
          facts->Raise(LinkMeasure::kPhoneRegions, stats->regions.size(),
                       entity.value);
        }
        if (entity.obscured && std::find(obscured.begin(), obscured.end(),
                                         entity.value) == obscured.end()) {
          obscured.push_back(entity.value);
          facts->Raise(LinkMeasure::kObscuredPhones, obscured.size(),
                       entity.value);
        }
        break;
      case EntityKind::kEmail:
        facts->Raise(LinkMeasure::kEmailListings, listings, entity.value);
        break;
      case EntityKind::kHandle:
        facts->Raise(LinkMeasure::kHandleListings, listings, entity.value);
        break;
      case EntityKind::kUrl:
        break;
    }
  }

  if (auto cluster = templates_.ClusterOf(signature)) {
    const std::string source = "cluster:" + cluster->key;
    facts->Raise(LinkMeasure::kClusterSize, cluster->size, source);
    facts->Raise(LinkMeasure::kClusterPhones, cluster->phones, source);
  }
}

void LinkIndex::AppendLinksJson(const std::vector<Entity>& entities,
                                const TemplateSignature& signature,
                                std::string* out) const {
  const std::vector<std::string> keys = DistinctKeys(entities);
  out->push_back('{');
  const std::pair<EntityKind, const char*> kinds[] = {
      {EntityKind::kPhone, "phones"},
      {EntityKind::kEmail, "emails"},
      {EntityKind::kHandle, "handles"}};
  for (const auto& [kind, name] : kinds) {
    AppendJsonKey(name, out);
    out->push_back('[');
    bool first = true;
    const std::string prefix = std::string(KeyPrefix(kind)) + ":";
    for (const std::string& key : keys) {
      auto it = entities_.find(key);
      if (key.compare(0, prefix.size(), prefix) != 0 || it == entities_.end()) {
        continue;
      }
      if (!first) out->push_back(',');
      first = false;
      out->append("{\"value\":");
      AppendJsonString(std::string_view(key).substr(prefix.size()), out);
      AppendStatsMembers(it->second, PlaceSets::kCounted, out);
      out->push_back('}');
    }
    out->append("],");
  }

  out->append("\"cluster\":");
  std::optional<TemplateCluster> cluster = templates_.ClusterOf(signature);
  if (!cluster) {
    out->append("null}");
    return;
  }
  out->append("{\"key\":");
  AppendJsonString(cluster->key, out);
  out->append(",\"size\":");
  AppendJsonNumber(cluster->size, out);
  out->append(",\"phones\":");
  AppendJsonNumber(cluster->phones, out);
  out->append(",\"ids\":");
  AppendStringArray(cluster->sample_ids, out);
  out->append("}}");
}

void LinkIndex::Write(std::string* out) const {
  out->append("{\"format\":");
  AppendJsonString(kSummaryFormat, out);
  out->append(",\"version\":");
  AppendJsonNumber(kSummaryVersion, out);
  out->append(",\"listings\":");
  AppendJsonNumber(listings_, out);
  out->append(",\"entities\":");
  AppendJsonNumber(entities_.size(), out);
  out->append("}\n");

  std::vector<const std::pair<const std::string, EntityStats>*> sorted;
  sorted.reserve(entities_.size());
  for (const auto& entry : entities_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    out->append("{\"key\":");
    AppendJsonString(entry->first, out);
    AppendStatsMembers(entry->second, PlaceSets::kListed, out);
    out->append("}\n");
  }

  std::string templates;
  templates_.Write(&templates);
  out->append(templates);
}

bool LinkIndex::Read(std::string_view data, const std::string& source,
                     LinkIndex* index, std::string* error) {
  LinkIndex read;
  const nlohmann::json header =
      nlohmann::json::parse(TakeLine(&data), nullptr, false);
  if (!IsSummaryHeader(header)) {
    *error = LineError(source, 1, "not an adflag link summary");
    return false;
  }
  if (header["version"] != kSummaryVersion) {
    *error = LineError(source, 1,
                       "summary version " + header["version"].dump() +
                           " is not supported (this adflag reads version " +
                           std::to_string(kSummaryVersion) + ")");
    return false;
  }
  read.listings_ = header["listings"].get<uint64_t>();

  const uint64_t entity_count = header["entities"].get<uint64_t>();
  for (uint64_t i = 0; i < entity_count; ++i) {
    const size_t line = static_cast<size_t>(i) + 2;
    if (data.empty()) {
      *error =
          LineError(source, line,
                    "the summary ends early: " + std::to_string(entity_count) +
                        " entities announced, " + std::to_string(i) + " found");
      return false;
    }
    const nlohmann::json json =
        nlohmann::json::parse(TakeLine(&data), nullptr, false);
    std::string key;
    EntityStats stats;
    if (!ReadEntityJson(json, &key, &stats) ||
        !read.entities_.emplace(key, std::move(stats)).second) {
      *error = LineError(source, line, "damaged entity line");
      return false;
    }
  }

  std::string template_error;
  if (!TemplateIndex::Read(data, &read.templates_, &template_error)) {
    const size_t first = static_cast<size_t>(entity_count) + 2;
    const size_t line = TemplateErrorLine(&template_error, first);
    *error =
        LineError(source, line, "damaged template clusters: " + template_error);
    return false;
  }
  *index = std::move(read);
  return true;
}

void ApplyLinkRules(const RulePack& pack, const LinkFacts& facts,
                    MatchResult* matches) {
  std::vector<RuleMatch>& fired = matches->rules;
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    const Rule& rule = pack.rules[r];
    if (rule.links.empty() || rule.status == RuleStatus::kDeprecated ||
        std::binary_search(matches->out_of_scope.begin(),
                           matches->out_of_scope.end(), static_cast<int>(r))) {
      continue;
    }
    const bool met = std::all_of(
        rule.links.begin(), rule.links.end(), [&](const LinkCondition& c) {
          return facts.values[static_cast<int>(c.measure)] >= c.at_least;
        });
    const bool has_patterns = !rule.any.empty() || !rule.all.empty();

    auto at = std::lower_bound(
        fired.begin(), fired.end(), static_cast<int>(r),
        [](const RuleMatch& match, int index) { return match.rule < index; });
    const bool patterns_fired =
        at != fired.end() && at->rule == static_cast<int>(r);
    if (!met) {
      if (patterns_fired) fired.erase(at);
      continue;
    }
    if (has_patterns && !patterns_fired) continue;
    if (!patterns_fired)
      at = fired.insert(at, RuleMatch{static_cast<int>(r), {}});
    for (const LinkCondition& condition : rule.links) {
      Hit hit;
      hit.field = -1;
      hit.link = static_cast<int>(condition.measure);
      at->hits.push_back(hit);
    }
  }
}

}  // namespace adflag

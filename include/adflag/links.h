// Linking: what a whole run knows about the contacts and text templates
// its listings share. One phone advertised in many cities, one template
// posted under many phones: signals no single listing shows.
//
// A LinkIndex gathers, over every listing of a run (or of a shard), each
// phone's, email's and handle's count of listings, distinct cities and
// regions, first and last posting time and a few listing ids, and the
// template clusters of TemplateIndex. Indexes of shards merge exactly, and
// write themselves as a summary file that `adflag link` merges, so a run
// split over machines scores every listing with the same aggregates as a
// single run.
//
// Rules read the aggregates through LinkFacts: for each LinkMeasure, the
// highest value among the listing's entities.
//
// Usage:
//   LinkIndex index;
//   index.Add(posting, entities, signature);   // every listing, pass one
//   LinkFacts facts;
//   index.FactsFor(entities, signature, &facts);  // pass two
//   ApplyLinkRules(pack, facts, &matches);
//
// A LinkIndex is not thread-safe while it is built; once built, any number
// of threads may read it.

#ifndef ADFLAG_LINKS_H_
#define ADFLAG_LINKS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adflag/entities.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/templates.h"

namespace adflag {

// What linking says of one listing: the value of every measure, and the
// entity that gave it (a phone in E.164, an email, "@handle", or
// "cluster:KEY"), empty when the value is 0.
struct LinkFacts {
  std::array<int64_t, kLinkMeasureCount> values{};
  std::array<std::string, kLinkMeasureCount> sources;

  // Sets `measure` to `value` with its source, when that is higher than
  // what it holds.
  void Raise(LinkMeasure measure, int64_t value, std::string_view source);
};

// Where and when a listing was posted, as its fields say; empty when the
// listing lacks a field.
struct Posting {
  std::string id;
  std::string city;
  std::string region;
  std::string posted_at;
};

// What a run knows of one phone, email or handle.
struct EntityStats {
  uint64_t listings = 0;
  // Distinct cities and regions, sorted: a few each, so a sorted vector
  // finds and adds one faster than a tree.
  std::vector<std::string> cities;
  std::vector<std::string> regions;
  // Smallest and largest posting time, compared as text (ISO 8601 in UTC
  // compares right).
  std::string first_posted;
  std::string last_posted;
  // The smallest listing ids, in byte order, at most kSampleIds.
  std::vector<std::string> sample_ids;

  bool operator==(const EntityStats&) const = default;
};

// The aggregates of every entity and template cluster of a run.
class LinkIndex {
 public:
  // Listing ids kept per entity and per cluster.
  static constexpr size_t kSampleIds = 5;

  // Adds one listing: its place and time, the entities extracted from it
  // and its template signature (empty for a short text). REQUIRES: each
  // listing is added once, to one index of a sharded run.
  void Add(const Posting& posting, const std::vector<Entity>& entities,
           const TemplateSignature& signature);

  // Adds every listing of `other`, another shard's index. Merging indexes
  // of disjoint listings in any order gives what one index fed every
  // listing gives.
  void Merge(const LinkIndex& other);

  // Fills *facts with the measures of a listing with these entities and
  // signature. Entities the index lacks count as seen once.
  void FactsFor(const std::vector<Entity>& entities,
                const TemplateSignature& signature, LinkFacts* facts) const;

  // Appends the `links` object of a listing's output record: the
  // aggregates of its phones, emails and handles and of its template
  // cluster, each with a few ids of linked listings.
  void AppendLinksJson(const std::vector<Entity>& entities,
                       const TemplateSignature& signature,
                       std::string* out) const;

  // Listings added, over all merged indexes.
  uint64_t listing_count() const { return listings_; }

  // Distinct entities held.
  size_t entity_count() const { return entities_.size(); }

  // Appends the index as a summary file: versioned JSON lines, entities in
  // key order, then the template clusters. Two indexes with the same
  // aggregates write the same bytes, however they were built.
  void Write(std::string* out) const;

  // Parses a summary written by Write into *index, replacing its contents.
  // Returns false with a message naming `source` and the line in *error
  // when the data is not a summary of this version or is damaged.
  static bool Read(std::string_view data, const std::string& source,
                   LinkIndex* index, std::string* error);

 private:
  // Returns the stats of an entity, or null when the index lacks it.
  const EntityStats* Find(const Entity& entity) const;

  void AddEntity(const std::string& key, const Posting& posting);
  bool ReadEntityLine(std::string_view line, std::string* error);

  // Keyed by kind and canonical value: "phone:+19155550110".
  std::unordered_map<std::string, EntityStats> entities_;
  TemplateIndex templates_;
  uint64_t listings_ = 0;
};

// Returns the key a LinkIndex files `entity` under, or empty for entities
// that are not linked (URLs: a domain such as the site's own says little).
std::string EntityKey(const Entity& entity);

// Adds to *matches every rule of `pack` with `links` conditions that
// `facts` meets: a rule with patterns only when its patterns fired, a rule
// with none on the conditions alone. Each met condition becomes a hit with
// Hit::link set. Keeps *matches in pack order.
void ApplyLinkRules(const RulePack& pack, const LinkFacts& facts,
                    MatchResult* matches);

}  // namespace adflag

#endif  // ADFLAG_LINKS_H_

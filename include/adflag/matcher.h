// The matcher finds which rules of a pack a listing fires and the evidence
// for each: the exact spans of the original field text that matched.
//
// A pack is compiled once into a CompiledPack: for every field and text
// view (raw or normalized), all patterns of all rules that read that field
// under the same `when` conditions go into one RE2::Set, so each field
// value is scanned once per view whatever the number of patterns, and a
// listing whose category rules out a family of rules skips that family's
// set. Only the patterns a set reports are then run one by one, to find
// their spans. A set that RE2 cannot fit in its memory budget is split in
// two, as often as needed.
//
// Composite rules (`requires`) are resolved by the scorer, not here.
//
// Usage:
//   auto compiled = CompiledPack::Compile(pack, &problems);
//   Matcher matcher(*compiled);          // one per thread
//   matcher.Match(listing, &matches);

#ifndef ADFLAG_MATCHER_H_
#define ADFLAG_MATCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/listing_parser.h"
#include "adflag/normalizer.h"
#include "adflag/profile.h"
#include "adflag/rule_pack.h"

namespace adflag {

// One piece of evidence: a span of one value of one field.
struct Hit {
  // Index into CompiledPack::fields().
  int field = 0;
  // Position in the field's array, or -1 for a plain value.
  int value_index = -1;
  // Bytes of the original field value.
  ByteSpan span;
  // For a rule's condition on linking that the listing meets: the
  // LinkMeasure, as an int; field is then -1 and the span empty. -1 for
  // evidence from text.
  int link = -1;
};

// A rule whose patterns fired on a listing, with its evidence in field,
// value and offset order.
struct RuleMatch {
  // Index into RulePack::rules.
  int rule = 0;
  std::vector<Hit> hits;
};

// The rules a listing fired by pattern, in pack order. Rules that only
// have `requires` are not here; the scorer adds them.
struct MatchResult {
  std::vector<RuleMatch> rules;
  // Rules that an `unless` pattern vetoed, in pack order.
  std::vector<int> vetoed;
  // Rules with `links` conditions that do not run on this listing: its
  // `when` conditions fail, or the rule is deprecated. In pack order.
  std::vector<int> out_of_scope;
};

// Counters the matcher keeps for --profile and for the benchmark.
struct MatchCounters {
  uint64_t set_scans = 0;
  uint64_t evidence_runs = 0;
  uint64_t set_fallbacks = 0;
};

// A rule pack compiled for matching. Immutable after Compile; shared by
// all matcher threads.
class CompiledPack {
 public:
  ~CompiledPack();

  // Compiles every pattern of every rule that runs (deprecated rules do
  // not). Returns null and adds diagnostics when a pattern fails to
  // compile; the rule loader has normally caught that already.
  static std::unique_ptr<CompiledPack> Compile(
      const RulePack& pack, std::vector<Diagnostic>* diagnostics);

  // The pack this was compiled from. It must outlive the CompiledPack.
  const RulePack& pack() const { return *pack_; }

  // Every field the matcher reads, rule fields and `when` fields, in a
  // fixed order: the order the listing parser must extract them in.
  const std::vector<std::string>& fields() const { return fields_; }

  // How many RE2::Sets the patterns were compiled into (more than one per
  // field and view when a set had to be split).
  int set_count() const;

 private:
  friend class Matcher;
  struct Impl;

  CompiledPack() = default;
  static void GroupPatterns(const RulePack& pack,
                            const std::vector<std::string>& fields, Impl* impl);
  static bool CompileGroups(const RulePack& pack,
                            const std::vector<std::string>& fields, Impl* impl,
                            std::vector<Diagnostic>* diagnostics);

  const RulePack* pack_ = nullptr;
  std::vector<std::string> fields_;
  std::unique_ptr<Impl> impl_;
};

// Matches listings against a compiled pack. Holds per-thread scratch
// space: one Matcher per thread.
class Matcher {
 public:
  explicit Matcher(const CompiledPack& pack);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Fills *result with the rules `listing` fires by pattern, each with its
  // evidence. REQUIRES: the listing was parsed with the fields of
  // pack.fields(), in that order.
  void Match(const Listing& listing, MatchResult* result);

  // The same, but the evidence of rules without `except` patterns is left
  // out until AddEvidence: which rules fire does not depend on it, and most
  // listings are never written. REQUIRES as for Match.
  void MatchRules(const Listing& listing, MatchResult* result);

  // Adds the evidence MatchRules left out to the rules of *result that
  // still fire, keeping every rule's hits in order. REQUIRES: `listing`
  // and *result are those of the last MatchRules call; rules may have been
  // added to or dropped from *result since.
  void AddEvidence(const Listing& listing, MatchResult* result);

  // The normalized view of value `position` of field `field` of the
  // listing of the last MatchRules call, or null when no rule read it.
  const NormalizedText* FoldedValue(int field, size_t position) const;

  // Counters accumulated over all calls to Match.
  const MatchCounters& counters() const { return counters_; }

  // Times normalization, set scans and evidence runs into *profile from
  // now on, or stops timing when `profile` is null. The profile must be
  // sized for the pack and outlive its use here.
  void set_profile(Profile* profile) { profile_ = profile; }

 private:
  struct Scratch;

  void MatchValue(const Listing& listing, int field, size_t position);
  void ScanGroup(const Listing& listing, int group, std::string_view text,
                 const NormalizedText* normalized, size_t position);
  void FindEvidence(int pattern, std::string_view text,
                    std::vector<ByteSpan>* out);
  void AddDeferredHits(const Listing& listing, int rule,
                       std::vector<Hit>* hits);
  const NormalizedText* FoldedOrFold(const FieldValue& value, int field,
                                     size_t position);
  void RunSets(int group, std::string_view text);
  bool WhenHolds(const std::vector<int>& checks, const Listing& listing);
  bool IsActive(int rule, const Listing& listing);
  void Touch(int rule);
  void Conclude(MatchResult* result);
  uint64_t* StageCounter(Stage stage) {
    return profile_ ? &profile_->stage(stage) : nullptr;
  }

  const CompiledPack& pack_;
  std::unique_ptr<Scratch> scratch_;
  MatchCounters counters_;
  Profile* profile_ = nullptr;
};

}  // namespace adflag

#endif  // ADFLAG_MATCHER_H_

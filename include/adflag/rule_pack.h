// A rule pack: the indicator rules adflag matches listings against, read
// from YAML files. A pack is a directory of *.yaml files,
// read in sorted path order and skipping anything under tests/, or a
// single file. One file may hold the `pack:` settings; any file may hold
// `rules:`.
//
// Loading checks everything that can be checked without listings: YAML
// syntax, unknown or misspelt keys, types, required keys, id syntax and
// uniqueness, weight range, RE2 syntax of every pattern, `requires` naming
// missing rules or forming a cycle. Each problem becomes a Diagnostic that
// points at the YAML node concerned, and loading goes on to report every
// problem in one run.
//
// Usage:
//   RulePack pack;
//   std::vector<Diagnostic> problems;
//   if (!LoadRulePack("rules/", &pack, &problems)) { ... print problems }

#ifndef ADFLAG_RULE_PACK_H_
#define ADFLAG_RULE_PACK_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/diagnostic.h"

namespace adflag {

// A regular expression as written in a rule file, with its place.
struct Pattern {
  std::string regex;
  SourcePos pos;
};

// A rule's lifecycle stage. Experimental rules run but only report, under
// `shadow`; deprecated rules are loaded and checked but not run.
enum class RuleStatus { kExperimental, kTest, kStable, kDeprecated };

// Returns "experimental", "test", "stable" or "deprecated".
const char* RuleStatusName(RuleStatus status);

// What linking measures for a listing, over the whole run: how many
// listings share its phone, in how many cities and regions, how many share
// its email or handle, the size of its text template's cluster and the
// phones that cluster spans, and how many of its phones are written to
// evade (spelled out, mixed with words, look-alike digits).
enum class LinkMeasure {
  kPhoneListings,
  kPhoneCities,
  kPhoneRegions,
  kEmailListings,
  kHandleListings,
  kClusterSize,
  kClusterPhones,
  kObscuredPhones,
};

// The number of LinkMeasure values.
constexpr int kLinkMeasureCount = 8;

// Returns the name rules use for `measure`, such as "phone_cities".
const char* LinkMeasureName(LinkMeasure measure);

// Parses a measure name as LinkMeasureName prints it. Returns false for
// anything else.
bool ParseLinkMeasure(std::string_view name, LinkMeasure* measure);

// A rule's condition on linking: the listing's measure is at least
// `at_least`.
struct LinkCondition {
  LinkMeasure measure = LinkMeasure::kPhoneListings;
  int64_t at_least = 1;
  SourcePos pos;
};

// A listing that a rule's examples say must or must not fire the rule.
// `links` gives the linked context of the example: the value of each
// measure it names; the others are 0.
struct Example {
  std::string text;
  SourcePos pos;
  std::map<LinkMeasure, int64_t> links;
};

// A condition on a listing's raw field text: the rule runs only on
// listings whose `field` matches `pattern`.
struct WhenClause {
  std::string field;
  Pattern pattern;
};

// One indicator rule.
struct Rule {
  std::string id;
  std::string title;
  std::string category;
  double weight = 0;
  RuleStatus status = RuleStatus::kStable;
  std::string description;
  // Fields matched by the patterns; the pack's text_fields when the rule
  // names none.
  std::vector<std::string> fields;
  std::vector<WhenClause> when;
  std::vector<Pattern> any;
  std::vector<Pattern> all;
  int min_hits = 1;
  std::vector<Pattern> except;
  std::vector<Pattern> unless;
  std::vector<std::string> requires_rules;
  // Conditions on linking, all of which must hold.
  std::vector<LinkCondition> links;
  bool case_sensitive = false;
  bool normalize = true;
  std::vector<std::string> references;
  std::vector<Example> hit_examples;
  std::vector<Example> miss_examples;
  // Where the rule starts (its `- id:` entry).
  SourcePos pos;
};

// Pack-wide settings from the `pack:` block.
struct PackSettings {
  std::string name = "unnamed";
  std::string version;
  double threshold = 0.40;
  double medium = 0.60;
  double high = 0.85;
  std::vector<std::string> text_fields = {"title", "body"};
  // Fields phones, emails, URLs and handles are taken from, for the
  // output's `entities` and for linking.
  std::vector<std::string> entity_fields = {
      "title", "body", "phone", "email", "/contact/phone", "/contact/email"};
  // Fields that say where and when a listing was posted, for linking.
  std::string city_field = "city";
  std::string region_field = "region";
  std::string time_field = "posted_at";
};

// A loaded pack: settings and rules in file order.
struct RulePack {
  PackSettings settings;
  std::vector<Rule> rules;
  // The directory or file the pack was read from.
  std::string origin;
};

// One rule file held in memory, such as a file of the built-in pack.
struct RuleFile {
  // Path used in diagnostics, relative to the pack ("youth.yaml").
  std::string path;
  std::string text;
};

// Returns the *.yaml files of a pack directory (or the single file) in
// sorted path order, skipping tests/. Returns false and adds a diagnostic
// when the path cannot be read or holds no rule file; adds a warning for a
// *.yml file, which is not read.
bool ReadRuleFiles(const std::string& path, std::vector<RuleFile>* files,
                   std::vector<Diagnostic>* diagnostics);

// Returns true when `relative_path`, a path inside a pack directory, names
// a rule file: it ends in ".yaml" and has no component named "tests".
// Lets callers holding a whole pack in memory (the built-in pack, with its
// regression tests) pick out the files that ParseRulePack should read.
bool IsRuleFilePath(const std::string& relative_path);

// Parses and checks rule files into *pack, replacing its settings and
// rules; every file given is parsed, whatever its name. A diagnostic that
// concerns the pack as a whole (it has no rules) names pack->origin when
// set. Adds a diagnostic for every problem; returns false when any of them
// is an error, and *pack is then not fit to run.
bool ParseRulePack(const std::vector<RuleFile>& files, RulePack* pack,
                   std::vector<Diagnostic>* diagnostics);

// Reads and parses the pack at `path` (ReadRuleFiles, then ParseRulePack).
bool LoadRulePack(const std::string& path, RulePack* pack,
                  std::vector<Diagnostic>* diagnostics);

}  // namespace adflag

#endif  // ADFLAG_RULE_PACK_H_

#include "adflag/examples.h"

#include <algorithm>
#include <map>
#include <set>

#include "adflag/entities.h"
#include "adflag/links.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/scorer.h"

namespace adflag {
namespace {

// Returns the fields a rule reads, with those of the rules it requires,
// transitively. The loader has refused cycles.
void CollectRuleFields(const RulePack& pack,
                       const std::map<std::string, int>& index_of, int rule,
                       std::set<std::string>* fields) {
  for (const std::string& field : pack.rules[rule].fields) {
    fields->insert(field);
  }
  for (const std::string& id : pack.rules[rule].requires_rules) {
    auto it = index_of.find(id);
    if (it != index_of.end()) {
      CollectRuleFields(pack, index_of, it->second, fields);
    }
  }
}

// Builds the listing of an example: its text in each field of `fields`.
Listing ExampleListing(const CompiledPack& compiled,
                       const std::set<std::string>& fields,
                       const std::string& text) {
  Listing listing;
  listing.values.resize(compiled.fields().size());
  for (size_t f = 0; f < compiled.fields().size(); ++f) {
    if (fields.count(compiled.fields()[f]) > 0) {
      listing.values[f].push_back({text, -1});
    }
  }
  return listing;
}

std::vector<std::string> FiredIds(const RulePack& pack,
                                  const Verdict& verdict) {
  std::vector<int> fired;
  for (const RuleMatch& match : verdict.counted) fired.push_back(match.rule);
  for (const RuleMatch& match : verdict.shadow) fired.push_back(match.rule);
  std::sort(fired.begin(), fired.end());
  std::vector<std::string> ids;
  for (int rule : fired) ids.push_back(pack.rules[rule].id);
  return ids;
}

// What linking says of an example: its text's own entities, seen once,
// and then the measures its `links` give.
LinkFacts ExampleFacts(const Example& example, EntityExtractor* extractor) {
  std::vector<Entity> entities;
  extractor->Extract(example.text, &entities);
  LinkFacts facts;
  LinkIndex().FactsFor(entities, TemplateSignature(), &facts);
  for (const auto& [measure, value] : example.links) {
    facts.values[static_cast<int>(measure)] = value;
    facts.sources[static_cast<int>(measure)] = "example";
  }
  return facts;
}

// The pack with every `when` removed, since examples carry no other field.
RulePack WithoutConditions(const RulePack& pack) {
  RulePack copy = pack;
  for (Rule& rule : copy.rules) rule.when.clear();
  return copy;
}

}  // namespace

bool RunRuleExamples(const RulePack& pack, ExampleReport* report,
                     std::vector<Diagnostic>* diagnostics) {
  RulePack runnable = WithoutConditions(pack);
  auto compiled = CompiledPack::Compile(runnable, diagnostics);
  if (compiled == nullptr) return false;
  Matcher matcher(*compiled);
  Scorer scorer(runnable);
  EntityExtractor extractor;
  std::map<std::string, int> index_of;
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    index_of[pack.rules[r].id] = static_cast<int>(r);
  }

  for (size_t r = 0; r < runnable.rules.size(); ++r) {
    const Rule& rule = runnable.rules[r];
    if (rule.status == RuleStatus::kDeprecated) continue;
    std::set<std::string> fields;
    CollectRuleFields(runnable, index_of, static_cast<int>(r), &fields);
    auto run = [&](const Example& example, bool expected_hit) {
      Listing listing = ExampleListing(*compiled, fields, example.text);
      MatchResult matches;
      matcher.Match(listing, &matches);
      ApplyLinkRules(runnable, ExampleFacts(example, &extractor), &matches);
      Verdict verdict;
      scorer.Score(matches, &verdict);
      std::vector<std::string> fired = FiredIds(runnable, verdict);
      bool hit = std::count(fired.begin(), fired.end(), rule.id) > 0;
      if (hit == expected_hit) {
        ++report->passed;
      } else {
        report->failures.push_back({rule.id, example, expected_hit, fired});
      }
    };
    for (const Example& example : rule.hit_examples) run(example, true);
    for (const Example& example : rule.miss_examples) run(example, false);
  }
  return true;
}

Diagnostic ExampleDiagnostic(const ExampleFailure& failure) {
  std::string message =
      failure.expected_hit
          ? "example should fire rule '" + failure.rule_id + "' but did not"
          : "example should not fire rule '" + failure.rule_id + "' but did";
  return {failure.example.pos, Severity::kError, message};
}

}  // namespace adflag

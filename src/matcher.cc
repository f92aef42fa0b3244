#include "adflag/matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace adflag {
namespace {

// Which text of a field value a rule reads.
enum class View { kRaw = 0, kNormalized = 1 };

// What a pattern does in its rule.
enum class Role { kAny, kAll, kExcept, kUnless };

// RE2's memory budgets. A single pattern gets RE2's default; a set holds
// many patterns and gets more before it is split.
constexpr int64_t kPatternMaxMem = 8 << 20;
constexpr int64_t kSetMaxMem = 16 << 20;

// At most this many spans of one pattern in one value are kept as
// evidence; a reviewer needs the first few, not every repetition.
constexpr int kMaxSpansPerPattern = 16;

RE2::Options PatternOptions(int64_t max_mem) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_case_sensitive(true);
  options.set_max_mem(max_mem);
  return options;
}

// Returns the pattern as the sets and the evidence runs compile it: case
// folding is written into the pattern so one set can hold rules of both
// kinds.
std::string EffectiveRegex(const std::string& regex, bool case_sensitive) {
  return case_sensitive ? "(?:" + regex + ")" : "(?i:" + regex + ")";
}

}  // namespace

// One compiled pattern of one rule.
struct CompiledPattern {
  int rule = 0;
  Role role = Role::kAny;
  int index = 0;
  std::unique_ptr<RE2> regex;
};

// The patterns read from one field in one view, in one or more sets.
struct SetGroup {
  int field = 0;
  View view = View::kRaw;
  // The `when` checks every rule of the group states.
  std::vector<int> when_checks;
  std::vector<int> patterns;
  std::vector<std::unique_ptr<RE2::Set>> sets;
  // set_patterns[s][k]: the pattern behind entry k of sets[s].
  std::vector<std::vector<int>> set_patterns;
};

// A `when` condition, shared by every rule that states the same one.
struct WhenCheck {
  int field = 0;
  std::unique_ptr<RE2> regex;
};

// What the matcher needs to know of each rule.
struct RuleShape {
  bool runs = false;
  int any_count = 0;
  int all_count = 0;
  int min_hits = 1;
  bool has_patterns = false;
  // Whether the rule has `except` patterns, whose spans decide which hits
  // count, so its evidence cannot wait until the listing is written.
  bool has_except = false;
  std::vector<int> when_checks;
};

struct CompiledPack::Impl {
  std::vector<CompiledPattern> patterns;
  std::vector<SetGroup> groups;
  // groups_of_field[f]: indexes into groups reading field f.
  std::vector<std::vector<int>> groups_of_field;
  std::vector<WhenCheck> when_checks;
  std::vector<RuleShape> rules;
  // Rules with conditions on linking, in pack order.
  std::vector<int> link_rules;
};

namespace {

// Builds the field list: every rule field and `when` field, first seen
// first.
std::vector<std::string> CollectFields(const RulePack& pack) {
  std::vector<std::string> fields;
  auto add = [&fields](const std::string& field) {
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      fields.push_back(field);
    }
  };
  for (const Rule& rule : pack.rules) {
    if (rule.status == RuleStatus::kDeprecated) continue;
    for (const std::string& field : rule.fields) add(field);
    for (const WhenClause& when : rule.when) add(when.field);
  }
  return fields;
}

int IndexOf(const std::vector<std::string>& fields, const std::string& name) {
  auto it = std::find(fields.begin(), fields.end(), name);
  return static_cast<int>(it - fields.begin());
}

std::unique_ptr<RE2> CompileOne(const Pattern& pattern, bool case_sensitive,
                                std::vector<Diagnostic>* diagnostics) {
  auto regex =
      std::make_unique<RE2>(EffectiveRegex(pattern.regex, case_sensitive),
                            PatternOptions(kPatternMaxMem));
  if (regex->ok()) return regex;

  diagnostics->push_back(
      {pattern.pos, Severity::kError, "invalid pattern: " + regex->error()});
  return nullptr;
}

// Compiles the patterns [begin, end) of a group into one set, or splits
// the range in two when RE2 cannot fit it in its memory budget.
bool CompileSets(const std::vector<CompiledPattern>& patterns,
                 const std::vector<int>& ids, size_t begin, size_t end,
                 SetGroup* group) {
  auto set =
      std::make_unique<RE2::Set>(PatternOptions(kSetMaxMem), RE2::UNANCHORED);
  std::vector<int> members;
  for (size_t i = begin; i < end; ++i) {
    const CompiledPattern& pattern = patterns[ids[i]];
    if (set->Add(pattern.regex->pattern(), nullptr) < 0) return false;
    members.push_back(ids[i]);
  }
  if (set->Compile()) {
    group->sets.push_back(std::move(set));
    group->set_patterns.push_back(std::move(members));
    return true;
  }
  if (end - begin < 2) return false;

  size_t middle = begin + (end - begin) / 2;
  return CompileSets(patterns, ids, begin, middle, group) &&
         CompileSets(patterns, ids, middle, end, group);
}

}  // namespace

CompiledPack::~CompiledPack() = default;

int CompiledPack::set_count() const {
  int count = 0;
  for (const SetGroup& group : impl_->groups) {
    count += static_cast<int>(group.sets.size());
  }
  return count;
}

namespace {

// Adds the compiled patterns of one role of one rule.
bool AddRolePatterns(int rule_index, const Rule& rule, Role role,
                     const std::vector<Pattern>& patterns,
                     std::vector<CompiledPattern>* out,
                     std::vector<Diagnostic>* diagnostics) {
  bool ok = true;
  for (size_t i = 0; i < patterns.size(); ++i) {
    auto regex = CompileOne(patterns[i], rule.case_sensitive, diagnostics);
    if (regex == nullptr) {
      ok = false;
      continue;
    }
    out->push_back({rule_index, role, static_cast<int>(i), std::move(regex)});
  }
  return ok;
}

// Returns the index of the `when` check for (field, regex), adding it when
// it is new.
int AddWhenCheck(int field, const std::string& regex,
                 std::map<std::pair<int, std::string>, int>* known,
                 std::vector<WhenCheck>* checks,
                 std::vector<Diagnostic>* diagnostics, const Pattern& source) {
  auto key = std::make_pair(field, regex);
  auto it = known->find(key);
  if (it != known->end()) return it->second;

  auto compiled = CompileOne(source, /*case_sensitive=*/false, diagnostics);
  if (compiled == nullptr) return -1;
  checks->push_back({field, std::move(compiled)});
  int index = static_cast<int>(checks->size()) - 1;
  known->emplace(key, index);
  return index;
}

}  // namespace

std::unique_ptr<CompiledPack> CompiledPack::Compile(
    const RulePack& pack, std::vector<Diagnostic>* diagnostics) {
  std::unique_ptr<CompiledPack> compiled(new CompiledPack);
  compiled->pack_ = &pack;
  compiled->fields_ = CollectFields(pack);
  compiled->impl_ = std::make_unique<Impl>();
  Impl& impl = *compiled->impl_;
  const std::vector<std::string>& fields = compiled->fields_;

  // Compile each rule's patterns and conditions.
  bool ok = true;
  std::map<std::pair<int, std::string>, int> known_whens;
  impl.rules.resize(pack.rules.size());
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    const Rule& rule = pack.rules[r];
    RuleShape& shape = impl.rules[r];
    if (rule.status == RuleStatus::kDeprecated) continue;

    int index = static_cast<int>(r);
    shape.runs = true;
    shape.any_count = static_cast<int>(rule.any.size());
    shape.all_count = static_cast<int>(rule.all.size());
    shape.min_hits = rule.min_hits;
    shape.has_patterns = !rule.any.empty() || !rule.all.empty();
    shape.has_except = !rule.except.empty();
    if (!rule.links.empty()) impl.link_rules.push_back(index);
    ok &= AddRolePatterns(index, rule, Role::kAny, rule.any, &impl.patterns,
                          diagnostics);
    ok &= AddRolePatterns(index, rule, Role::kAll, rule.all, &impl.patterns,
                          diagnostics);
    ok &= AddRolePatterns(index, rule, Role::kExcept, rule.except,
                          &impl.patterns, diagnostics);
    ok &= AddRolePatterns(index, rule, Role::kUnless, rule.unless,
                          &impl.patterns, diagnostics);
    for (const WhenClause& when : rule.when) {
      int check = AddWhenCheck(IndexOf(fields, when.field), when.pattern.regex,
                               &known_whens, &impl.when_checks, diagnostics,
                               when.pattern);
      if (check < 0) ok = false;
      shape.when_checks.push_back(check);
    }
  }
  if (!ok) return nullptr;

  GroupPatterns(pack, fields, &impl);
  if (!CompileGroups(pack, fields, &impl, diagnostics)) return nullptr;
  return compiled;
}

void CompiledPack::GroupPatterns(const RulePack& pack,
                                 const std::vector<std::string>& fields,
                                 Impl* impl) {
  // A group holds the patterns read from one field, in one view, by rules
  // with the same `when` conditions: a listing that fails the conditions
  // skips the group's sets altogether.
  using GroupKey = std::tuple<int, int, std::vector<int>>;
  std::map<GroupKey, int> group_of;
  for (size_t p = 0; p < impl->patterns.size(); ++p) {
    int rule = impl->patterns[p].rule;
    View view = pack.rules[rule].normalize ? View::kNormalized : View::kRaw;
    std::vector<int> whens = impl->rules[rule].when_checks;
    std::sort(whens.begin(), whens.end());
    for (const std::string& field : pack.rules[rule].fields) {
      GroupKey key{IndexOf(fields, field), static_cast<int>(view), whens};
      auto [it, added] = group_of.emplace(key, int(impl->groups.size()));
      if (added) {
        impl->groups.push_back({std::get<0>(key), view, whens, {}, {}, {}});
      }
      impl->groups[it->second].patterns.push_back(static_cast<int>(p));
    }
  }
}

bool CompiledPack::CompileGroups(const RulePack& pack,
                                 const std::vector<std::string>& fields,
                                 Impl* impl,
                                 std::vector<Diagnostic>* diagnostics) {
  impl->groups_of_field.resize(fields.size());
  for (size_t g = 0; g < impl->groups.size(); ++g) {
    SetGroup& group = impl->groups[g];
    if (!CompileSets(impl->patterns, group.patterns, 0, group.patterns.size(),
                     &group)) {
      Diagnostic too_large;
      too_large.pos.file = pack.origin;
      too_large.message = "a pattern of field '" + fields[group.field] +
                          "' is too large for RE2's memory budget";
      diagnostics->push_back(std::move(too_large));
      return false;
    }
    impl->groups_of_field[group.field].push_back(static_cast<int>(g));
  }
  return true;
}

// What the matcher has found so far for one rule of the current listing.
struct RuleProgress {
  std::vector<Hit> hits;
  std::vector<int> any_hit;
  std::vector<int> all_hit;
  bool vetoed = false;
};

// A span found in the view text of the current value, before `except`
// spans are taken out.
struct Candidate {
  int pattern = 0;
  ByteSpan span;
};

// A pattern a set reported in one field value, whose spans are looked for
// only when the listing's evidence is asked for.
struct DeferredSpans {
  int pattern = 0;
  int group = 0;
  int field = 0;
  // Position of the value in Listing::values[field].
  size_t position = 0;
};

// The normalized views of the current listing's values, folded once by
// MatchRules and read again by AddEvidence and the fingerprint. Slots are
// reused from listing to listing, so their buffers stop growing.
namespace {

class FoldedValues {
 public:
  void Clear() { used_ = 0; }

  // The view of value `position` of `field`, or null when not folded.
  const NormalizedText* Find(int field, size_t position) const {
    for (size_t i = 0; i < used_; ++i) {
      if (keys_[i] == Key{field, position}) return &texts_[i];
    }
    return nullptr;
  }

  // Returns a slot for the view of value `position` of `field`.
  NormalizedText* Add(int field, size_t position) {
    if (used_ == texts_.size()) {
      texts_.emplace_back();
      keys_.emplace_back();
    }
    keys_[used_] = {field, position};
    return &texts_[used_++];
  }

 private:
  using Key = std::pair<int, size_t>;

  std::vector<NormalizedText> texts_;
  std::vector<Key> keys_;
  size_t used_ = 0;
};

}  // namespace

struct Matcher::Scratch {
  Normalizer normalizer;
  FoldedValues folded;
  // For a value AddEvidence finds unfolded, which MatchRules never leaves.
  NormalizedText normalized;
  std::vector<DeferredSpans> deferred;
  std::vector<ByteSpan> spans;
  std::vector<int> set_entries;
  std::vector<int> set_hits;
  std::vector<Candidate> candidates;
  std::vector<Candidate> excepted;
  // when_state[c]: -1 not yet evaluated, else 0 or 1.
  std::vector<int8_t> when_state;
  // active[r]: -1 not yet evaluated, else 0 or 1.
  std::vector<int8_t> active;
  std::vector<RuleProgress> progress;
  std::vector<int> touched;
};

Matcher::Matcher(const CompiledPack& pack)
    : pack_(pack), scratch_(std::make_unique<Scratch>()) {
  size_t rule_count = pack.pack().rules.size();
  scratch_->progress.resize(rule_count);
  scratch_->active.resize(rule_count);
  scratch_->when_state.resize(pack.impl_->when_checks.size());
}

Matcher::~Matcher() = default;

namespace {

// Returns true when any value of the check's field matches its pattern.
bool EvaluateWhen(const WhenCheck& check, const Listing& listing) {
  for (const FieldValue& value : listing.values[check.field]) {
    if (RE2::PartialMatch(value.text, *check.regex)) return true;
  }
  return false;
}

// Appends up to kMaxSpansPerPattern spans of `regex` in `text`.
void FindSpans(const RE2& regex, std::string_view text,
               std::vector<ByteSpan>* out) {
  re2::StringPiece whole(text.data(), text.size());
  re2::StringPiece match;
  size_t position = 0;
  for (int found = 0; found < kMaxSpansPerPattern; ++found) {
    if (position > text.size() || !regex.Match(whole, position, text.size(),
                                               RE2::UNANCHORED, &match, 1)) {
      break;
    }
    size_t start = match.data() - text.data();
    size_t end = start + match.size();
    out->push_back({start, end});
    position = end > start ? end : end + 1;
  }
}

bool Inside(const ByteSpan& inner, const ByteSpan& outer) {
  return outer.start <= inner.start && inner.end <= outer.end;
}

}  // namespace

void Matcher::Match(const Listing& listing, MatchResult* result) {
  MatchRules(listing, result);
  AddEvidence(listing, result);
}

void Matcher::MatchRules(const Listing& listing, MatchResult* result) {
  Scratch& scratch = *scratch_;
  std::fill(scratch.when_state.begin(), scratch.when_state.end(), -1);
  std::fill(scratch.active.begin(), scratch.active.end(), -1);
  scratch.touched.clear();
  scratch.deferred.clear();
  scratch.folded.Clear();

  const CompiledPack::Impl& impl = *pack_.impl_;
  for (size_t field = 0; field < impl.groups_of_field.size(); ++field) {
    if (impl.groups_of_field[field].empty()) continue;
    const std::vector<FieldValue>& values = listing.values[field];
    for (size_t position = 0; position < values.size(); ++position) {
      MatchValue(listing, static_cast<int>(field), position);
    }
  }
  Conclude(result);

  result->out_of_scope.clear();
  for (int rule : impl.link_rules) {
    if (!IsActive(rule, listing)) result->out_of_scope.push_back(rule);
  }
}

void Matcher::MatchValue(const Listing& listing, int field, size_t position) {
  Scratch& scratch = *scratch_;
  const FieldValue& value = listing.values[field][position];
  const CompiledPack::Impl& impl = *pack_.impl_;
  NormalizedText* normalized = nullptr;
  for (int group : impl.groups_of_field[field]) {
    if (!WhenHolds(impl.groups[group].when_checks, listing)) continue;
    if (impl.groups[group].view == View::kRaw) {
      ScanGroup(listing, group, value.text, nullptr, position);
      continue;
    }
    if (normalized == nullptr) {
      StageTimer timer(StageCounter(Stage::kNormalize));
      normalized = scratch.folded.Add(field, position);
      scratch.normalizer.Normalize(value.text, normalized);
    }
    ScanGroup(listing, group, normalized->text(), normalized, position);
  }
}

void Matcher::RunSets(int group_index, std::string_view text) {
  Scratch& scratch = *scratch_;
  const SetGroup& group = pack_.impl_->groups[group_index];
  re2::StringPiece piece(text.data(), text.size());
  std::vector<int>& entries = scratch.set_entries;
  StageTimer timer(StageCounter(Stage::kMatch));
  scratch.set_hits.clear();
  for (size_t s = 0; s < group.sets.size(); ++s) {
    const std::vector<int>& members = group.set_patterns[s];
    RE2::Set::ErrorInfo error;
    ++counters_.set_scans;
    if (group.sets[s]->Match(piece, &entries, &error)) {
      for (int entry : entries) scratch.set_hits.push_back(members[entry]);
      continue;
    }
    if (error.kind == RE2::Set::kNoError) continue;

    // The set's DFA ran out of memory on this text: ask each pattern.
    ++counters_.set_fallbacks;
    for (int pattern : members) {
      if (RE2::PartialMatch(piece, *pack_.impl_->patterns[pattern].regex)) {
        scratch.set_hits.push_back(pattern);
      }
    }
  }
}

bool Matcher::WhenHolds(const std::vector<int>& checks,
                        const Listing& listing) {
  Scratch& scratch = *scratch_;
  const CompiledPack::Impl& impl = *pack_.impl_;
  for (int check : checks) {
    if (scratch.when_state[check] < 0) {
      scratch.when_state[check] =
          EvaluateWhen(impl.when_checks[check], listing) ? 1 : 0;
    }
    if (scratch.when_state[check] == 0) return false;
  }
  return true;
}

bool Matcher::IsActive(int rule, const Listing& listing) {
  Scratch& scratch = *scratch_;
  if (scratch.active[rule] >= 0) return scratch.active[rule] == 1;

  const RuleShape& shape = pack_.impl_->rules[rule];
  bool active = shape.runs && WhenHolds(shape.when_checks, listing);
  scratch.active[rule] = active ? 1 : 0;
  return active;
}

void Matcher::Touch(int rule) {
  Scratch& scratch = *scratch_;
  if (std::find(scratch.touched.begin(), scratch.touched.end(), rule) !=
      scratch.touched.end()) {
    return;
  }
  RuleProgress& progress = scratch.progress[rule];
  progress.hits.clear();
  progress.any_hit.clear();
  progress.all_hit.clear();
  progress.vetoed = false;
  scratch.touched.push_back(rule);
}

void Matcher::ScanGroup(const Listing& listing, int group_index,
                        std::string_view text, const NormalizedText* normalized,
                        size_t position) {
  Scratch& scratch = *scratch_;
  const CompiledPack::Impl& impl = *pack_.impl_;
  RunSets(group_index, text);
  if (scratch.set_hits.empty()) return;

  // A rule without `except` patterns fires on the set's word alone; its
  // spans are looked for when the listing is written.
  const int field = impl.groups[group_index].field;
  scratch.candidates.clear();
  scratch.excepted.clear();
  for (int id : scratch.set_hits) {
    const CompiledPattern& pattern = impl.patterns[id];
    if (!IsActive(pattern.rule, listing)) continue;
    Touch(pattern.rule);
    RuleProgress& progress = scratch.progress[pattern.rule];
    if (pattern.role == Role::kUnless) {
      progress.vetoed = true;
    } else if (!impl.rules[pattern.rule].has_except) {
      scratch.deferred.push_back({id, group_index, field, position});
      auto& seen =
          pattern.role == Role::kAny ? progress.any_hit : progress.all_hit;
      seen.push_back(pattern.index);
    } else {
      auto* out = pattern.role == Role::kExcept ? &scratch.excepted
                                                : &scratch.candidates;
      scratch.spans.clear();
      FindEvidence(id, text, &scratch.spans);
      for (const ByteSpan& span : scratch.spans) out->push_back({id, span});
    }
  }
  if (scratch.candidates.empty()) return;

  // Keep the spans no `except` span of the same rule covers.
  const int value_index = listing.values[field][position].index;
  for (const Candidate& candidate : scratch.candidates) {
    const CompiledPattern& pattern = impl.patterns[candidate.pattern];
    bool covered = std::any_of(scratch.excepted.begin(), scratch.excepted.end(),
                               [&](const Candidate& other) {
                                 return impl.patterns[other.pattern].rule ==
                                            pattern.rule &&
                                        Inside(candidate.span, other.span);
                               });
    if (covered) continue;

    ByteSpan span = candidate.span;
    if (normalized != nullptr) {
      span = normalized->ToOriginal(span.start, span.end);
    }
    RuleProgress& progress = scratch.progress[pattern.rule];
    progress.hits.push_back({field, value_index, span});
    auto& seen =
        pattern.role == Role::kAny ? progress.any_hit : progress.all_hit;
    seen.push_back(pattern.index);
  }
}

void Matcher::FindEvidence(int pattern_id, std::string_view text,
                           std::vector<ByteSpan>* out) {
  const CompiledPattern& pattern = pack_.impl_->patterns[pattern_id];
  ++counters_.evidence_runs;
  StageTimer timer(profile_ ? &profile_->rule_evidence_ns[pattern.rule]
                            : nullptr);
  if (profile_ != nullptr) ++profile_->rule_evidence_runs[pattern.rule];
  FindSpans(*pattern.regex, text, out);
}

namespace {

int CountDistinct(std::vector<int>* values) {
  std::sort(values->begin(), values->end());
  return static_cast<int>(std::unique(values->begin(), values->end()) -
                          values->begin());
}

bool HitLess(const Hit& a, const Hit& b) {
  return std::tie(a.field, a.value_index, a.span.start, a.span.end) <
         std::tie(b.field, b.value_index, b.span.start, b.span.end);
}

bool HitEqual(const Hit& a, const Hit& b) {
  return a.field == b.field && a.value_index == b.value_index &&
         a.span.start == b.span.start && a.span.end == b.span.end;
}

}  // namespace

void Matcher::Conclude(MatchResult* result) {
  Scratch& scratch = *scratch_;
  const CompiledPack::Impl& impl = *pack_.impl_;
  result->rules.clear();
  result->vetoed.clear();
  std::sort(scratch.touched.begin(), scratch.touched.end());
  for (int rule : scratch.touched) {
    RuleProgress& progress = scratch.progress[rule];
    const RuleShape& shape = impl.rules[rule];
    if (progress.vetoed) {
      result->vetoed.push_back(rule);
      continue;
    }
    if (!shape.has_patterns) continue;

    bool any_met = shape.any_count == 0 ||
                   CountDistinct(&progress.any_hit) >= shape.min_hits;
    bool all_met = CountDistinct(&progress.all_hit) == shape.all_count;
    if (!any_met || !all_met) continue;

    std::sort(progress.hits.begin(), progress.hits.end(), HitLess);
    auto last =
        std::unique(progress.hits.begin(), progress.hits.end(), HitEqual);
    progress.hits.erase(last, progress.hits.end());
    result->rules.push_back({rule, progress.hits});
  }
}

void Matcher::AddEvidence(const Listing& listing, MatchResult* result) {
  Scratch& scratch = *scratch_;
  if (scratch.deferred.empty()) return;

  for (RuleMatch& match : result->rules) {
    const size_t before = match.hits.size();
    AddDeferredHits(listing, match.rule, &match.hits);
    if (match.hits.size() == before) continue;

    // Text hits in order, then any hits of link conditions, as they were.
    auto links =
        std::stable_partition(match.hits.begin(), match.hits.end(),
                              [](const Hit& hit) { return hit.link < 0; });
    std::vector<Hit> link_hits(links, match.hits.end());
    match.hits.erase(links, match.hits.end());
    std::sort(match.hits.begin(), match.hits.end(), HitLess);
    match.hits.erase(
        std::unique(match.hits.begin(), match.hits.end(), HitEqual),
        match.hits.end());
    match.hits.insert(match.hits.end(), link_hits.begin(), link_hits.end());
  }
  scratch.deferred.clear();
}

void Matcher::AddDeferredHits(const Listing& listing, int rule,
                              std::vector<Hit>* hits) {
  Scratch& scratch = *scratch_;
  const CompiledPack::Impl& impl = *pack_.impl_;
  for (const DeferredSpans& deferred : scratch.deferred) {
    if (impl.patterns[deferred.pattern].rule != rule) continue;

    const FieldValue& value = listing.values[deferred.field][deferred.position];
    const bool raw = impl.groups[deferred.group].view == View::kRaw;
    const NormalizedText* normalized =
        raw ? nullptr : FoldedOrFold(value, deferred.field, deferred.position);
    std::string_view text = raw ? std::string_view(value.text)
                                : std::string_view(normalized->text());
    scratch.spans.clear();
    FindEvidence(deferred.pattern, text, &scratch.spans);
    for (ByteSpan span : scratch.spans) {
      if (!raw) span = normalized->ToOriginal(span.start, span.end);
      hits->push_back({deferred.field, value.index, span});
    }
  }
}

const NormalizedText* Matcher::FoldedValue(int field, size_t position) const {
  return scratch_->folded.Find(field, position);
}

const NormalizedText* Matcher::FoldedOrFold(const FieldValue& value, int field,
                                            size_t position) {
  Scratch& scratch = *scratch_;
  const NormalizedText* folded = scratch.folded.Find(field, position);
  if (folded != nullptr) return folded;

  StageTimer timer(StageCounter(Stage::kNormalize));
  scratch.normalizer.Normalize(value.text, &scratch.normalized);
  return &scratch.normalized;
}

}  // namespace adflag

#include "adflag/profile.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace adflag {

const char* StageName(Stage stage) {
  static constexpr const char* kNames[kStageCount] = {
      "read",     "parse", "normalize", "match",
      "evidence", "link",  "score",     "write"};
  return kNames[static_cast<int>(stage)];
}

Profile::Profile(size_t rule_count)
    : rule_listings(rule_count, 0),
      rule_evidence_runs(rule_count, 0),
      rule_evidence_ns(rule_count, 0) {}

void Profile::Add(const Profile& other) {
  for (int s = 0; s < kStageCount; ++s) stage_ns[s] += other.stage_ns[s];
  for (size_t r = 0; r < other.rule_listings.size(); ++r) {
    rule_listings[r] += other.rule_listings[r];
    rule_evidence_runs[r] += other.rule_evidence_runs[r];
    rule_evidence_ns[r] += other.rule_evidence_ns[r];
  }
}

namespace {

double Seconds(uint64_t nanoseconds) { return nanoseconds / 1e9; }

std::string FormatStages(Profile profile) {
  profile.stage(Stage::kEvidence) =
      std::accumulate(profile.rule_evidence_ns.begin(),
                      profile.rule_evidence_ns.end(), uint64_t{0});
  uint64_t total = std::accumulate(profile.stage_ns.begin(),
                                   profile.stage_ns.end(), uint64_t{0});
  std::string text = "stage        seconds   share\n";
  char row[96];
  for (int s = 0; s < kStageCount; ++s) {
    double share = total > 0 ? 100.0 * profile.stage_ns[s] / total : 0;
    std::snprintf(row, sizeof row, "%-10s %9.3f  %5.1f%%\n",
                  StageName(static_cast<Stage>(s)),
                  Seconds(profile.stage_ns[s]), share);
    text += row;
  }
  return text;
}

std::string FormatRules(const Profile& profile, const RulePack& pack) {
  std::vector<size_t> order(pack.rules.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return profile.rule_evidence_ns[a] > profile.rule_evidence_ns[b];
  });
  size_t width = 4;
  for (const Rule& rule : pack.rules) width = std::max(width, rule.id.size());

  char row[256];
  std::snprintf(row, sizeof row, "%-*s %10s %14s %11s\n",
                static_cast<int>(width), "rule", "listings", "evidence runs",
                "evidence s");
  std::string text = row;
  for (size_t r : order) {
    std::snprintf(
        row, sizeof row, "%-*s %10llu %14llu %11.4f\n", static_cast<int>(width),
        pack.rules[r].id.c_str(),
        static_cast<unsigned long long>(profile.rule_listings[r]),
        static_cast<unsigned long long>(profile.rule_evidence_runs[r]),
        Seconds(profile.rule_evidence_ns[r]));
    text += row;
  }
  return text;
}

}  // namespace

std::string FormatProfile(const Profile& profile, const RulePack& pack,
                          int threads, double wall_seconds) {
  char head[160];
  std::snprintf(head, sizeof head,
                "adflag profile: %d thread%s, %.3f s wall; stage times are "
                "summed over threads\n",
                threads, threads == 1 ? "" : "s", wall_seconds);
  return head + FormatStages(profile) + "\n" + FormatRules(profile, pack);
}

}  // namespace adflag

// Where a scan spends its time, for `adflag scan --profile`: seconds per
// pipeline stage, and per rule the listings it fired on and the time spent
// finding its evidence, so a rule author can see which rule costs what.
//
// Profiling costs two clock reads per timed step, so it is off unless
// asked for: code under measurement holds a Profile pointer that is null
// when profiling is off, and StageTimer does nothing for a null counter.

#ifndef ADFLAG_PROFILE_H_
#define ADFLAG_PROFILE_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {

// The timed stages of a scan, in pipeline order.
enum class Stage {
  kRead,
  kParse,
  kNormalize,
  kMatch,
  kEvidence,
  kLink,
  kScore,
  kWrite,
};
inline constexpr int kStageCount = 8;

// Returns the lower-case name of a stage ("read", "parse", ...).
const char* StageName(Stage stage);

// Time and counts gathered by one thread, or summed over several.
struct Profile {
  // Nanoseconds per Stage. Evidence time is kept per rule only, and
  // FormatProfile adds it up.
  std::array<uint64_t, kStageCount> stage_ns{};
  // Per rule, in pack order: listings that fired it, individual pattern
  // runs to find its evidence, and their nanoseconds.
  std::vector<uint64_t> rule_listings;
  std::vector<uint64_t> rule_evidence_runs;
  std::vector<uint64_t> rule_evidence_ns;

  // Sizes the per-rule counters for a pack of `rule_count` rules.
  explicit Profile(size_t rule_count = 0);

  // Adds the counts of `other`, which has the same number of rules.
  void Add(const Profile& other);

  uint64_t& stage(Stage s) { return stage_ns[static_cast<int>(s)]; }
};

// Adds the time from its construction to its destruction to a counter, or
// does nothing when the counter is null.
class StageTimer {
 public:
  explicit StageTimer(uint64_t* counter)
      : counter_(counter),
        start_(counter ? std::chrono::steady_clock::now()
                       : std::chrono::steady_clock::time_point()) {}
  ~StageTimer() {
    if (counter_ == nullptr) return;
    auto elapsed = std::chrono::steady_clock::now() - start_;
    *counter_ +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  uint64_t* counter_;
  std::chrono::steady_clock::time_point start_;
};

// Returns the profile as two plain-text tables, stages and then rules by
// evidence time, for stderr. `threads` and `wall_seconds` describe the run.
std::string FormatProfile(const Profile& profile, const RulePack& pack,
                          int threads, double wall_seconds);

}  // namespace adflag

#endif  // ADFLAG_PROFILE_H_

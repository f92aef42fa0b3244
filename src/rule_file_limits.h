// Limits that keep a hostile or broken rule file from hanging or
// exhausting `adflag check`, `test` and `scan`: the size of a file, the
// nesting of its YAML, what its aliases expand to, and the number of rules
// in a pack. A file is measured by a first pass over its YAML events,
// before any YAML node is built, which also stops the YAML library's own
// endless loop on some malformed files (a stray ',' at top level).
#ifndef ADFLAG_RULE_FILE_LIMITS_H_
#define ADFLAG_RULE_FILE_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/rule_pack.h"

namespace adflag {

// The largest rule file read, in bytes (4 MiB; the built-in pack's largest
// file is under 40 KiB).
constexpr uint64_t kMaxRuleFileBytes = 4 << 20;

// The deepest nesting of YAML mappings and sequences in a rule file (a
// rule's links example sits at depth 7).
constexpr int kMaxYamlDepth = 64;

// The most YAML nodes a rule file may hold once every alias is expanded,
// so that a file of nested aliases (a "billion laughs") cannot make the
// loader walk an exponential tree.
constexpr uint64_t kMaxYamlNodes = 1'000'000;

// The most rules one pack may hold.
constexpr size_t kMaxRules = 5000;

// Measures `file` by its YAML events. Returns true when it is within the
// limits above and the YAML library can build its nodes. Otherwise
// returns false and adds one error at the place concerned, such as
// "rules.yaml:3:5: error: YAML nested too deeply (more than 64 levels)";
// a YAML syntax error is reported as the loader reports it.
bool CheckRuleFileLimits(const RuleFile& file,
                         std::vector<Diagnostic>* diagnostics);

// Returns the message for a rule file of `bytes` bytes, over the limit.
std::string RuleFileTooLargeMessage(uint64_t bytes);

}  // namespace adflag

#endif  // ADFLAG_RULE_FILE_LIMITS_H_

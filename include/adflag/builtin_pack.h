// The default rule pack, compiled into the binary from the project's
// rules/ directory so that `adflag scan FILE` works with no other file.

#ifndef ADFLAG_BUILTIN_PACK_H_
#define ADFLAG_BUILTIN_PACK_H_

#include <string>
#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {

// Returns every file of the built-in pack, the regression tests under
// tests/ included, with paths relative to the pack directory, in sorted
// path order.
const std::vector<RuleFile>& BuiltinPackFiles();

// The origin of the built-in pack, as RulePack::origin reports it.
inline constexpr const char* kBuiltinPackOrigin = "<built-in>";

// Parses the built-in pack (its rule files, not its tests) into *pack.
// Diagnostics cite the files as rules/NAME.yaml, where they live in the
// project. Returns false when the pack has errors, which the test suite
// rules out.
bool LoadBuiltinPack(RulePack* pack, std::vector<Diagnostic>* diagnostics);

// Loads the pack at `path`, or the built-in pack when `path` is empty.
bool LoadPackOrBuiltin(const std::string& path, RulePack* pack,
                       std::vector<Diagnostic>* diagnostics);

}  // namespace adflag

#endif  // ADFLAG_BUILTIN_PACK_H_

// The default rule pack, compiled into the binary from the project's
// rules/ directory so that `adflag scan FILE` works with no other file.

#ifndef ADFLAG_BUILTIN_PACK_H_
#define ADFLAG_BUILTIN_PACK_H_

#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {

// Returns every file of the built-in pack, the regression tests under
// tests/ included, with paths relative to the pack directory, in sorted
// path order.
const std::vector<RuleFile>& BuiltinPackFiles();

// Returns the name under which diagnostics cite built-in rule files.
inline constexpr const char* kBuiltinPackOrigin = "<built-in>";

}  // namespace adflag

#endif  // ADFLAG_BUILTIN_PACK_H_

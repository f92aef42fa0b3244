// `adflag check`: lints rule packs the way a compiler checks sources, so
// that CI stops a broken or surprising rule change before a nightly run
// uses it. For each pack, in order, every problem is reported in one run,
// on stderr, as `FILE:LINE:COL: error|warning: message` at the YAML node
// concerned, sorted by file and place: the loader's errors (YAML syntax,
// RE2 errors, unknown keys, duplicate ids, weights, `requires`, empty
// patterns, patterns too large) and the lint's warnings (pack_lint.h).
// A summary line per pack ends the report, such as
// `rules/: 2 errors, 1 warning in 21 rules` or `rules/: no problems in 21
// rules`.

#ifndef ADFLAG_CHECK_COMMAND_H_
#define ADFLAG_CHECK_COMMAND_H_

#include "cli.h"

namespace adflag {

// Checks every pack of `options` (the built-in pack when none is named)
// and returns the worst exit code of them: 0 when no
// pack has an error (nor a warning, with --strict), 1 when one has, 2 when
// a pack cannot be read at all.
int RunCheckCommand(const CheckOptions& options);

}  // namespace adflag

#endif  // ADFLAG_CHECK_COMMAND_H_

// `adflag diff`: shows what a change to a rule pack does to real listings,
// for reviewing a rule change before it reaches the nightly run. Both
// packs, the one before the change (--base) and the one after (--head),
// score the same listings; every listing whose flag, level, score or set
// of fired rules differs is reported with both verdicts, and a summary
// counts the flags gained and lost, per level and per rule.
//
// The report goes to standard output as text or as JSON lines; rejected
// lines are named on standard error, as `adflag scan` names them. The
// formats and the exit codes are described in the README ("Reviewing a
// rule change").

#ifndef ADFLAG_DIFF_COMMAND_H_
#define ADFLAG_DIFF_COMMAND_H_

#include "cli.h"

namespace adflag {

// The word that names the built-in pack for --base or --head.
inline constexpr const char* kBuiltinPackWord = "@builtin";

// Runs `adflag diff` and returns its exit code: 0 done, whether listings
// changed or not; 1 when --fail-on-change was given and a listing changed;
// 2 when a pack is invalid, the id field is not a JSON pointer, an input
// cannot be read, a compressed input is corrupt or the report cannot be
// written.
int RunDiffCommand(const DiffOptions& options);

}  // namespace adflag

#endif  // ADFLAG_DIFF_COMMAND_H_

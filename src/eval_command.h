// `adflag eval`: measures a rule pack against labeled listings, so that
// rule weights and levels can be tuned on data rather than by feel. The
// pack scores every listing of the inputs; listings are matched to a label
// file by id, and the report gives, at each level, the confusion counts
// with precision, recall and F1, then the precision of every rule, and
// with --by the recall at medium per value of a field.
//
// The report goes to standard output as a text table or as one JSON
// object; rejected lines are named on standard error, as `adflag scan`
// names them. The formats and the exit codes are described in the README
// ("Measuring a pack: adflag eval").

#ifndef ADFLAG_EVAL_COMMAND_H_
#define ADFLAG_EVAL_COMMAND_H_

#include "cli.h"

namespace adflag {

// Runs `adflag eval` and returns its exit code: 0 done; 2 when the label
// file is unreadable or has a bad line, the pack is invalid, --id-field or
// --by is not a JSON pointer, an input cannot be read or is corrupt, or
// the report cannot be written. Nothing is written to standard output
// unless the run completes.
int RunEvalCommand(const EvalOptions& options);

}  // namespace adflag

#endif  // ADFLAG_EVAL_COMMAND_H_

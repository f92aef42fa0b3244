// `adflag rules`: lists the rules of a pack as a table or as JSON, or
// writes the built-in pack out as files for editing.

#ifndef ADFLAG_RULES_COMMAND_H_
#define ADFLAG_RULES_COMMAND_H_

#include "cli.h"

namespace adflag {

// Runs `adflag rules`. Returns the exit code: 0 done, 2 when a pack is
// invalid or the export cannot be written.
int RunRulesCommand(const RulesOptions& options);

}  // namespace adflag

#endif  // ADFLAG_RULES_COMMAND_H_

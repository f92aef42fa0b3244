// `adflag link`: merges the link summaries that the shards of one run
// wrote with `adflag scan --emit-summary` into one summary, which
// `adflag scan --links` then scores every shard with. Merging is exact and
// does not depend on the order of the summaries, so a run split over any
// number of machines gives the flags of a single run.

#ifndef ADFLAG_LINK_COMMAND_H_
#define ADFLAG_LINK_COMMAND_H_

#include "cli.h"

namespace adflag {

// Runs `adflag link` and returns its exit code: 0 done; 2 when a summary
// cannot be read or is not one, or the output cannot be written. Nothing
// is written unless every summary was read.
int RunLinkCommand(const LinkOptions& options);

}  // namespace adflag

#endif  // ADFLAG_LINK_COMMAND_H_

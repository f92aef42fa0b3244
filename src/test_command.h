// `adflag test`: proves that rule packs do what they say. For each pack,
// in order, it runs every example of every rule that runs, every
// regression case under the pack's tests/ and the tests/benign/ corpus
// (regression.h); the built-in pack's tests are those embedded with it.
//
// The report is data, on stdout: one line per failed test,
//   FAIL rules/adult_services.yaml:40:13: rule youth.language: hit example
//   did not fire (fired: none)
//   FAIL rules/tests/samples.jsonl:4: listing S004: expected level medium
//   rules [a, b], got level low rules [a]
// and last, over every pack, `N passed, N failed`. A pack that does not
// load has its diagnostics on stderr. --junit also writes the results as
// JUnit XML; --update first rewrites every expected file from the current
// pack and says, on stdout, what changed.

#ifndef ADFLAG_TEST_COMMAND_H_
#define ADFLAG_TEST_COMMAND_H_

#include "cli.h"

namespace adflag {

// Tests every pack of `options` (the built-in pack when none is named)
// and returns the worst exit code of them: 0 when every
// test passed, 1 when one failed, 2 when a pack does not load, its tests
// cannot be read, a file cannot be written, or --update is asked of the
// built-in pack (its files are inside the binary).
int RunTestCommand(const TestOptions& options);

}  // namespace adflag

#endif  // ADFLAG_TEST_COMMAND_H_

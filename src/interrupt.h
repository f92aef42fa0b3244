// Stopping a run cleanly on SIGINT or SIGTERM. While an InterruptCatcher
// lives, those signals only record themselves: the scan notices between
// batches and lines, stops, removes its temporary output file and exits
// with 128 plus the signal's number, as a shell reports a killed command.
// A second signal of either kind kills the process at once, as usual.
//
// A reader blocked on a pipe or a terminal waits on WakeFd() as well as on
// its input, so a signal wakes it even when no more data comes.
//
// TODO: only `scan` catches the signals; `diff`, `eval`, `link` and `test
// --junit` killed mid-run leave their temporary file (NAME.tmp.XXXXXX)
// beside the output, though never a partial file at its name.

#ifndef ADFLAG_INTERRUPT_H_
#define ADFLAG_INTERRUPT_H_

namespace adflag {

// Catches SIGINT and SIGTERM for its lifetime and restores the previous
// handlers when destroyed. At most one exists at a time.
class InterruptCatcher {
 public:
  InterruptCatcher();
  ~InterruptCatcher();
  InterruptCatcher(const InterruptCatcher&) = delete;
  InterruptCatcher& operator=(const InterruptCatcher&) = delete;
};

// The signal caught (SIGINT or SIGTERM), or 0 when none was. Safe to call
// from any thread, at any time, cheaply.
int CaughtSignal();

// A descriptor that becomes readable once a signal is caught, for poll(2);
// -1 when no InterruptCatcher exists.
int WakeFd();

// "SIGINT" or "SIGTERM" for `signal`.
const char* SignalName(int signal);

}  // namespace adflag

#endif  // ADFLAG_INTERRUPT_H_

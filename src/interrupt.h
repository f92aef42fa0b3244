// Stopping a run cleanly on SIGINT or SIGTERM. While an InterruptCatcher
// lives, those signals only record themselves: the scan notices between
// batches and lines, stops, removes its temporary output file and exits
// with 128 plus the signal's number, as a shell reports a killed command.
// A second signal of either kind kills the process at once, as usual.
//
// A reader blocked on a pipe or a terminal waits on WakeFd() as well as on
// its input, so a signal wakes it even when no more data comes.
//
// Every other command, and a scan hit by a second signal, is ended by the
// signal at once; before it ends, the process removes the temporary files
// registered with TempFileGuard, so that no NAME.tmp.XXXXXX is left beside
// an output that was never written.

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

// Makes SIGINT and SIGTERM, whenever no InterruptCatcher lives, remove the
// registered temporary files and then end the process as the signal
// would (the shell sees 130 or 143). Called once, first thing in main().
void RemoveTempFilesOnSignal();

// Registers a temporary file for removal by a signal for as long as the
// guard is armed. At most kMaxTempFiles files are registered at a time;
// past that a file is not registered (and a signal would leave it).
class TempFileGuard {
 public:
  static constexpr int kMaxTempFiles = 8;

  TempFileGuard() = default;
  ~TempFileGuard() { Disarm(); }
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;

  // Registers `path`, replacing what the guard held.
  void Arm(const char* path);

  // Forgets the file: it was renamed, removed or kept on purpose.
  void Disarm();

 private:
  int slot_ = -1;
};

}  // namespace adflag

#endif  // ADFLAG_INTERRUPT_H_

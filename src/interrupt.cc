#include "interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstring>

namespace adflag {
namespace {

// Written by the handler, read by every thread: lock-free atomics are
// async-signal-safe.
std::atomic<int> caught_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

// The self-pipe: the handler writes a byte to wake_pipe[1].
int wake_pipe[2] = {-1, -1};

struct sigaction previous_int;
struct sigaction previous_term;

// The temporary files a fatal signal removes. A slot is free, being
// written by TempFileGuard::Arm, or holds a path the handler may read.
enum SlotState : int { kFree, kWriting, kArmed };
struct TempFileSlot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
TempFileSlot temp_files[TempFileGuard::kMaxTempFiles];

// Removes every armed temporary file, then ends the process by `signal`
// with its default action. Uses only async-signal-safe calls.
void RemoveTempFilesAndDie(int signal) {
  for (TempFileSlot& slot : temp_files) {
    if (slot.state.load() == kArmed) unlink(slot.path);
  }
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

// Sets `handler` for both signals, blocking the other one while it runs.
void HandleBoth(void (*handler)(int), struct sigaction* previous_int_out,
                struct sigaction* previous_term_out) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, previous_int_out);
  sigaction(SIGTERM, &action, previous_term_out);
}

// The first signal is recorded; a later one removes the temporary files
// and ends the process.
void OnSignal(int signal) {
  RemoveTempFilesOnSignal();
  caught_signal.store(signal);
  if (wake_pipe[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t written = write(wake_pipe[1], &byte, 1);
  }
}

}  // namespace

InterruptCatcher::InterruptCatcher() {
  caught_signal.store(0);
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    wake_pipe[0] = wake_pipe[1] = -1;
  }
  HandleBoth(OnSignal, &previous_int, &previous_term);
}

InterruptCatcher::~InterruptCatcher() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
  for (int& fd : wake_pipe) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

int CaughtSignal() { return caught_signal.load(std::memory_order_relaxed); }

int WakeFd() { return wake_pipe[0]; }

const char* SignalName(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal";
}

void RemoveTempFilesOnSignal() {
  HandleBoth(RemoveTempFilesAndDie, nullptr, nullptr);
}

void TempFileGuard::Arm(const char* path) {
  Disarm();
  if (std::strlen(path) >= PATH_MAX) return;
  for (int i = 0; i < kMaxTempFiles; ++i) {
    int free_state = kFree;
    if (temp_files[i].state.compare_exchange_strong(free_state, kWriting)) {
      std::strcpy(temp_files[i].path, path);
      temp_files[i].state.store(kArmed);
      slot_ = i;
      return;
    }
  }
}

void TempFileGuard::Disarm() {
  if (slot_ < 0) return;
  temp_files[slot_].state.store(kFree);
  slot_ = -1;
}

}  // namespace adflag

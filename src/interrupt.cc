#include "interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>

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

// The first signal is recorded; any later one gets the default action.
void OnSignal(int signal) {
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigaction(SIGINT, &fallback, nullptr);
  sigaction(SIGTERM, &fallback, nullptr);
  caught_signal.store(signal);
  if (wake_pipe[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t written = write(wake_pipe[1], &byte, 1);
  }
}

// Handles `signal`, blocking the other one while the handler runs.
void Catch(int signal, struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(signal, &action, previous);
}

}  // namespace

InterruptCatcher::InterruptCatcher() {
  caught_signal.store(0);
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    wake_pipe[0] = wake_pipe[1] = -1;
  }
  Catch(SIGINT, &previous_int);
  Catch(SIGTERM, &previous_term);
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

}  // namespace adflag

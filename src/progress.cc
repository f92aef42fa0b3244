#include "adflag/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace adflag {
namespace {

using Clock = std::chrono::steady_clock;

// How often the line is shown: on a terminal, and as log lines.
constexpr auto kTerminalEvery = std::chrono::milliseconds(250);
constexpr auto kLogEvery = std::chrono::seconds(5);

// Erases the terminal line the cursor is on.
constexpr char kEraseLine[] = "\r\033[K";

bool IsSet(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0';
}

// True when standard error is a terminal that can redraw a line.
bool StderrIsLiveTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 &&
         (term == nullptr || std::strcmp(term, "dumb") != 0);
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value,
                units[unit]);
  return text;
}

// "0:42", "12:05" or "3:02:10".
std::string FormatDuration(double seconds) {
  const auto total = static_cast<uint64_t>(std::llround(seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total / 60 % 60),
                  static_cast<unsigned long long>(total % 60));
  } else {
    std::snprintf(text, sizeof text, "%llu:%02llu",
                  static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  }
  return text;
}

}  // namespace

std::string FormatProgress(uint64_t bytes, uint64_t total_bytes,
                           uint64_t listings, double seconds) {
  const double rate = seconds > 0 ? listings / seconds : 0;
  std::string text = FormatBytes(bytes);
  if (total_bytes > 0) {
    const uint64_t shown = std::min(bytes, total_bytes);
    text += " of " + FormatBytes(total_bytes) + " (" +
            std::to_string(shown * 100 / total_bytes) + "%)";
  } else {
    text += " read";
  }
  text += ", " + std::to_string(listings) + " listings, " +
          std::to_string(static_cast<uint64_t>(std::llround(rate))) +
          " listings/s";
  if (total_bytes > 0) {
    const double byte_rate = seconds > 0 ? bytes / seconds : 0;
    const uint64_t left = total_bytes - std::min(bytes, total_bytes);
    text += ", ";
    text += byte_rate > 0 ? FormatDuration(left / byte_rate) : "?";
    text += " left";
  }
  return text;
}

ProgressMeter::ProgressMeter(ProgressMode mode, bool json_log,
                             std::string label, uint64_t total_bytes)
    : label_(std::move(label)),
      total_bytes_(total_bytes),
      started_(Clock::now()),
      last_shown_(started_) {
  const bool live = StderrIsLiveTerminal() && !json_log;
  if (mode == ProgressMode::kAlways) {
    style_ = live ? Style::kTerminal : Style::kLogLines;
  } else if (mode == ProgressMode::kAuto && live && !IsSet("CI")) {
    style_ = Style::kTerminal;
  }
}

ProgressMeter::~ProgressMeter() { Clear(); }

void ProgressMeter::Update(uint64_t bytes, uint64_t listings) {
  if (style_ == Style::kOff || finished_) return;
  const auto now = Clock::now();
  const auto every = style_ == Style::kTerminal
                         ? Clock::duration(kTerminalEvery)
                         : Clock::duration(kLogEvery);
  // On a terminal the first batch shows the line at once.
  if (shown_ || style_ == Style::kLogLines) {
    if (now - last_shown_ < every) return;
  }
  last_shown_ = now;
  Show(bytes, listings);
}

void ProgressMeter::Clear() {
  if (!on_screen_) return;
  std::fputs(kEraseLine, stderr);
  std::fflush(stderr);
  on_screen_ = false;
}

void ProgressMeter::Finish(uint64_t bytes, uint64_t listings) {
  if (style_ == Style::kLogLines && !finished_) Show(bytes, listings);
  Clear();
  finished_ = true;
}

void ProgressMeter::Show(uint64_t bytes, uint64_t listings) {
  const double seconds =
      std::chrono::duration<double>(Clock::now() - started_).count();
  const std::string text =
      label_ + ": " + FormatProgress(bytes, total_bytes_, listings, seconds);
  shown_ = true;
  if (style_ == Style::kLogLines) {
    spdlog::info("{}", text);
    return;
  }
  std::fputs(kEraseLine, stderr);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  on_screen_ = true;
}

}  // namespace adflag

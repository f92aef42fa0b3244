// The progress line of a scan: bytes read of the total, listings per
// second and the time left, on standard error. On a terminal the line is
// rewritten in place a few times a second and erased at the end; asked
// for elsewhere (`--progress always` into a file or a CI log), it is a
// log line of its own every few seconds and once at the end. Pipes and CI
// get none unless asked for.

#ifndef ADFLAG_PROGRESS_H_
#define ADFLAG_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace adflag {

// When a scan shows its progress.
enum class ProgressMode {
  // On a terminal only, and not under CI (the CI variable is set) nor a
  // dumb terminal, nor with JSON logs. `scan -q` turns it into kNever.
  kAuto,
  kAlways,
  kNever,
};

// Returns the progress text for `bytes` read of `total_bytes` (0: the
// total is unknown), `listings` read and `seconds` since the start, for
// example "12.5 MiB of 168.0 MiB (7%), 15000 listings, 31200 listings/s,
// 0:42 left", or "12.5 MiB read, 15000 listings, 31200 listings/s" when
// the total is unknown.
std::string FormatProgress(uint64_t bytes, uint64_t total_bytes,
                           uint64_t listings, double seconds);

// Shows the progress of one pass over the inputs. Used by one thread.
class ProgressMeter {
 public:
  // Decides from `mode`, standard error, the environment and `json_log`
  // whether and how to show progress. `label` leads every line ("adflag"
  // or "adflag: linking"); `total_bytes` 0 means unknown.
  ProgressMeter(ProgressMode mode, bool json_log, std::string label,
                uint64_t total_bytes);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // True when the meter shows anything.
  bool active() const { return style_ != Style::kOff; }

  // Reports `bytes` read so far and `listings` counted. Shows a line when
  // enough time has passed since the last one.
  void Update(uint64_t bytes, uint64_t listings);

  // Erases the line on a terminal, before other text goes to standard
  // error; it comes back with the next update.
  void Clear();

  // Ends the pass: erases the line on a terminal, or logs the last one.
  void Finish(uint64_t bytes, uint64_t listings);

 private:
  enum class Style { kOff, kTerminal, kLogLines };

  void Show(uint64_t bytes, uint64_t listings);

  Style style_ = Style::kOff;
  std::string label_;
  uint64_t total_bytes_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_shown_;
  bool shown_ = false;
  bool on_screen_ = false;
  bool finished_ = false;
};

}  // namespace adflag

#endif  // ADFLAG_PROGRESS_H_

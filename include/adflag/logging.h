// Where adflag's diagnostics go: standard error, through spdlog, as plain
// lines ("adflag: 35 lines: ...") or, for log collectors, as JSON lines
// with the time, the level and the message:
//
//   {"time":"2026-12-04T05:20:01.123Z","level":"warning","message":"..."}
//
// Messages name files, lines and reasons, never the text or contacts of a
// listing.

#ifndef ADFLAG_LOGGING_H_
#define ADFLAG_LOGGING_H_

#include <spdlog/formatter.h>

#include <memory>
#include <string>

namespace adflag {

// How log lines are written.
enum class LogFormat { kText, kJson };

// Formats each log message as one JSON object on a line: "time" in UTC
// with milliseconds (ISO 8601), "level" as spdlog names it ("debug",
// "info", "warning", "error") and "message". Bytes of the message that
// are not UTF-8 become U+FFFD, so every line is valid JSON.
class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message,
              spdlog::memory_buf_t& out) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Makes the default logger write to standard error in `format`, with
// debug messages when `verbose`.
void SetUpLogging(LogFormat format, bool verbose);

}  // namespace adflag

#endif  // ADFLAG_LOGGING_H_

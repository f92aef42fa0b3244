#include "adflag/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace adflag {
namespace {

// Returns the time as "2026-12-04T05:20:01.123Z".
std::string UtcTime(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch) -
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds);
  const std::time_t whole = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[40];
  const size_t size =
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char result[48];
  std::snprintf(result, sizeof result, "%.*s.%03dZ", static_cast<int>(size),
                text, static_cast<int>(millis.count()));
  return result;
}

// Returns the JSON string of `text`, bad UTF-8 replaced.
std::string JsonString(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& message,
                              spdlog::memory_buf_t& out) {
  const auto level = spdlog::level::to_string_view(message.level);
  std::string line = "{\"time\":\"" + UtcTime(message.time) + "\",\"level\":";
  line += JsonString(std::string_view(level.data(), level.size()));
  line += ",\"message\":";
  line += JsonString(
      std::string_view(message.payload.data(), message.payload.size()));
  line += "}\n";
  out.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

void SetUpLogging(LogFormat format, bool verbose) {
  auto logger = spdlog::get("adflag");
  if (logger == nullptr) logger = spdlog::stderr_logger_mt("adflag");
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger->set_pattern("%v");
  }
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace adflag

// SPDX-License-Identifier: Apache-2.0
#include "core/utc_time.hpp"

#include <cstdio>
#include <ctime>

namespace traction {

std::string format_utc(SystemTime time) {
  const auto ms_total =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms_total / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms_total % 1000));
  return text;
}

std::optional<SystemTime> parse_utc(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  if (rest.size() == 5 && rest[0] == '.' && rest[4] == 'Z') {
    if (std::sscanf(rest.c_str() + 1, "%3d", &ms) != 1) return std::nullopt;
  } else if (rest != "Z") {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds(ms);
}

}  // namespace traction

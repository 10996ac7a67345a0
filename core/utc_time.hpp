// SPDX-License-Identifier: Apache-2.0
// UTC timestamps as the history stores them: ISO-8601 with milliseconds and a Z
// ("2026-11-20T21:45:00.123Z"), which also sort as text.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace traction {

using SystemTime = std::chrono::system_clock::time_point;

std::string format_utc(SystemTime time);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt for anything else.
std::optional<SystemTime> parse_utc(const std::string& text);

}  // namespace traction

// SPDX-License-Identifier: Apache-2.0
// How tractionctl shows a status object (events: cli/event_text.hpp): pure functions of the JSON
// the daemon sends (docs/protocol.md), so the layout is unit-tested without a daemon.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace traction::client {

// "1:05" for 65 s; "--:--" for a negative or missing time.
std::string format_seconds(double seconds);

// A live line for a terminal, redrawn in place (no '\r' or '\n'), at most `width` columns:
// phase kind and index/count, repetition r/n, target vs actual with unit, a bar, time left.
std::string progress_line(const nlohmann::json& status, std::size_t width);

// The same facts as one plain line for logs and pipes (no bar, stable key=value fields).
std::string plain_status_line(const nlohmann::json& status);

// A few human lines for `tractionctl status`.
std::string status_text(const nlohmann::json& status);

}  // namespace traction::client

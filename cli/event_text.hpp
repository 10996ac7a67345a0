// SPDX-License-Identifier: Apache-2.0
// An `event` notification (docs/protocol.md, "Events") as a line for people: the local time, then
// what happened in words ("12:03:04  hold 15° for 5 s"). Pure functions of the JSON the daemon
// sends, so the wording is unit-tested without a daemon. `tractionctl --json` prints the raw form.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace traction::client {

// "23:16:38" in the local time zone for an ISO 8601 UTC time ("2026-11-20T23:16:38.644Z");
// "--:--:--" when it cannot be read.
std::string local_clock(const std::string& time_utc);

// A value on the axis with its unit: "15°" (unit "deg"), "100 N" (unit "N"); one decimal when the
// value is not whole.
std::string with_unit(double value, const std::string& unit);

// What the event says, in words, without the time. `unit` is the device's axis unit (status
// "unit"), for the readings some events carry. An unknown kind shows its kind and raw detail.
std::string event_text(const nlohmann::json& event, const std::string& unit);

// The local time, two spaces, the text.
std::string event_line(const nlohmann::json& event, const std::string& unit);

}  // namespace traction::client

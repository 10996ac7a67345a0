// SPDX-License-Identifier: Apache-2.0
// The JSON shapes of the daemon's state, written in one place: status.get returns them and the
// status.update and event notifications reuse them. docs/protocol.md documents every field.
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/control_api.hpp"

namespace traction {

// Device readings; `now` dates the reading (age_ms). Axis value is angle_deg or force_n by kind.
nlohmann::json device_to_json(DeviceKind kind, const DeviceState& device, Clock::time_point now);
// Progress of the running session, with the axis unit.
nlohmann::json session_to_json(DeviceKind kind, const SessionProgress& session);
nlohmann::json last_session_to_json(const LastSession& last);
// {ended_utc, passed, summary}, or null before the first self-test.
nlohmann::json last_selftest_to_json(const std::optional<SelfTestSummary>& last);
// The whole status.get result.
nlohmann::json status_to_json(const StatusSnapshot& snapshot, Clock::time_point now);
// The params of an `event` notification.
nlohmann::json event_to_json(const Event& event);

}  // namespace traction

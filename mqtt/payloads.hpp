// SPDX-License-Identifier: Apache-2.0
// The JSON published on the device's topics, built from the daemon's status and events
// (docs/mqtt.md "Payloads"). Pure: the daemon's JSON in, the MQTT payload out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace traction::mqtt {

// `state`: {device_id, state, kind, unit, value, setpoint, session: {id, program, phase,
// phase_kind, phase_index, phase_count, progress, time_left_s} | null, last_session, remote_start,
// fault, activity, time_utc}.
nlohmann::json state_payload(const std::string& device_id, const nlohmann::json& status,
                             const std::string& time_utc);
// `live`: {value, unit, setpoint, state, t}.
nlohmann::json live_payload(const nlohmann::json& status, const std::string& time_utc);
// `session`: the status's last_session with the device id and unit, or null when there is none.
nlohmann::json session_payload(const std::string& device_id, const nlohmann::json& status);
// What decides whether `state` must go out now: everything but the moving numbers.
nlohmann::json state_digest(const nlohmann::json& state);
// `remote_start`: "granted" or "not_granted".
std::string remote_start_payload(const nlohmann::json& status);

}  // namespace traction::mqtt

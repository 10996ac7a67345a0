// SPDX-License-Identifier: Apache-2.0
#include "mqtt/payloads.hpp"

#include <cmath>

namespace traction::mqtt {
namespace {

// The axis value: angle_deg on a table, force_n on a bench (the daemon's device object).
nlohmann::json axis_value(const nlohmann::json& status) {
  const nlohmann::json device = status.value("device", nlohmann::json::object());
  const char* field = device.value("kind", "") == "traction" ? "force_n" : "angle_deg";
  return device.value(field, nlohmann::json(nullptr));
}

double rounded(double value, double step) {
  return std::round(value / step) * step;
}

nlohmann::json session_part(const nlohmann::json& session) {
  if (!session.is_object()) return nullptr;
  return {{"id", session.value("id", "")},
          {"program", session.value("program", "")},
          {"phase", session.value("phase_label", "")},
          {"phase_kind", session.value("phase_kind", "")},
          {"phase_index", session.value("phase_index", 0)},
          {"phase_count", session.value("phase_count", 0)},
          {"progress", rounded(100.0 * session.value("progress", 0.0), 0.1)},
          {"time_left_s", std::ceil(session.value("remaining_seconds", 0.0))}};
}

}  // namespace

nlohmann::json state_payload(const std::string& device_id, const nlohmann::json& status,
                             const std::string& time_utc) {
  const nlohmann::json device = status.value("device", nlohmann::json::object());
  return {{"device_id", device_id},
          {"state", status.value("state", "unknown")},
          {"kind", device.value("kind", "")},
          {"unit", status.value("unit", "")},
          {"value", axis_value(status)},
          {"setpoint", status.value("setpoint", nlohmann::json(nullptr))},
          {"session", session_part(status.value("session", nlohmann::json()))},
          {"last_session", status.value("last_session", nlohmann::json(nullptr))},
          {"remote_start", status.value("remote_start", nlohmann::json(nullptr))},
          {"fault", status.value("fault", nlohmann::json(nullptr))},
          {"activity", status.value("activity", nlohmann::json(nullptr))},
          {"time_utc", time_utc}};
}

nlohmann::json live_payload(const nlohmann::json& status, const std::string& time_utc) {
  return {{"value", axis_value(status)},
          {"unit", status.value("unit", "")},
          {"setpoint", status.value("setpoint", nlohmann::json(nullptr))},
          {"state", status.value("state", "unknown")},
          {"t", time_utc}};
}

nlohmann::json session_payload(const std::string& device_id, const nlohmann::json& status) {
  const nlohmann::json last = status.value("last_session", nlohmann::json());
  if (!last.is_object()) return nullptr;
  nlohmann::json out = last;
  out["device_id"] = device_id;
  out["unit"] = status.value("unit", "");
  return out;
}

nlohmann::json state_digest(const nlohmann::json& state) {
  nlohmann::json digest = state;
  digest.erase("value");
  digest.erase("setpoint");
  digest.erase("time_utc");
  if (digest["session"].is_object()) {
    digest["session"].erase("progress");
    digest["session"].erase("time_left_s");
  }
  if (digest["remote_start"].is_object()) {
    digest["remote_start"] = digest["remote_start"].value("granted", false);
  }
  return digest;
}

std::string remote_start_payload(const nlohmann::json& status) {
  const nlohmann::json grant = status.value("remote_start", nlohmann::json::object());
  return grant.is_object() && grant.value("granted", false) ? "granted" : "not_granted";
}

}  // namespace traction::mqtt

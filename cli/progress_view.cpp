// SPDX-License-Identifier: Apache-2.0
#include "cli/progress_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace traction::client {
namespace {

using nlohmann::json;

double number_at(const json& object, const char* key, double fallback = 0.0) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string string_at(const json& object, const char* key, const std::string& fallback = "") {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string fixed(double value, int decimals = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// The axis reading, whatever the device kind.
double actual_of(const json& status) {
  const json& device = status.is_object() && status.contains("device") ? status["device"] : json();
  if (device.is_object() && device.contains("angle_deg")) return number_at(device, "angle_deg");
  return number_at(device, "force_n");
}

std::string bar(double fraction, std::size_t cells) {
  const auto filled = static_cast<std::size_t>(
      std::lround(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(cells)));
  return "[" + std::string(filled, '#') + std::string(cells - filled, '.') + "]";
}

}  // namespace

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "--:--";
  const auto total = static_cast<long long>(std::ceil(seconds));
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

std::string progress_line(const json& status, std::size_t width) {
  const std::string state = string_at(status, "state", "?");
  const std::string unit = string_at(status, "unit");
  const json& session =
      status.is_object() && status.contains("session") ? status["session"] : json();
  const std::string actual = fixed(actual_of(status)) + " " + unit;
  if (!session.is_object()) {
    std::string line = state + " | actual " + actual;
    return line.size() > width ? line.substr(0, width) : line;
  }
  const int repetition = static_cast<int>(number_at(session, "repetition"));
  std::string head = string_at(session, "phase_kind", "?") + " " +
                     std::to_string(static_cast<int>(number_at(session, "phase_index")) + 1) + "/" +
                     std::to_string(static_cast<int>(number_at(session, "phase_count")));
  // Phases outside the repetitions (pretension, final release) have repetition 0: no "rep".
  if (repetition > 0) {
    head += " | rep " + std::to_string(repetition) + "/" +
            std::to_string(static_cast<int>(number_at(session, "repetitions")));
  }
  head += " | " + actual + " (target " + fixed(number_at(session, "target")) + ")";
  const std::string tail = " " +
                           std::to_string(static_cast<int>(number_at(session, "progress") * 100)) +
                           "% | " + format_seconds(number_at(session, "remaining_seconds", -1)) +
                           " left" + (state == "paused" ? " (paused)" : "");
  // A bar of constant width, so the line does not jitter; left out when the terminal is narrow.
  constexpr std::size_t kBarCells = 16;
  std::string line = head;
  if (width >= head.size() + tail.size() + kBarCells + 3) {
    line += " " + bar(number_at(session, "progress"), kBarCells);
  }
  line += tail;
  return line.size() > width ? line.substr(0, width) : line;
}

std::string plain_status_line(const json& status) {
  const json& session =
      status.is_object() && status.contains("session") ? status["session"] : json();
  std::string line = "state=" + string_at(status, "state", "?") +
                     " actual=" + fixed(actual_of(status), 2) +
                     " unit=" + string_at(status, "unit");
  if (session.is_object()) {
    line +=
        " phase=" + string_at(session, "phase_kind") +
        " phase_index=" + std::to_string(static_cast<int>(number_at(session, "phase_index")) + 1) +
        "/" + std::to_string(static_cast<int>(number_at(session, "phase_count"))) +
        " repetition=" + std::to_string(static_cast<int>(number_at(session, "repetition"))) + "/" +
        std::to_string(static_cast<int>(number_at(session, "repetitions"))) +
        " target=" + fixed(number_at(session, "target"), 2) +
        " remaining_s=" + fixed(number_at(session, "remaining_seconds"), 1);
  }
  return line;
}

std::string status_text(const json& status) {
  std::string text = "state:    " + string_at(status, "state", "?") + "\n";
  const json& device = status.is_object() && status.contains("device") ? status["device"] : json();
  const std::string unit = string_at(status, "unit");
  text += "device:   " + string_at(device, "kind", "?") + ", actual " +
          fixed(actual_of(status), 2) + " " + unit + ", setpoint " +
          fixed(number_at(status, "setpoint"), 2) + " " + unit + ", drive " +
          string_at(device, "drive", "?") + "\n";
  text += std::string("stop:     ") +
          (device.value("stop_connected", false) ? "connected" : "NOT CONNECTED") +
          (device.value("stop_pressed", false) ? ", PRESSED" : "") + "\n";
  if (status.contains("fault") && status["fault"].is_string()) {
    text += "fault:    " + status["fault"].get<std::string>() + "\n";
  }
  const json& session = status.contains("session") ? status["session"] : json();
  if (session.is_object()) {
    text += "session:  " + string_at(session, "program") + " (" + string_at(session, "id") + "), " +
            plain_status_line(status).substr(plain_status_line(status).find("phase=")) + "\n";
  }
  const json& last = status.contains("last_session") ? status["last_session"] : json();
  if (last.is_object()) {
    text += "last:     " + string_at(last, "program") + " (" + string_at(last, "id") + ") " +
            string_at(last, "outcome") +
            (string_at(last, "reason").empty() ? "" : ": " + string_at(last, "reason")) + "\n";
  }
  return text;
}

}  // namespace traction::client

// SPDX-License-Identifier: Apache-2.0
#include "cli/event_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>

#include "cli/progress_view.hpp"

namespace traction::client {
namespace {

using nlohmann::json;

std::string text_at(const json& detail, const char* key) {
  const auto it = detail.find(key);
  if (it == detail.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

double number_at(const json& detail, const char* key) {
  const auto it = detail.find(key);
  return it != detail.end() && it->is_number() ? it->get<double>() : 0.0;
}

// " (why)" or nothing.
std::string because(const std::string& why) {
  return why.empty() ? "" : " (" + why + ")";
}

std::string session_started(const json& d, const std::string&) {
  const std::string profile = text_at(d, "profile");
  std::string text = "session " + text_at(d, "id") + " started: " + text_at(d, "program");
  if (!profile.empty()) text += " for " + profile;
  return text + ", about " + format_seconds(number_at(d, "total_seconds"));
}

std::string session_ended(const json& d, const std::string& unit) {
  std::string text = "session " + text_at(d, "id") + " " + text_at(d, "outcome");
  const std::string reason = text_at(d, "reason");
  if (!reason.empty()) text += ": " + reason;
  const std::string rule = text_at(d, "rule");
  if (!rule.empty()) text += " [rule " + rule + "]";
  return text + "; peak " + with_unit(number_at(d, "peak"), unit);
}

std::string phase_changed(const json& d, const std::string& unit) {
  std::string text = text_at(d, "label");
  if (text.empty()) text = text_at(d, "kind") + " to " + with_unit(number_at(d, "target"), unit);
  const auto repetition = static_cast<long long>(number_at(d, "repetition"));
  if (repetition > 1) text += ", repetition " + std::to_string(repetition);
  return text;
}

std::string state_changed(const json& d, const std::string&) {
  return "state " + text_at(d, "from") + " → " + text_at(d, "to") + because(text_at(d, "reason"));
}

using Describe = std::function<std::string(const json&, const std::string&)>;

const std::map<std::string, Describe>& describers() {
  static const std::map<std::string, Describe> table = {
      {"session_started", session_started},
      {"session_ended", session_ended},
      {"phase_changed", phase_changed},
      {"state_changed", state_changed},
      {"fault",
       [](const json& d, const std::string&) {
         return "FAULT: " + text_at(d, "message") + " [rule " + text_at(d, "rule") + "]";
       }},
      {"stop_switch",
       [](const json& d, const std::string&) { return "STOP SWITCH: " + text_at(d, "message"); }},
      {"estop",
       [](const json& d, const std::string&) { return "EMERGENCY STOP by " + text_at(d, "by"); }},
      {"reset",
       [](const json& d, const std::string&) {
         return "reset by " + text_at(d, "by") + because("cleared " + text_at(d, "cleared"));
       }},
      {"device_lost",
       [](const json& d, const std::string&) {
         return "DEVICE LOST after " + text_at(d, "failures") + " failed exchanges";
       }},
      {"device_regained", [](const json&, const std::string&) { return "device answers again"; }},
      {"release_resumed",
       [](const json& d, const std::string& unit) {
         return "release resumed at " + with_unit(number_at(d, "actual"), unit) +
                because("state " + text_at(d, "state"));
       }},
      {"recovery_started",
       [](const json& d, const std::string& unit) {
         return "recovery started at " + with_unit(number_at(d, "actual"), unit) +
                because(text_at(d, "reason"));
       }},
      {"release_stalled",
       [](const json& d, const std::string&) {
         return "RELEASE STALLED: " + text_at(d, "reason");
       }},
      {"selftest_started",
       [](const json& d, const std::string&) {
         return "self-test started by " + text_at(d, "by");
       }},
      {"selftest_step",
       [](const json& d, const std::string&) {
         std::string step = text_at(d, "step");
         step.resize(std::max<std::size_t>(step.size(), 12), ' ');
         std::string result = text_at(d, "result");
         result.resize(std::max<std::size_t>(result.size(), 8), ' ');
         return "self-test " + step + result + text_at(d, "detail");
       }},
      {"selftest_ended",
       [](const json& d, const std::string&) { return "self-test " + text_at(d, "summary"); }},
  };
  return table;
}

}  // namespace

std::string local_clock(const std::string& time_utc) {
  std::tm parts{};
  if (std::sscanf(time_utc.c_str(), "%d-%d-%dT%d:%d:%d", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec) != 6) {
    return "--:--:--";
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  const std::time_t when = timegm(&parts);
  std::tm local{};
  char text[16];
  if (when == -1 || localtime_r(&when, &local) == nullptr ||
      std::strftime(text, sizeof text, "%H:%M:%S", &local) == 0) {
    return "--:--:--";
  }
  return text;
}

std::string with_unit(double value, const std::string& unit) {
  char number[32];
  const bool whole = std::fabs(value - std::round(value)) < 0.05;
  if (whole) value = std::round(value) + 0.0;  // no "-0"
  std::snprintf(number, sizeof number, "%.*f", whole ? 0 : 1, value);
  if (unit == "deg") return std::string(number) + "°";
  return unit.empty() ? number : std::string(number) + " " + unit;
}

std::string event_text(const json& event, const std::string& unit) {
  const json none = json::object();
  std::string kind = event.is_object() ? text_at(event, "kind") : "";
  if (kind.empty()) kind = "?";
  const json& detail = event.is_object() && event.contains("detail") ? event["detail"] : none;
  const auto it = describers().find(kind);
  if (it != describers().end() && detail.is_object()) return it->second(detail, unit);
  return kind + (detail.empty() ? "" : " " + detail.dump());
}

std::string event_line(const json& event, const std::string& unit) {
  return local_clock(event.is_object() ? text_at(event, "time_utc") : "") + "  " +
         event_text(event, unit);
}

}  // namespace traction::client

// SPDX-License-Identifier: Apache-2.0
#include "cli/plan_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/event_text.hpp"
#include "cli/progress_view.hpp"
#include "cli/text_table.hpp"

namespace traction::client {
namespace {

using nlohmann::json;

std::string text_at(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

double number_at(const json& object, const char* key, double fallback = 0.0) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

bool flag_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string whole_or_tenth(double value) {
  return with_unit(value, "");
}

std::string rate_text(double rate, const std::string& unit) {
  return whole_or_tenth(rate) + " " + (unit == "deg" ? "°" : unit) + "/s";
}

bool moves(const std::string& kind) {
  return kind == "ramp" || kind == "release" || kind == "pretension";
}

// What the plan's phases use of each limit, walking from home as the session does.
struct PlanUse {
  double highest = 0.0;
  double lowest = 0.0;
  std::optional<double> rate_up;         // fastest move away from home
  std::optional<double> rate_down;       // fastest move towards home
  std::optional<double> hold_above_cap;  // longest hold above hold_cap_above
  std::optional<double> shortest_rest;
};

std::optional<double> larger(std::optional<double> a, double b) {
  return a ? std::max(*a, b) : b;
}

PlanUse plan_use(const json& plan) {
  const json limits = plan.value("limits", json::object());
  const double home = number_at(limits, "home");
  const double cap_above = number_at(limits, "hold_cap_above");
  PlanUse use{home, home, {}, {}, {}, {}};
  double at = home;
  for (const json& phase : plan.value("phases", json::array())) {
    const std::string kind = text_at(phase, "kind");
    const double target = number_at(phase, "target", at);
    use.highest = std::max(use.highest, target);
    use.lowest = std::min(use.lowest, target);
    if (moves(kind) && target != at) {
      const bool away = std::fabs(target - home) > std::fabs(at - home);
      auto& rate = away ? use.rate_up : use.rate_down;
      rate = larger(rate, number_at(phase, "rate"));
    }
    const double seconds = number_at(phase, "seconds");
    if (kind == "hold" && target > cap_above)
      use.hold_above_cap = larger(use.hold_above_cap, seconds);
    if (kind == "rest")
      use.shortest_rest = use.shortest_rest ? std::min(*use.shortest_rest, seconds) : seconds;
    at = target;
  }
  return use;
}

std::string seconds_text(double seconds) {
  return whole_or_tenth(seconds) + " s";
}

std::string phase_seconds(const json& phase, double from) {
  const std::string kind = text_at(phase, "kind");
  const double seconds = number_at(phase, "seconds");
  if (!moves(kind)) return whole_or_tenth(seconds);
  const double rate = number_at(phase, "rate");
  const double distance = std::fabs(number_at(phase, "target", from) - from);
  std::string text = distance > 0.0 && rate > 0.0 && !flag_at(phase, "shaped")
                         ? "~" + whole_or_tenth(distance / rate)
                         : "";
  if (seconds > 0.0) text += (text.empty() ? "" : " + ") + whole_or_tenth(seconds);
  return text;
}

}  // namespace

std::string phases_text(const json& plan) {
  const std::string unit = text_at(plan, "unit");
  std::vector<TableRow> rows = {{"#", "kind", "target", "rate", "seconds", "rep"}};
  double at = number_at(plan.value("limits", json::object()), "home");
  for (const json& phase : plan.value("phases", json::array())) {
    const std::string kind = text_at(phase, "kind");
    const double target = number_at(phase, "target", at);
    const double rate = number_at(phase, "rate");
    const auto repetition = static_cast<long long>(number_at(phase, "repetition"));
    std::string rate_cell = moves(kind) && rate > 0.0 ? rate_text(rate, unit) : "";
    if (flag_at(phase, "shaped")) rate_cell += " shaped";
    rows.push_back({std::to_string(static_cast<long long>(number_at(phase, "index")) + 1), kind,
                    with_unit(target, unit), rate_cell, phase_seconds(phase, at),
                    repetition > 0 ? std::to_string(repetition) : ""});
    at = target;
  }
  const double total = number_at(plan, "total_seconds");
  return render_table(rows, "  ") + "total: " + format_seconds(total) + " (" + seconds_text(total) +
         ")\n";
}

std::string binding_limits_text(const json& plan) {
  const std::string unit = text_at(plan, "unit");
  const json limits = plan.value("limits", json::object());
  const json reasons = limits.value("reason", json::object());
  const PlanUse use = plan_use(plan);
  const auto value = [&](const char* key) { return number_at(limits, key); };
  const auto optional = [](const std::optional<double>& v, auto format) {
    return v ? format(*v) : std::string("-");
  };
  const auto rate = [&](double r) { return rate_text(r, unit); };
  const auto axis = [&](double v) { return with_unit(v, unit); };
  std::vector<TableRow> rows = {
      {"limit", "plan", "limit", "set by"},
      {"highest target", axis(use.highest), axis(value("max_target")),
       text_at(reasons, "max_target")},
      {"lowest target", axis(use.lowest), axis(value("min_target")),
       text_at(reasons, "min_target")},
      {"rate away from home", optional(use.rate_up, rate), rate(value("max_rate_up")),
       text_at(reasons, "max_rate_up")},
      {"rate towards home", optional(use.rate_down, rate), rate(value("max_rate_down")),
       text_at(reasons, "max_rate_down")},
      {"hold above " + axis(value("hold_cap_above")), optional(use.hold_above_cap, seconds_text),
       seconds_text(value("max_hold_seconds")), text_at(reasons, "max_hold_seconds")},
      {"rest (at least)", optional(use.shortest_rest, seconds_text),
       seconds_text(value("min_rest_seconds")), text_at(reasons, "min_rest_seconds")},
      {"session", seconds_text(number_at(plan, "total_seconds")),
       seconds_text(value("max_session_seconds")), text_at(reasons, "max_session_seconds")}};
  return render_table(rows, "  ");
}

std::string program_text(const json& program) {
  std::string text = text_at(program, "name") + ": " + text_at(program, "description") + "\n";
  text += "guidance: " + text_at(program, "guidance") + "\n";
  text += "source:   " + text_at(program, "source") + "\n";
  const json plan = program.value("plan", json());
  if (!plan.is_object()) {
    const std::string error = text_at(program, "error");
    return text + "\nno plan" + (error.empty() ? "" : ": " + error) + "\n";
  }
  const std::string profile = text_at(plan, "profile");
  text += "\nplan on the " + text_at(plan, "kind") + " device (" +
          (profile.empty() ? "no profile" : "profile " + profile) + "):\n" + phases_text(plan);
  text += "\neffective limits:\n" + binding_limits_text(plan);
  const json violations = program.value("violations", json::array());
  if (violations.is_array() && !violations.empty()) {
    text += "\nrefused without a profile:\n";
    for (const json& v : violations) text += "  - " + text_at(v, "message") + "\n";
  }
  return text;
}

}  // namespace traction::client

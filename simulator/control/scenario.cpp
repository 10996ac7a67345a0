// SPDX-License-Identifier: Apache-2.0
#include "simulator/control/scenario.hpp"

#include <algorithm>

#include "core/config_reader.hpp"

namespace traction::sim {

Result<Scenario> Scenario::parse(const nlohmann::json& json, const std::string& source) {
  return parse_config<Scenario>([&] {
    ObjectReader root(json, source);
    const nlohmann::json& events = root.raw("events");
    if (!events.is_array())
      root.fail("events", "must be an array of {\"at_s\": S, \"command\": NAME, ...}");
    root.finish();
    Scenario scenario;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const std::string path = "/events/" + std::to_string(i);
      if (!events[i].is_object())
        throw ConfigError(source + ": at " + path + ": an event must be an object");
      ObjectReader event(events[i], source, path);
      ScenarioEvent e;
      e.at_s = event.number("at_s", 0.0, 86400.0);
      e.command = parse_command(event);
      scenario.events_.push_back(std::move(e));
    }
    std::stable_sort(
        scenario.events_.begin(), scenario.events_.end(),
        [](const ScenarioEvent& a, const ScenarioEvent& b) { return a.at_s < b.at_s; });
    return scenario;
  });
}

Result<Scenario> Scenario::load(const std::string& path) {
  try {
    return parse(load_json_file(path), path);
  } catch (const ConfigError& e) {
    return Result<Scenario>(Errc::config, e.what());
  }
}

std::optional<double> Scenario::next_time() const {
  if (next_ >= events_.size()) return std::nullopt;
  return events_[next_].at_s;
}

std::optional<Command> Scenario::take_due(double now_s) {
  // Simulated time advances in float steps; an event a nanosecond "late" is still due.
  if (next_ >= events_.size() || events_[next_].at_s > now_s + 1e-9) return std::nullopt;
  return events_[next_++].command;
}

}  // namespace traction::sim

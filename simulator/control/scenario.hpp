// SPDX-License-Identifier: Apache-2.0
// A scenario file (--scenario FILE): control commands at simulated times, e.g.
//   {"events": [{"at_s": 2.0, "command": "press_stop"}, {"at_s": 5.0, "command": "release_stop"}]}
// Every event is validated at load, so a typo fails before the simulator starts, not mid-run.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "simulator/control/commands.hpp"

namespace traction::sim {

struct ScenarioEvent {
  double at_s = 0.0;
  Command command;
};

class Scenario {
 public:
  static Result<Scenario> parse(const nlohmann::json& json, const std::string& source);
  static Result<Scenario> load(const std::string& path);

  // Time of the next event not yet taken, if any.
  std::optional<double> next_time() const;
  // Takes the next event if it is due at `now_s`.
  std::optional<Command> take_due(double now_s);
  std::size_t size() const { return events_.size(); }

 private:
  std::vector<ScenarioEvent> events_;  // sorted by time, stable for equal times
  std::size_t next_ = 0;
};

}  // namespace traction::sim

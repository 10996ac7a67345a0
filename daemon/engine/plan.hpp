// SPDX-License-Identifier: Apache-2.0
// A validated plan: what a session will do, phase by phase, within the effective limits. Produced by
// program validation (program.hpp), consumed by the session runner. Nothing moves without one.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/device_state.hpp"

namespace traction {

// The merged limits of device, site and profile (most restrictive wins). Axis units: deg or N.
struct EffectiveLimits {
  double min_target = 0.0;
  double max_target = 0.0;
  double home = 0.0;           // where "safe" is: head-up home angle, or the bench's floor force
  double max_rate_up = 1.0;    // units/s, moving away from home
  double max_rate_down = 1.0;  // units/s, moving towards home
  double max_accel = 1.0;      // units/s^2
  double max_jerk = 1.0;       // units/s^3
  double tolerance = 1.0;      // allowed excursion of a reading past a limit before it is a fault
  double max_hold_seconds = 120.0;   // one continuous hold
  double min_rest_seconds = 0.0;     // after a hold
  double max_session_seconds = 1200.0;
  double max_pause_seconds = 120.0;
  double release_rate_stop = 1.0;     // normal stop and program end
  double release_rate_patient = 1.0;  // patient stop switch
  double release_rate_fault = 1.0;    // faults and estop
  // For each field above, the level that set it: "device", "site" or "profile".
  std::map<std::string, std::string> source;

  nlohmann::json to_json() const;
};

enum class PhaseKind { pretension, ramp, hold, rest, release };
const char* to_string(PhaseKind kind);

struct Phase {
  PhaseKind kind = PhaseKind::hold;
  double target = 0.0;   // absolute axis target of this phase
  double rate = 0.0;     // ramp rate in units/s for moving phases (<= the limits' rate)
  double seconds = 0.0;  // hold/rest: time at target, counted once the target is reached and settled
  bool shaped = false;   // shaped rise: fast first, slowing near the target
  int repetition = 0;    // 1-based repetition this phase belongs to (0: none)
  std::string label;     // human text, e.g. "hold 20°"
};

struct Plan {
  std::string program;      // name, or "inline"
  std::string description;
  std::string guidance;     // which guidance it follows
  std::string profile;      // profile name ("" = site defaults)
  DeviceKind kind = DeviceKind::inversion;
  std::vector<Phase> phases;
  int repetitions = 1;
  EffectiveLimits limits;
  double total_seconds = 0.0;  // computed estimate, including ramps
  nlohmann::json to_json() const;
};

}  // namespace traction

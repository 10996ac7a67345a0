// SPDX-License-Identifier: Apache-2.0
// Validation before anything moves: every phase of a plan is checked against the
// effective limits and every violation is reported at once, each naming the phase, the field, the
// value, the limit and the level (device, site, profile or default) that set it. A plan beyond the
// limits is refused, never clamped.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/engine/plan.hpp"

namespace traction {

struct Violation {
  int phase = -1;      // 0-based index into plan.phases; -1 for the whole plan (session time)
  std::string field;   // target, rate, release_rate, hold_seconds, rest_seconds, total_seconds
  double value = 0.0;  // what the plan asks
  double limit = 0.0;  // what the limits allow
  std::string level;   // device, site, profile or default
  std::string message;

  nlohmann::json to_json() const;  // {phase (null for -1), field, value, limit, level, message}
};

// Every violation of `plan` against plan.limits, in phase order, the session-time one last.
std::vector<Violation> check_plan(const Plan& plan);

}  // namespace traction

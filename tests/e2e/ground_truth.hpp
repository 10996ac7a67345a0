// SPDX-License-Identifier: Apache-2.0
// Judging the simulator's ground truth against a device's limits, for the fault matrix and the
// soak: is the device home and at rest, and how fast did the axis move while the person was
// loaded.
#pragma once

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/process_harness.hpp"
#include "tests/e2e/sim_trace.hpp"

namespace traction::e2e {

// The limits of config/devices/sim-<kind>.json that the ground truth is judged by.
struct SimLimits {
  std::string kind;
  double home;
  double tolerance;
  double max_rate;         // the larger of max_rate_up and max_rate_down
  std::string axis_field;  // in the simulator's state
  std::string peak_field;
};

inline const SimLimits kSimTable{"inversion", 0.0, 1.5, 12.0, "angle_deg", "peak_angle_deg"};
inline const SimLimits kSimBench{"traction", 15.0, 25.0, 90.0, "force_n", "peak_force_n"};

// Home within half the tolerance (a bench may be below its floor force: less traction is safe)
// and at rest (below 5 % of the rate limit).
inline bool safe_at_home(const nlohmann::json& truth, const SimLimits& d) {
  const double axis = truth.value(d.axis_field, 1e9);
  const double off = d.kind == "traction" ? axis - d.home : std::abs(axis - d.home);
  return off <= 0.5 * d.tolerance && std::abs(truth.value("velocity", 1e9)) < 0.05 * d.max_rate;
}

// The fastest the axis moved while the person was loaded (beyond home by more than half the
// tolerance), from the rig's trace rows from simulated time `from_s` on, once the trace has caught
// up with `truth`. A bench taking up its slack below the floor force loads nobody.
inline double fastest_loaded_rate(Rig& rig, const nlohmann::json& truth, const SimLimits& d,
                                  double from_s = 0.0) {
  TraceColumns trace;
  wait_until(
      [&] {
        trace = read_trace(rig.dir() + "/trace.csv");
        return !trace["t"].empty() && trace["t"].back() >= truth.value("t", 0.0) - 0.05;
      },
      std::chrono::seconds(5));
  double fastest = 0.0;
  const std::size_t rows =
      std::min({trace["t"].size(), trace["actual"].size(), trace["velocity"].size()});
  for (std::size_t i = 0; i < rows; ++i) {
    if (trace["t"][i] >= from_s && std::abs(trace["actual"][i] - d.home) > 0.5 * d.tolerance) {
      fastest = std::max(fastest, std::abs(trace["velocity"][i]));
    }
  }
  return fastest;
}

}  // namespace traction::e2e

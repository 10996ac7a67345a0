// SPDX-License-Identifier: Apache-2.0
// Judging the simulator's ground truth against a device's limits, for the fault matrix and the
// soak: is the device home and at rest, and how fast did the axis move while the person was
// loaded.
#pragma once

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cia402.hpp"
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

// How far the axis loads the person beyond home: a table either way, a bench above its floor
// force (below it the rope is slack: negative, and safe).
inline double loaded_offset(double axis, const SimLimits& d) {
  return d.kind == "traction" ? axis - d.home : std::abs(axis - d.home);
}

// Away from home: loaded beyond half the tolerance.
inline bool away_from_home(double axis, const SimLimits& d) {
  return loaded_offset(axis, d) > 0.5 * d.tolerance;
}

// At rest: below 5 % of the rate limit.
inline bool at_rest(double velocity, const SimLimits& d) {
  return std::abs(velocity) < 0.05 * d.max_rate;
}

// Home within half the tolerance (a bench may be below its floor force: less traction is safe)
// and at rest.
inline bool safe_at_home(const nlohmann::json& truth, const SimLimits& d) {
  return !away_from_home(truth.value(d.axis_field, 1e9), d) &&
         at_rest(truth.value("velocity", 1e9), d);
}

// The rig's trace once it has caught up with simulated time `t_s` (rows reach the file about
// every 100 ms).
inline TraceColumns trace_through(Rig& rig, double t_s) {
  TraceColumns trace;
  wait_until(
      [&] {
        trace = read_trace(rig.dir() + "/trace.csv");
        return !trace["t"].empty() && trace["t"].back() >= t_s - 0.05;
      },
      std::chrono::seconds(5));
  return trace;
}

// The rows of a trace from `from_s` on that every judgement below walks.
inline std::size_t trace_rows(TraceColumns& trace) {
  return std::min({trace["t"].size(), trace["actual"].size(), trace["velocity"].size(),
                   trace["target"].size(), trace["status_word"].size()});
}

inline cia402::State trace_drive(TraceColumns& trace, std::size_t row) {
  return cia402::decode_status(static_cast<std::uint16_t>(trace["status_word"][row]));
}

// Simulated times, from `from_s` on, at which the master disabled the drive (operation enabled
// to switched on, ready to switch on or switch on disabled: not the drive's own quick stop or
// fault reaction) while the person was loaded.
inline std::vector<double> disabled_while_away(TraceColumns& trace, const SimLimits& d,
                                               double from_s) {
  using cia402::State;
  std::vector<double> at;
  for (std::size_t i = 1; i < trace_rows(trace); ++i) {
    const State before = trace_drive(trace, i - 1);
    const State now = trace_drive(trace, i);
    const bool disabled = now == State::switched_on || now == State::ready_to_switch_on ||
                          now == State::switch_on_disabled;
    if (trace["t"][i] >= from_s && before == State::operation_enabled && disabled &&
        away_from_home(trace["actual"][i], d))
      at.push_back(trace["t"][i]);
  }
  return at;
}

// The largest gap between the commanded target and the ground truth at the rows where the drive
// became operation enabled, from `from_s` on: 0 when every enable started from where the axis was.
inline double largest_enable_step(TraceColumns& trace, double from_s) {
  double largest = 0.0;
  for (std::size_t i = 1; i < trace_rows(trace); ++i) {
    if (trace["t"][i] >= from_s && trace_drive(trace, i) == cia402::State::operation_enabled &&
        trace_drive(trace, i - 1) != cia402::State::operation_enabled)
      largest = std::max(largest, std::abs(trace["target"][i] - trace["actual"][i]));
  }
  return largest;
}

// The fastest the axis moved either way from `from_s` on.
inline double fastest_rate(TraceColumns& trace, double from_s) {
  double fastest = 0.0;
  for (std::size_t i = 0; i < trace_rows(trace); ++i) {
    if (trace["t"][i] >= from_s) fastest = std::max(fastest, std::abs(trace["velocity"][i]));
  }
  return fastest;
}

// The fastest the axis moved while the person was loaded (beyond home by more than half the
// tolerance) and the drive had power, from the rig's trace rows from simulated time `from_s` on,
// once the trace has caught up with `truth`. A bench taking up its slack below the floor force
// loads nobody. Without power nothing drives the axis: a drive without a brake lets the person
// back-drive the mechanics home at whatever rate they give (the bench's tension decays with its
// time constant, its first 50 ms faster while the rope speeds up against the person's damping),
// which no controller can limit; the rate limits judge driven motion only.
inline double fastest_loaded_rate(Rig& rig, const nlohmann::json& truth, const SimLimits& d,
                                  double from_s = 0.0) {
  TraceColumns trace = trace_through(rig, truth.value("t", 0.0));
  double fastest = 0.0;
  for (std::size_t i = 0; i < trace_rows(trace); ++i) {
    const bool powered = trace_drive(trace, i) != cia402::State::not_ready_to_switch_on;
    if (powered && trace["t"][i] >= from_s && away_from_home(trace["actual"][i], d))
      fastest = std::max(fastest, std::abs(trace["velocity"][i]));
  }
  return fastest;
}

}  // namespace traction::e2e

// SPDX-License-Identifier: Apache-2.0
// The safety monitor (DESIGN.md layer L2): independent checks every cycle, separate from the
// program runner. It looks only at the device reading, the governed setpoint and the session's
// clocks, and names the first rule that trips. The controller latches the result.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "daemon/engine/plan.hpp"
#include "drivers/device_state.hpp"

namespace traction {

enum class TripResponse {
  patient_stop,  // the person's own stop: release at the patient rate, session outcome stop_switch
  fault,         // release at the fault rate and latch until device.reset
};

struct Trip {
  std::string rule;  // stable name: data_stale, device_unavailable, drive_fault, stop_switch, ...
  std::string message;  // what and why, with the values
  TripResponse response = TripResponse::fault;
};

struct MonitorContext {
  bool session_active = false;  // running, paused or stopping a session
  bool drive_enabled = false;   // the drive follows setpoints (tracking can be judged)
  double setpoint = 0.0;
  double highest_target = 0.0;   // farthest-from-home target of the running plan
  double hold_seconds = 0.0;     // time in the current hold (0 outside holds)
  double session_seconds = 0.0;  // since the session started
};

struct MonitorOptions {
  double stale_seconds = 0.25;        // a reading older than this is stale
  double tracking_band_factor = 2.0;  // x tolerance: allowed |actual - setpoint|
  double tracking_seconds = 1.0;      // for this long
  // The reading moving away from home faster than rate_margin x max_rate_up, measured over
  // rate_window_seconds, for rate_seconds (a bench taking up slack, a runaway drive).
  double rate_margin = 1.5;
  double rate_window_seconds = 0.25;
  double rate_seconds = 0.25;
  // The setpoint at rest and the reading outside the settle band for this long.
  double settle_seconds = kSettleTimeoutSeconds;
};

class SafetyMonitor {
 public:
  SafetyMonitor(const EffectiveLimits& limits, MonitorOptions options = {})
      : limits_(limits), options_(options) {}

  void set_limits(const EffectiveLimits& limits) { limits_ = limits; }
  // Returns the first rule that trips this cycle, or nothing.
  std::optional<Trip> check(Clock::time_point now, const DeviceState& device,
                            const MonitorContext& ctx);
  // Forgets the timers and the recent readings (after a reset or re-enable).
  void reset();

 private:
  // Records the reading and the setpoint of this cycle (the rules below judge their history).
  void observe(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx);
  std::optional<Trip> check_rate(Clock::time_point now, const MonitorContext& ctx);
  std::optional<Trip> check_settle(Clock::time_point now, const DeviceState& device,
                                   const MonitorContext& ctx);
  std::optional<Trip> check_tracking(Clock::time_point now, const DeviceState& device,
                                     const MonitorContext& ctx);

  EffectiveLimits limits_;
  MonitorOptions options_;
  std::optional<Clock::time_point> tracking_since_;
  // Recent fresh readings (stamp, distance from home), oldest first, over the rate window.
  std::deque<std::pair<Clock::time_point, double>> recent_;
  std::optional<Clock::time_point> too_fast_since_;
  std::optional<double> last_setpoint_;
  bool setpoint_at_rest_ = false;
  std::optional<Clock::time_point> unsettled_since_;
};

}  // namespace traction

// SPDX-License-Identifier: Apache-2.0
// The safety monitor (DESIGN.md layer L2): independent checks every cycle, separate from the
// program runner. It looks only at the device reading, the governed setpoint and the session's
// clocks, and names the first rule that trips. The controller latches the result.
#pragma once

#include <optional>
#include <string>

#include "daemon/engine/plan.hpp"
#include "drivers/device_state.hpp"

namespace traction {

enum class TripResponse {
  patient_stop,  // the person's own stop: release at the patient rate, session outcome stop_switch
  fault,         // release at the fault rate and latch until device.reset
};

struct Trip {
  std::string rule;     // stable name: data_stale, device_unavailable, drive_fault, stop_switch, ...
  std::string message;  // what and why, with the values
  TripResponse response = TripResponse::fault;
};

struct MonitorContext {
  bool session_active = false;   // running, paused or stopping a session
  bool drive_enabled = false;    // the drive follows setpoints (tracking can be judged)
  double setpoint = 0.0;
  double highest_target = 0.0;   // farthest-from-home target of the running plan
  double hold_seconds = 0.0;     // time in the current hold (0 outside holds)
  double session_seconds = 0.0;  // since the session started
};

struct MonitorOptions {
  double stale_seconds = 0.25;          // a reading older than this is stale
  double tracking_band_factor = 2.0;    // x tolerance: allowed |actual - setpoint|
  double tracking_seconds = 1.0;        // for this long
};

class SafetyMonitor {
 public:
  SafetyMonitor(const EffectiveLimits& limits, MonitorOptions options = {})
      : limits_(limits), options_(options) {}

  void set_limits(const EffectiveLimits& limits) { limits_ = limits; }
  // Returns the first rule that trips this cycle, or nothing.
  std::optional<Trip> check(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx);
  // Forgets the tracking timer (after a reset or re-enable).
  void reset() { tracking_since_.reset(); }

 private:
  std::optional<Trip> check_tracking(Clock::time_point now, const DeviceState& device,
                                     const MonitorContext& ctx);

  EffectiveLimits limits_;
  MonitorOptions options_;
  std::optional<Clock::time_point> tracking_since_;
};

}  // namespace traction

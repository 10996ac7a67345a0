// SPDX-License-Identifier: Apache-2.0
// The safety monitor (safety layer L2): independent checks every cycle, in every state that has a
// device, separate from the program runner. It looks only at the device reading, the governed
// setpoint and the session's clocks, and reports every rule of safety_rules.hpp that trips this
// cycle. It decides nothing: the controller reacts through decide() and the rule table.
#pragma once

#include <array>
#include <optional>
#include <utility>

#include "daemon/engine/safety_rules.hpp"
#include "drivers/device_state.hpp"

namespace traction {

// Which rules are judged this cycle (the table's scopes) and what they need to know.
struct MonitorContext {
  bool session = false;    // a session is starting, running or paused
  bool releasing = false;  // the daemon brings the axis home (stopping, recovering, fault, estop)
  bool drive_enabled = false;  // the drive follows setpoints
  double setpoint = 0.0;
  double highest_target = 0.0;   // farthest-from-home target of the running plan
  double session_seconds = 0.0;  // active session time (pauses and their returns excluded)
  // A drive fault with this code is expected, not a trip: while recovering, the drive's
  // communication-loss fault was caused by the daemon's own absence, and the release clears it.
  std::optional<std::uint16_t> expected_fault_code;
};

struct MonitorOptions {
  double stale_seconds = 0.25;         // a reading older than this is stale
  double tracking_band_factor = 2.0;   // x tolerance: allowed |actual - setpoint|
  double tracking_seconds = 1.0;       // accumulated time outside the band
  double release_stall_seconds = 2.0;  // accumulated lag of a release before it is stalled
  // The reading moving away from home faster than rate_margin x max_rate_up, measured over
  // rate_window_seconds, for rate_seconds (a bench taking up slack, a runaway drive).
  double rate_margin = 1.5;
  double rate_window_seconds = 0.25;
  double rate_seconds = 0.25;
  // The setpoint at rest and the reading outside the settle band for this long.
  double settle_seconds = kSettleTimeoutSeconds;
  // Time below hold_cap_above that ends a stretch of exposure (a moment is not relief).
  double relief_seconds = kReliefSeconds;
  // A second reading frozen while the axis moves this many tolerances within mismatch_seconds.
  double mismatch_tolerances = 4.0;
  double mismatch_seconds = 1.0;
};

class SafetyMonitor {
 public:
  SafetyMonitor(DeviceKind kind, const EffectiveLimits& limits, MonitorOptions options = {})
      : kind_(kind), limits_(limits), options_(options) {}

  void set_limits(const EffectiveLimits& limits) { limits_ = limits; }
  const MonitorOptions& options() const { return options_; }
  // Judges one cycle; `trips` is cleared first and holds every rule that tripped.
  void check(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx,
             TripSet& trips);
  // Forgets the timers and the recent readings (a new session, a reset, a re-enable).
  void reset();
  // Seconds in a row beyond hold_cap_above (the exposure that hold_time_exceeded caps).
  double exposure_seconds() const { return exposure_s_; }

 private:
  void check_device(Clock::time_point now, const DeviceState& device,
                    std::optional<std::uint16_t> expected_fault, TripSet& trips) const;
  void check_plan(const DeviceState& device, const MonitorContext& ctx, TripSet& trips) const;
  void observe(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx);
  void check_rate(Clock::time_point now, const MonitorContext& ctx, TripSet& trips);
  void check_settle(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx,
                    TripSet& trips);
  void check_tracking(const DeviceState& device, const MonitorContext& ctx, TripSet& trips);
  void check_release(const DeviceState& device, const MonitorContext& ctx, TripSet& trips);
  void check_exposure(const DeviceState& device, const MonitorContext& ctx, TripSet& trips);
  void check_mismatch(Clock::time_point now, const DeviceState& device, const MonitorContext& ctx,
                      TripSet& trips);

  // Adds `rule` when the table's scope for it applies this cycle; the message is built only then.
  template <class F>
  void trip(TripSet& trips, const MonitorContext& ctx, Rule rule, F&& message) const;

  DeviceKind kind_;
  EffectiveLimits limits_;
  MonitorOptions options_;
  double dt_s_ = 0.0;  // since the previous check
  std::optional<Clock::time_point> last_check_;
  double tracking_s_ = 0.0;  // leaky accumulator of time outside the tracking band
  double stall_s_ = 0.0;     // the same for a release that lags
  // Recent fresh readings (stamp, distance from home) over the rate window, oldest first: a ring,
  // so that a steady cycle allocates nothing.
  struct Sample {
    Clock::time_point stamp;
    double from_home = 0.0;
  };
  static constexpr std::size_t kRing = 512;
  std::array<Sample, kRing> ring_{};
  std::size_t ring_first_ = 0;
  std::size_t ring_count_ = 0;
  const Sample& sample(std::size_t i) const { return ring_[(ring_first_ + i) % kRing]; }
  std::optional<Clock::time_point> too_fast_since_;
  std::optional<double> last_setpoint_;
  bool setpoint_at_rest_ = false;
  std::optional<Clock::time_point> unsettled_since_;
  double exposure_s_ = 0.0;
  double relief_s_ = 0.0;
  // Sensor cross-check: the window's first readings of the axis and the second signal.
  std::optional<Clock::time_point> mismatch_since_;
  double mismatch_axis_ = 0.0;
  double mismatch_other_ = 0.0;
  double disagree_s_ = 0.0;  // a bench's load cell against its axis force
};

}  // namespace traction

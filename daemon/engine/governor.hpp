// SPDX-License-Identifier: Apache-2.0
// The motion governor: the last gate every setpoint passes, below every other check. It clamps the
// target to the effective limits, then moves the setpoint towards it with bounded velocity,
// acceleration and jerk (an S-curve), braking early enough never to overshoot. No code path writes
// a target to the driver around it. Pure: time enters only as `dt_s`.
#pragma once

#include "daemon/engine/plan.hpp"

namespace traction {

struct GovernorState {
  double position = 0.0;      // the setpoint, axis units
  double velocity = 0.0;      // units/s
  double acceleration = 0.0;  // units/s^2
};

class MotionGovernor {
 public:
  explicit MotionGovernor(const EffectiveLimits& limits) : limits_(limits) {}

  // Starts from a measured value at rest: a restart or re-enable never jumps.
  void reset(double measured);
  // Changes the limits (a new session's plan). Motion continues smoothly from the current state.
  void set_limits(const EffectiveLimits& limits) { limits_ = limits; }

  // Advances one period towards `target`, moving no faster than `max_rate` (units/s; further capped
  // by the limits' rate in the direction of travel). Returns the new setpoint.
  double step(double target, double max_rate, double dt_s);

  const GovernorState& state() const { return state_; }
  double position() const { return state_.position; }
  // Where the setpoint comes to rest if it brakes from now on (jerk-limited), e.g. for a pause
  // that stops a move without turning back.
  double stopping_position(double dt_s) const;
  // True when the setpoint sits on `target` and is at rest.
  bool settled_at(double target) const;
  const EffectiveLimits& limits() const { return limits_; }

 private:
  double direction_rate_limit(double direction) const;

  EffectiveLimits limits_;
  GovernorState state_;
};

}  // namespace traction

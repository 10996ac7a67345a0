// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/ramp_follower.hpp"

#include <algorithm>
#include <cmath>

namespace traction::sim {

void RampFollower::reset(double position, double velocity) {
  position_ = position;
  velocity_ = velocity;
  accel_ = 0.0;
}

void RampFollower::step_toward(double target, double max_velocity, double max_accel, double dt_s) {
  if (dt_s <= 0.0) return;
  const double error = target - position_;
  const double distance = std::abs(error);
  // The fastest speed v that still stops in time *after* this step: v^2 <= 2 a (d - v dt). Using
  // the distance left after the step (not before) is what keeps a discrete ramp from overshooting.
  const double a_dt = max_accel * dt_s;
  const double braking_speed =
      std::max(0.0, -a_dt + std::sqrt(a_dt * a_dt + 2.0 * max_accel * distance));
  // ... and no faster than what lands exactly on the target this step.
  const double wanted_speed = std::min({max_velocity, braking_speed, distance / dt_s});
  const double wanted_velocity = std::copysign(wanted_speed, error);
  const double new_velocity = std::clamp(wanted_velocity, velocity_ - a_dt, velocity_ + a_dt);
  integrate(new_velocity, dt_s);
  if (std::abs(target - position_) < 1e-9 && new_velocity == wanted_velocity) {
    position_ = target;  // remove float dust so "at target" is exact
    if (distance / dt_s <= a_dt) velocity_ = 0.0;
  }
}

void RampFollower::step_stop(double max_accel, double dt_s) {
  if (dt_s <= 0.0) return;
  const double max_change = max_accel * dt_s;
  const double new_velocity =
      std::abs(velocity_) <= max_change ? 0.0 : velocity_ - std::copysign(max_change, velocity_);
  integrate(new_velocity, dt_s);
}

void RampFollower::integrate(double new_velocity, double dt_s) {
  accel_ = (new_velocity - velocity_) / dt_s;
  // Explicit Euler: the velocity chosen for a step is the velocity of that step, so a reference
  // that lands on its target does so exactly.
  position_ += new_velocity * dt_s;
  velocity_ = new_velocity;
}

}  // namespace traction::sim

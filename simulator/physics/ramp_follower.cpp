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
  // The fastest speed from which we can still stop at the target, and no faster than what lands
  // exactly on it this step (so we do not oscillate around it).
  const double braking_speed = std::sqrt(2.0 * max_accel * distance);
  const double wanted_speed = std::min({max_velocity, braking_speed, distance / dt_s});
  const double wanted_velocity = std::copysign(wanted_speed, error);
  const double max_change = max_accel * dt_s;
  const double new_velocity =
      std::clamp(wanted_velocity, velocity_ - max_change, velocity_ + max_change);
  integrate(new_velocity, dt_s);
  // Settled: snap the last sub-micro-unit so that "at target" is exact and at rest.
  if (std::abs(target - position_) < 1e-9 && std::abs(velocity_) <= max_change) {
    position_ = target;
    velocity_ = 0.0;
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
  // Trapezoidal integration: the position moves with the mean velocity over the step.
  position_ += 0.5 * (velocity_ + new_velocity) * dt_s;
  velocity_ = new_velocity;
}

}  // namespace traction::sim

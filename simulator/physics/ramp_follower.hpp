// SPDX-License-Identifier: Apache-2.0
// A reference that follows a target within a velocity and an acceleration limit, and never steps:
// position and velocity are continuous whatever the target does. This is the drive's own profile
// generator, so its limits are the hardware limits of the simulated device.
#pragma once

namespace traction::sim {

class RampFollower {
 public:
  // Re-initialises from a measured position at rest or moving (used when the drive takes over).
  void reset(double position, double velocity);

  // Advances by dt toward `target` with |velocity| <= max_velocity and |accel| <= max_accel,
  // braking early so that it arrives without overshoot.
  void step_toward(double target, double max_velocity, double max_accel, double dt_s);

  // Decelerates to rest at `max_accel` wherever that happens (a controlled stop).
  void step_stop(double max_accel, double dt_s);

  double position() const { return position_; }
  double velocity() const { return velocity_; }
  double accel() const { return accel_; }
  bool at_rest() const { return velocity_ == 0.0; }

 private:
  void integrate(double new_velocity, double dt_s);

  double position_ = 0.0;
  double velocity_ = 0.0;
  double accel_ = 0.0;
};

}  // namespace traction::sim

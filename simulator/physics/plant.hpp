// SPDX-License-Identifier: Apache-2.0
// The mechanics under the drive: an inversion table or a traction bench with a person on it.
// Plants are pure and time-stepped: nothing here reads a clock.
#pragma once

namespace traction::sim {

// What the drive asks of the motor this step.
struct PlantCommand {
  enum class Mode {
    unpowered,  // no power: the mechanics move by themselves (gravity return, tension decay)
    hold,       // brake engaged: the motor does not move
    track,      // follow `reference` (axis units) with its rate `reference_rate`
  };
  Mode mode = Mode::hold;
  double reference = 0.0;
  double reference_rate = 0.0;
};

class Plant {
 public:
  virtual ~Plant() = default;

  // Advances the mechanics by dt_s (> 0, small: the caller sub-steps at 1 ms or less).
  // The plant obeys its own motor limits whatever the command asks.
  virtual void step(const PlantCommand& command, double dt_s) = 0;

  // Ground truth of the controlled axis: angle (deg) for a table, force on the person (N) for a
  // bench.
  virtual double axis() const = 0;
  // Rate of the axis (deg/s or N/s) and its rate of change (deg/s^2 or N/s^2), ground truth.
  virtual double axis_velocity() const = 0;
  virtual double axis_accel() const = 0;
  // What the drive's own sensor measures of the axis (encoder, or load cell with offset and noise).
  virtual double measured_axis() const = 0;
  // Traction on the person in newtons: effective traction (table) or the force (bench).
  virtual double force_n() const = 0;
  // Rope pay-out in mm (bench); 0 for a table.
  virtual double rope_position_mm() const = 0;
};

}  // namespace traction::sim

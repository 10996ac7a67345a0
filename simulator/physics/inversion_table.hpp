// SPDX-License-Identifier: Apache-2.0
// An inversion table: a stiff position servo on the tilt axis, a person strapped to it, and a
// slow gravity return to horizontal when the motor is unpowered (the named hazard "stranded
// inverted" is answered by the table's balance, as on real tables).
#pragma once

#include "simulator/physics/model.hpp"
#include "simulator/physics/plant.hpp"

namespace traction::sim {

class InversionTable : public Plant {
 public:
  explicit InversionTable(const InversionModel& model, double angle_deg = 0.0);

  void step(const PlantCommand& command, double dt_s) override;
  double axis() const override { return angle_deg_; }
  double axis_velocity() const override { return velocity_deg_s_; }
  double axis_accel() const override { return accel_deg_s2_; }
  double measured_axis() const override { return angle_deg_; }  // encoder: exact
  double force_n() const override;
  double rope_position_mm() const override { return 0.0; }

 private:
  // Moves toward `reference` (where it is after this step), which itself moves at
  // `reference_rate`, within the motor's velocity and acceleration limits.
  void move_to(double reference, double reference_rate, double dt_s);

  InversionModel model_;
  double angle_deg_ = 0.0;
  double velocity_deg_s_ = 0.0;
  double accel_deg_s2_ = 0.0;
};

// Effective traction on the spine: mass above the hips x g x sin(angle). Negative when head-up.
double effective_traction_n(const InversionModel& model, double angle_deg);

}  // namespace traction::sim

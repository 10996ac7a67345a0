// SPDX-License-Identifier: Apache-2.0
// A traction bench: a motor pays in a rope, which first takes up slack and then stretches the
// person, modelled as a spring with a damper. A load cell in the rope measures the force with an
// offset and seeded noise. In track mode the drive's force loop moves the rope so that the measured
// force follows the reference (feed-forward plus proportional), so force lags a step realistically.
#pragma once

#include <cstdint>
#include <random>

#include "simulator/physics/model.hpp"
#include "simulator/physics/plant.hpp"

namespace traction::sim {

class TractionBench : public Plant {
 public:
  TractionBench(const TractionModel& model, std::uint64_t seed);

  void step(const PlantCommand& command, double dt_s) override;
  double axis() const override { return force_n_; }
  double axis_velocity() const override { return force_rate_n_s_; }
  double axis_accel() const override { return force_accel_n_s2_; }
  double measured_axis() const override { return measured_n_; }
  double force_n() const override { return force_n_; }
  double rope_position_mm() const override { return rope_mm_; }
  double rope_speed_mm_s() const { return rope_speed_mm_s_; }

 private:
  double rope_speed_for(const PlantCommand& command) const;

  TractionModel model_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> noise_{0.0, 1.0};
  double rope_mm_ = 0.0;
  double rope_speed_mm_s_ = 0.0;
  double force_n_ = 0.0;
  double force_rate_n_s_ = 0.0;
  double force_accel_n_s2_ = 0.0;
  double measured_n_ = 0.0;
};

// Force of the person (spring + damper) for a rope position and speed; 0 while the rope is slack.
double person_force_n(const TractionModel& model, double rope_mm, double rope_speed_mm_s);

}  // namespace traction::sim

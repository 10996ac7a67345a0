// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/inversion_table.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace traction::sim {

namespace {
constexpr double kGravity_m_s2 = 9.80665;
}

double effective_traction_n(const InversionModel& model, double angle_deg) {
  const double mass_kg = model.body_mass_kg * model.mass_above_hips_fraction;
  return mass_kg * kGravity_m_s2 * std::sin(angle_deg * std::numbers::pi / 180.0);
}

InversionTable::InversionTable(const InversionModel& model, double angle_deg)
    : model_(model), angle_deg_(std::clamp(angle_deg, model.min_angle_deg, model.max_angle_deg)) {}

double InversionTable::force_n() const {
  return effective_traction_n(model_, angle_deg_);
}

void InversionTable::step(const PlantCommand& command, double dt_s) {
  switch (command.mode) {
    case PlantCommand::Mode::track:
      // The servo is stiff compared with the drive's ramp, so the angle is the reference, but the
      // motor's own limits still hold whatever the reference does.
      move_to(command.reference, command.reference_rate, dt_s);
      break;
    case PlantCommand::Mode::hold:
      move_to(angle_deg_, 0.0, dt_s);
      break;
    case PlantCommand::Mode::unpowered: {
      // Balanced table: drifts toward horizontal, slower as it gets there.
      const double speed = std::min(model_.gravity_max_rate_deg_s,
                                    std::abs(angle_deg_) / model_.gravity_time_constant_s);
      const double rate = -std::copysign(speed, angle_deg_);
      move_to(angle_deg_ + rate * dt_s, rate, dt_s);
      break;
    }
  }
}

void InversionTable::move_to(double reference, double reference_rate, double dt_s) {
  // The reference's own rate, plus closing the gap to where the reference was: as fast as lands on
  // it this step, but braking early enough not to pass it, so that a table still moving when
  // the reference takes over (tracking resumed after a drift, a brake released) settles on the
  // reference instead of ringing around it. Following a reference that moves within the motor's
  // limits, the gap is zero and the angle is the reference.
  const double gap = reference - reference_rate * dt_s - angle_deg_;
  const double max_change = model_.max_accel_deg_s2 * dt_s;
  const double braking = std::max(
      0.0, -max_change +
               std::sqrt(max_change * max_change + 2.0 * model_.max_accel_deg_s2 * std::abs(gap)));
  const double closing = std::min(braking, std::abs(gap) / dt_s);
  double velocity = reference_rate + std::copysign(closing, gap);
  // The motor's velocity limit and the table's inertia (acceleration limit) hold in every mode.
  velocity = std::clamp(velocity, -model_.max_velocity_deg_s, model_.max_velocity_deg_s);
  velocity = std::clamp(velocity, velocity_deg_s_ - max_change, velocity_deg_s_ + max_change);
  const double next =
      std::clamp(angle_deg_ + velocity * dt_s, model_.min_angle_deg, model_.max_angle_deg);
  velocity = (next - angle_deg_) / dt_s;
  accel_deg_s2_ = (velocity - velocity_deg_s_) / dt_s;
  velocity_deg_s_ = velocity;
  angle_deg_ = next;
}

}  // namespace traction::sim

// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/sim_device.hpp"

#include <algorithm>
#include <cmath>

#include "simulator/physics/inversion_table.hpp"
#include "simulator/physics/traction_bench.hpp"

namespace traction::sim {

namespace {
// A reading this close to an end stop counts as on it.
constexpr double kEndStopBand = 1e-3;

std::unique_ptr<Plant> make_plant(const DeviceModel& model, std::uint64_t seed) {
  if (model.kind == DeviceKind::inversion) {
    return std::make_unique<InversionTable>(model.inversion, model.inversion.home_angle_deg);
  }
  return std::make_unique<TractionBench>(model.traction, seed);
}
}  // namespace

DriveLimits drive_limits(const DeviceModel& model) {
  DriveLimits l;
  if (model.kind == DeviceKind::inversion) {
    const InversionModel& m = model.inversion;
    l = {m.min_angle_deg,      m.max_angle_deg,    m.home_angle_deg,
         m.max_velocity_deg_s, m.max_accel_deg_s2, m.safe_rate_deg_s};
  } else {
    const TractionModel& m = model.traction;
    l = {m.min_force_n,        m.max_force_n,          m.floor_force_n,
         m.max_force_rate_n_s, m.max_force_accel_n_s2, m.release_rate_n_s};
  }
  return l;
}

SimDevice::SimDevice(const DeviceModel& model, std::uint64_t seed)
    : model_(model),
      plant_(make_plant(model, seed)),
      drive_(drive_limits(model), plant_->measured_axis()),
      // A different stream from the load cell's, so injected noise does not shift its sequence.
      sensors_(seed ^ 0x9E3779B97F4A7C15ULL, model.kind == DeviceKind::traction) {
  drive_.set_reaction(model.drive_reaction);
  reported_ = {plant_->measured_axis(), 0.0, plant_->force_n()};
  reset_peaks();
}

void SimDevice::advance(double dt_s) {
  while (dt_s > 1e-12) {
    const double h = std::min(dt_s, kStep_s);
    step(h);
    dt_s -= h;
  }
}

void SimDevice::step(double dt_s) {
  if (!drive_.powered()) {
    power_off_s_ -= dt_s;
    if (power_off_s_ <= 0.0) drive_.power_on(plant_->measured_axis());
  }
  const PlantCommand command = drive_.step(dt_s, plant_->measured_axis());
  plant_->step(command, dt_s);
  time_s_ += dt_s;
  peaks_.axis = std::max(peaks_.axis, plant_->axis());
  peaks_.velocity = std::max(peaks_.velocity, std::abs(plant_->axis_velocity()));
  peaks_.accel = std::max(peaks_.accel, std::abs(plant_->axis_accel()));
  reported_ =
      sensors_.apply({plant_->measured_axis(), plant_->axis_velocity(), plant_->force_n()}, dt_s);
}

void SimDevice::reset_peaks() {
  peaks_ = {plant_->axis(), std::abs(plant_->axis_velocity()), std::abs(plant_->axis_accel())};
}

// An end-stop flag reports a target the drive clamped, or the mechanics at their limit: the
// table's angle, or the bench's rope at full travel (a slack rope is the bench's normal rest).
bool SimDevice::end_stop_low() const {
  if (drive_.target_clamped_low()) return true;
  return kind() == DeviceKind::inversion &&
         plant_->axis() <= drive_.limits().min_axis + kEndStopBand;
}

bool SimDevice::end_stop_high() const {
  if (drive_.target_clamped_high()) return true;
  if (kind() == DeviceKind::inversion)
    return plant_->axis() >= drive_.limits().max_axis - kEndStopBand;
  return plant_->rope_position_mm() >= model_.traction.rope_travel_mm - kEndStopBand;
}

void SimDevice::set_stop(bool pressed, bool connected) {
  stop_pressed_ = pressed;
  stop_connected_ = connected;
  // A cut line reads as a switch plugged in and released at the drive.
  drive_.set_stop_switch(stop_wired_ && pressed, !stop_wired_ || connected);
}

void SimDevice::set_stop_switch_wired(bool wired) {
  stop_wired_ = wired;
  set_stop(stop_pressed_, stop_connected_);
}

void SimDevice::power_loss(double seconds) {
  power_off_s_ = std::max(seconds, kStep_s);
  drive_.power_off();
}

}  // namespace traction::sim

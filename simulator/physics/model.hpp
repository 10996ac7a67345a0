// SPDX-License-Identifier: Apache-2.0
// The parameters of a simulated device (config/sim/<kind>.json): the drive's hardware limits, the
// mechanics and the person on the machine. Hardware limits are what the simulated drive never
// exceeds whatever the master tells it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "drivers/device_state.hpp"
#include "simulator/physics/drive.hpp"

namespace traction::sim {

struct InversionModel {
  double min_angle_deg = -20.0;  // mechanical end stops
  double max_angle_deg = 90.0;
  double home_angle_deg = 0.0;
  double max_velocity_deg_s = 15.0;
  double max_accel_deg_s2 = 30.0;
  double safe_rate_deg_s = 5.0;  // rate of the drive's own safe reaction (head-up to home)
  double gravity_max_rate_deg_s = 3.0;
  double gravity_time_constant_s = 4.0;
  double body_mass_kg = 75.0;
  double height_m = 1.75;
  double mass_above_hips_fraction = 0.6;
};

struct TractionModel {
  double min_force_n = 0.0;  // end stops of the force axis
  double max_force_n = 1000.0;
  double floor_force_n =
      15.0;  // the safe reaction releases to this force, never below it by pulling
  double max_force_rate_n_s = 150.0;
  double max_force_accel_n_s2 = 400.0;
  double release_rate_n_s = 60.0;
  double max_rope_speed_mm_s = 30.0;
  double max_rope_accel_mm_s2 = 300.0;
  double rope_travel_mm = 300.0;
  double take_up_speed_mm_s = 10.0;
  double force_loop_gain_mm_s_per_n = 0.2;
  double unpowered_decay_time_constant_s = 2.0;
  double stiffness_n_per_mm = 10.0;
  double damping_n_s_per_mm = 0.3;
  double slack_mm = 40.0;
  double load_cell_offset_n = 0.5;
  double load_cell_noise_sigma_n = 0.3;
};

struct DeviceModel {
  DeviceKind kind = DeviceKind::inversion;
  // The drive's own reaction to faults, watchdog trips, quick stops, the stop switch and power
  // loss (key "drive_reaction", optional; --drive-reaction overrides it).
  DriveReaction drive_reaction = DriveReaction::home;
  InversionModel inversion;  // used when kind == inversion
  TractionModel traction;    // used when kind == traction
};

// The default model file of a kind: <source dir>/config/sim/<kind>.json.
std::string default_model_file(DeviceKind kind);

// Parses a model; Errc::config naming the file, the JSON path and the rule on any error (unknown
// keys included). `kind` must match the file's "kind".
Result<DeviceModel> parse_device_model(const nlohmann::json& json, const std::string& source,
                                       DeviceKind kind);
Result<DeviceModel> load_device_model(const std::string& path, DeviceKind kind);

}  // namespace traction::sim

// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/model.hpp"

#include "core/config_reader.hpp"
#include "core/data_dir.hpp"

namespace traction::sim {
namespace {

constexpr double kBig = 1e6;

InversionModel parse_inversion(ObjectReader& root) {
  InversionModel m;
  ObjectReader axis = root.object("axis");
  m.min_angle_deg = axis.number("min_angle_deg", -90.0, 0.0);
  m.max_angle_deg = axis.number("max_angle_deg", 0.0, 90.0);
  m.home_angle_deg = axis.number("home_angle_deg", m.min_angle_deg, m.max_angle_deg);
  m.max_velocity_deg_s = axis.number("max_velocity_deg_s", 0.1, 90.0);
  m.max_accel_deg_s2 = axis.number("max_accel_deg_s2", 0.1, 1000.0);
  m.safe_rate_deg_s = axis.number("safe_rate_deg_s", 0.1, m.max_velocity_deg_s);
  axis.finish();
  ObjectReader gravity = root.object("gravity_return");
  m.gravity_max_rate_deg_s = gravity.number("max_rate_deg_s", 0.01, 30.0);
  m.gravity_time_constant_s = gravity.number("time_constant_s", 0.1, 600.0);
  gravity.finish();
  ObjectReader person = root.object("person");
  m.body_mass_kg = person.number("body_mass_kg", 20.0, 250.0);
  m.height_m = person.number("height_m", 1.0, 2.5);
  m.mass_above_hips_fraction = person.number("mass_above_hips_fraction", 0.3, 0.8);
  person.finish();
  return m;
}

TractionModel parse_traction(ObjectReader& root) {
  TractionModel m;
  ObjectReader axis = root.object("axis");
  m.min_force_n = axis.number("min_force_n", 0.0, 0.0);
  m.max_force_n = axis.number("max_force_n", 10.0, 5000.0);
  m.floor_force_n = axis.number("floor_force_n", 0.0, m.max_force_n);
  m.max_force_rate_n_s = axis.number("max_force_rate_n_s", 1.0, kBig);
  m.max_force_accel_n_s2 = axis.number("max_force_accel_n_s2", 1.0, kBig);
  m.release_rate_n_s = axis.number("release_rate_n_s", 1.0, m.max_force_rate_n_s);
  axis.finish();
  ObjectReader motor = root.object("motor");
  m.max_rope_speed_mm_s = motor.number("max_rope_speed_mm_s", 0.1, 1000.0);
  m.max_rope_accel_mm_s2 = motor.number("max_rope_accel_mm_s2", 0.1, 10000.0);
  m.rope_travel_mm = motor.number("rope_travel_mm", 1.0, 5000.0);
  m.take_up_speed_mm_s = motor.number("take_up_speed_mm_s", 0.1, m.max_rope_speed_mm_s);
  m.force_loop_gain_mm_s_per_n = motor.number("force_loop_gain_mm_s_per_n", 0.001, 10.0);
  m.unpowered_decay_time_constant_s = motor.number("unpowered_decay_time_constant_s", 0.1, 600.0);
  motor.finish();
  ObjectReader person = root.object("person");
  m.stiffness_n_per_mm = person.number("stiffness_n_per_mm", 0.1, 1000.0);
  m.damping_n_s_per_mm = person.number("damping_n_s_per_mm", 0.0, 100.0);
  m.slack_mm = person.number("slack_mm", 0.0, m.rope_travel_mm);
  person.finish();
  ObjectReader cell = root.object("load_cell");
  m.load_cell_offset_n = cell.number("offset_n", -100.0, 100.0);
  m.load_cell_noise_sigma_n = cell.number("noise_sigma_n", 0.0, 100.0);
  cell.finish();
  return m;
}

}  // namespace

std::string default_model_file(DeviceKind kind) {
  return shipped_data_path("sim/" + std::string(to_string(kind)) + ".json");
}

Result<DeviceModel> parse_device_model(const nlohmann::json& json, const std::string& source,
                                       DeviceKind kind) {
  return parse_config<DeviceModel>([&] {
    ObjectReader root(json, source);
    DeviceModel model;
    model.kind = kind;
    const std::string expected = to_string(kind);
    if (root.choice("kind", {"inversion", "traction"}) != expected) {
      root.fail("kind", "the model is for another device; --device asks for \"" + expected + "\"");
    }
    model.drive_reaction =
        *parse_drive_reaction(root.choice_or("drive_reaction", "home", {"home", "hold"}));
    if (kind == DeviceKind::inversion) {
      model.inversion = parse_inversion(root);
    } else {
      model.traction = parse_traction(root);
    }
    root.finish();
    return model;
  });
}

Result<DeviceModel> load_device_model(const std::string& path, DeviceKind kind) {
  try {
    return parse_device_model(load_json_file(path), path, kind);
  } catch (const ConfigError& e) {
    return Result<DeviceModel>(Errc::config, e.what());
  }
}

}  // namespace traction::sim

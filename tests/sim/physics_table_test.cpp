// SPDX-License-Identifier: Apache-2.0
// The inversion table and its drive, stepped far faster than real time.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config_reader.hpp"
#include "simulator/physics/inversion_table.hpp"
#include "simulator/physics/ramp_follower.hpp"
#include "tests/sim/physics_support.hpp"

namespace traction::sim {
namespace {

using cia402::State;
using testing::default_model;
using testing::enable;
using testing::run_for;

constexpr double kTol = 1e-6;

TEST(RampFollower, when_target_jumps_expect_velocity_and_accel_within_limits_and_no_overshoot) {
  RampFollower f;
  f.reset(0.0, 0.0);
  double peak_v = 0.0;
  double peak_a = 0.0;
  double peak_x = 0.0;
  for (int i = 0; i < 20000; ++i) {
    f.step_toward(40.0, 10.0, 20.0, 0.001);
    peak_v = std::max(peak_v, std::abs(f.velocity()));
    peak_a = std::max(peak_a, std::abs(f.accel()));
    peak_x = std::max(peak_x, f.position());
  }
  EXPECT_LE(peak_v, 10.0 + kTol);
  EXPECT_LE(peak_a, 20.0 + kTol);
  EXPECT_LE(peak_x, 40.0 + kTol);
  EXPECT_DOUBLE_EQ(f.position(), 40.0);
  EXPECT_TRUE(f.at_rest());
}

TEST(TablePhysics, when_target_is_beyond_the_end_stop_expect_clamp_flag_and_hardware_limits_kept) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device(model, 1);
  enable(device);
  ASSERT_EQ(device.drive().state(), State::operation_enabled);
  device.drive().write_target(500.0);
  EXPECT_TRUE(device.end_stop_high());
  EXPECT_DOUBLE_EQ(device.drive().target(), model.inversion.max_angle_deg);
  run_for(device, 15.0);
  EXPECT_NEAR(device.axis(), model.inversion.max_angle_deg, 1e-6);
  EXPECT_LE(device.peaks().velocity, model.inversion.max_velocity_deg_s + kTol);
  EXPECT_LE(device.peaks().accel, model.inversion.max_accel_deg_s2 + kTol);
  EXPECT_LE(device.peaks().axis, model.inversion.max_angle_deg + kTol);
}

TEST(TablePhysics,
     when_master_sets_a_velocity_limit_expect_it_respected_and_capped_at_hardware_max) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice slow(model, 1);
  enable(slow);
  slow.drive().write_velocity_limit(4.0);
  slow.drive().write_target(30.0);
  run_for(slow, 2.0);
  EXPECT_LE(slow.peaks().velocity, 4.0 + kTol);

  SimDevice fast(model, 1);
  enable(fast);
  fast.drive().write_velocity_limit(1000.0);
  EXPECT_DOUBLE_EQ(fast.drive().velocity_limit(), model.inversion.max_velocity_deg_s);
}

// A table still drifting when a reference takes over again (power back after a gravity drift)
// brakes, comes back and settles on it; the servo used to ring around it for ever at a few deg/s.
TEST(TablePhysics, when_tracking_resumes_while_the_table_still_moves_expect_it_to_settle) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  InversionTable table(model.inversion, 20.0);
  for (int i = 0; i < 1000; ++i) table.step({PlantCommand::Mode::unpowered, 0.0, 0.0}, 0.001);
  ASSERT_LT(table.axis_velocity(), -1.0);
  const double reference = table.axis();
  double late_speed = 0.0;
  double peak_accel = 0.0;
  for (int i = 0; i < 3000; ++i) {
    table.step({PlantCommand::Mode::track, reference, 0.0}, 0.001);
    peak_accel = std::max(peak_accel, std::abs(table.axis_accel()));
    if (i >= 1000) late_speed = std::max(late_speed, std::abs(table.axis_velocity()));
  }
  EXPECT_LT(late_speed, 1e-3);
  EXPECT_NEAR(table.axis(), reference, 1e-6);
  EXPECT_LE(peak_accel, model.inversion.max_accel_deg_s2 + kTol);
}

TEST(TablePhysics, when_not_enabled_expect_the_target_ignored) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  device.drive().write_target(30.0);
  run_for(device, 2.0);
  EXPECT_EQ(device.drive().state(), State::switch_on_disabled);
  EXPECT_DOUBLE_EQ(device.axis(), 0.0);
}

TEST(TableWatchdog, when_powered_up_expect_disarmed_and_no_trip_without_requests) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  enable(device);
  run_for(device, 10.0, /*feed=*/false);
  EXPECT_EQ(device.drive().watchdog_timeout_ms(), 0);
  EXPECT_EQ(device.drive().state(), State::operation_enabled);
}

TEST(TableWatchdog, when_requests_keep_coming_expect_no_trip) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  device.drive().write_watchdog_timeout_ms(100);
  enable(device);
  run_for(device, 5.0, /*feed=*/true);
  EXPECT_FALSE(device.drive().watchdog_tripped());
  EXPECT_EQ(device.drive().state(), State::operation_enabled);
}

TEST(TableWatchdog, when_no_request_within_timeout_expect_trip_on_time_then_head_up_at_safe_rate) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device(model, 1);
  enable(device);
  device.drive().write_target(30.0);
  run_for(device, 6.0);
  ASSERT_NEAR(device.axis(), 30.0, 1e-6);
  device.drive().write_watchdog_timeout_ms(200);
  double tripped_at = -1.0;
  const double armed_at = device.time_s();
  double peak_reaction_speed = 0.0;
  run_for(device, 10.0, /*feed=*/false, [&] {
    if (tripped_at < 0 && device.drive().watchdog_tripped()) tripped_at = device.time_s();
    if (tripped_at >= 0)
      peak_reaction_speed = std::max(peak_reaction_speed, std::abs(device.axis_velocity()));
  });
  EXPECT_NEAR(tripped_at - armed_at, 0.200, 0.0021);
  EXPECT_EQ(device.drive().fault_code(), kFaultCommLoss);
  EXPECT_LE(peak_reaction_speed, model.inversion.safe_rate_deg_s + kTol);
  EXPECT_NEAR(device.axis(), model.inversion.home_angle_deg, 1e-6);
  EXPECT_EQ(device.drive().state(), State::fault);
}

TEST(TableWatchdog, when_reaction_runs_expect_home_reached_in_angle_over_safe_rate) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device(model, 1);
  enable(device);
  device.drive().write_target(20.0);
  run_for(device, 5.0);
  device.drive().inject_fault(0x1234, 0.0);
  double done_after = -1.0;
  const double start = device.time_s();
  run_for(device, 10.0, true, [&] {
    if (done_after < 0 && device.drive().state() == State::fault)
      done_after = device.time_s() - start;
  });
  // 20 deg at 5 deg/s plus the acceleration ramps at each end.
  const double ideal = 20.0 / model.inversion.safe_rate_deg_s;
  EXPECT_GE(done_after, ideal);
  EXPECT_LE(done_after,
            ideal + model.inversion.safe_rate_deg_s / model.inversion.max_accel_deg_s2 + 0.01);
}

TEST(TableFault, when_fault_cause_persists_expect_reset_refused_until_it_is_gone) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  enable(device);
  device.drive().inject_fault(0x2310, 1.0);
  run_for(device, 0.5);
  ASSERT_EQ(device.drive().state(), State::fault);
  device.drive().write_control_word(0x0000);
  device.drive().write_control_word(cia402::kFaultResetBit);
  EXPECT_EQ(device.drive().state(), State::fault);
  run_for(device, 0.6);
  device.drive().write_control_word(0x0000);
  device.drive().write_control_word(cia402::kFaultResetBit);
  EXPECT_EQ(device.drive().state(), State::switch_on_disabled);
  EXPECT_EQ(device.drive().fault_code(), 0);
}

TEST(TableFault, when_reset_bit_is_held_expect_no_second_reset_without_a_new_edge) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  device.drive().write_control_word(cia402::kFaultResetBit);
  device.drive().inject_fault(0x2310, 0.0);
  run_for(device, 0.1);
  device.drive().write_control_word(cia402::kFaultResetBit);  // still high: no edge
  EXPECT_EQ(device.drive().state(), State::fault);
}

TEST(TableStopSwitch, when_pressed_expect_quick_stop_home_at_safe_rate_and_held_while_pressed) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device(model, 1);
  enable(device);
  device.drive().write_target(25.0);
  run_for(device, 5.0);
  device.press_stop();
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
  device.reset_peaks();
  run_for(device, 8.0);
  EXPECT_NEAR(device.axis(), model.inversion.home_angle_deg, 1e-6);
  EXPECT_LE(device.peaks().velocity, model.inversion.safe_rate_deg_s + kTol);
  for (std::uint16_t cw : {cia402::kShutdown, cia402::kSwitchOn, cia402::kEnableOperation}) {
    device.drive().write_control_word(cw);
  }
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
}

TEST(TableStopSwitch, when_released_expect_enable_alone_ignored_and_the_full_walk_needed) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  enable(device);
  device.drive().write_target(10.0);
  run_for(device, 3.0);
  device.press_stop();
  run_for(device, 4.0);
  device.release_stop();
  device.drive().write_control_word(cia402::kEnableOperation);
  run_for(device, 1.0);
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
  EXPECT_NEAR(device.axis(), 0.0, 1e-6);
  enable(device);
  EXPECT_EQ(device.drive().state(), State::operation_enabled);
  run_for(device, 3.0);
  EXPECT_NEAR(device.axis(), 10.0, 1e-6);
}

TEST(TableStopSwitch, when_unplugged_expect_connected_clear_fault_code_and_quick_stop) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  enable(device);
  device.unplug_stop_switch();
  EXPECT_FALSE(device.stop_connected());
  EXPECT_EQ(device.drive().fault_code(), kWarnStopSwitchUnplugged);
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
}

TEST(TableStopSwitch, when_unplugged_expect_enable_refused) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  device.unplug_stop_switch();
  enable(device);
  EXPECT_EQ(device.drive().state(), State::switched_on);
}

TEST(TablePowerLoss, when_unpowered_inverted_expect_slow_gravity_return_to_horizontal) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device(model, 1);
  enable(device);
  device.drive().write_target(40.0);
  run_for(device, 8.0);
  device.power_loss(60.0);
  device.reset_peaks();
  run_for(device, 10.0, true);
  EXPECT_LT(device.axis(), 40.0 - 10.0 * model.inversion.gravity_max_rate_deg_s + 1.0);
  EXPECT_GT(device.axis(), 0.0);
  run_for(device, 45.0, true);
  EXPECT_LT(device.axis(), 0.5);
  EXPECT_LE(device.peaks().velocity, model.inversion.gravity_max_rate_deg_s + kTol);
}

TEST(TablePowerLoss,
     when_power_returns_expect_switch_on_disabled_watchdog_disarmed_target_at_actual) {
  SimDevice device(default_model(DeviceKind::inversion), 1);
  device.drive().write_watchdog_timeout_ms(300);
  enable(device);
  device.drive().write_target(20.0);
  run_for(device, 3.0);
  device.power_loss(1.0);
  EXPECT_FALSE(device.powered());
  run_for(device, 1.1);
  EXPECT_TRUE(device.powered());
  EXPECT_EQ(device.drive().state(), State::switch_on_disabled);
  EXPECT_EQ(device.drive().watchdog_timeout_ms(), 0);
  // The drifting table is stopped by the brake within its deceleration, a fraction of a degree.
  EXPECT_NEAR(device.drive().target(), device.axis(), 0.5);
}

TEST(TablePerson, effective_traction_is_mass_above_hips_times_g_times_sin_angle) {
  const DeviceModel model = default_model(DeviceKind::inversion);
  const double mass = model.inversion.body_mass_kg * model.inversion.mass_above_hips_fraction;
  EXPECT_NEAR(effective_traction_n(model.inversion, 30.0), mass * 9.80665 * 0.5, 1e-9);
  EXPECT_NEAR(effective_traction_n(model.inversion, 0.0), 0.0, 1e-12);
}

TEST(SimModel, when_a_key_is_misspelt_expect_config_error_with_path_and_hint) {
  nlohmann::json json = traction::load_json_file(default_model_file(DeviceKind::inversion));
  json["axis"]["max_velocity_dg_s"] = 3.0;
  Result<DeviceModel> model = parse_device_model(json, "m.json", DeviceKind::inversion);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Errc::config);
  EXPECT_NE(model.status().message().find("max_velocity_deg_s"), std::string::npos)
      << model.status().message();
}

TEST(SimModel, when_kind_does_not_match_expect_config_error) {
  Result<DeviceModel> model =
      load_device_model(default_model_file(DeviceKind::traction), DeviceKind::inversion);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("/kind"), std::string::npos) << model.status().message();
}

}  // namespace
}  // namespace traction::sim
